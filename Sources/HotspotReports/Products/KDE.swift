import Foundation
import HotspotCore
import HotspotIO

/// `kde:` — a kernel density surface and its hotspot polygons (`hotspot kde`).
extension KDEJob: Product {
    public typealias Request = KDEOptions
    public static let name = "kde"
    public static let keys = GridSpec.keys + ["bandwidth", "bandwidth_rule", "bandwidth_adjust", "backtest_windows", "kernel", "unit", "mode",
                                              "threshold", "smooth", "min_incidents", "map", "recency"]
    public static func decode(_ s: [String: Project.Field], at k: Project.Field, for p: Project) throws -> Request {
        var o = KDEOptions()
        o.grid = try GridSpec.decode(s)
        o.bandwidth = try s["bandwidth"]?.double(Limits.distance)
        o.bandwidthAdjust = try s["bandwidth_adjust"]?.double(0.01...100) ?? 1
        if let u = s["unit"] { guard let v = DensityUnit(rawValue: try u.string()) else { throw u.error("use per_km2 or per_m2") }; o.unit = v }
        if let m = s["mode"] { guard let v = KDEMode(rawValue: try m.string()) else { throw m.error("use auto, exact or binned") }; o.mode = v }
        o.smooth = try s["smooth"]?.bool() ?? false
        // `backtest` (as `--bandwidth-rule backtest`): the bandwidth that best predicted the next window, over
        // `backtest_windows` (TRAIN:TEST, default 6months:6months, as `--backtest-windows`).
        var backtestRule = false
        if let r = s["bandwidth_rule"] {
            let text = try r.string()
            if text == "backtest" { backtestRule = true } else {
                guard let v = BandwidthRule(rawValue: text) else { throw r.error("use arcgis, nrd or backtest") }; o.bandwidthRule = v
            }
        }
        if let r = s["kernel"] { guard let v = Kernel(rawValue: try r.string()) else { throw r.error("use quartic, epanechnikov, triangular, uniform or gaussian") }; o.kernel = v }
        if let w = s["backtest_windows"], !backtestRule { throw w.error("backtest_windows goes with bandwidth_rule: backtest") }
        if backtestRule {
            let text = try s["backtest_windows"]?.string() ?? "6months:6months"
            guard let (tr, te) = BacktestJob.Window.pair(parsing: text) else {
                throw (s["backtest_windows"] ?? k).error("backtest_windows takes TRAIN:TEST, each like 6months, 3months, 12weeks or 90days, e.g. 3months:3months")
            }
            var bo = BacktestJob.Options(); bo.train = tr; bo.test = te; bo.kernel = o.kernel
            o.backtest = bo
        }
        if let t = s["threshold"] { guard let v = HotspotThreshold(parsing: try t.string()) else { throw t.error("use top:5, share:50, abs:120 or pct:99") }; o.threshold = v }
        o.minIncidents = try s["min_incidents"]?.int(0...1_000_000) ?? 0
        if let r = s["recency"] { guard let v = RecencyWindow(parsing: try r.string()) else { throw r.error("use a window like 2months (1–120) or 8weeks (1–520)") }; o.recency = v }
        if try s["map"]?.bool() ?? false { o.map = p.map }
        return o
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        if let sc = r.sparseCells {
            return ProductOutcome(summary: "kde: bandwidth \(Fmt.fixed(r.surface.parameters.bandwidth, 1)) m, sparse: \(sc.written) cells, \(sc.hot) hot", warnings: r.warnings)
        }
        return ProductOutcome(summary: "kde: bandwidth \(Fmt.fixed(r.surface.parameters.bandwidth, 1)) m, \(r.hotspots.count) hotspot polygon(s)", warnings: r.warnings)
    }
}

extension Project.Products {
    public var kde: KDEOptions? { get { self[KDEJob.self] } set { self[KDEJob.self] = newValue } }
}

extension BacktestJob.Window {
    /// `TRAIN:TEST`, each like 6months, 3months, 12weeks or 90days (`--backtest-windows`, `backtest_windows:`).
    public static func pair(parsing text: String) -> (BacktestJob.Window, BacktestJob.Window)? {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 2, let train = BacktestJob.Window(parsing: parts[0]), let test = BacktestJob.Window(parsing: parts[1]) else { return nil }
        return (train, test)
    }
}
