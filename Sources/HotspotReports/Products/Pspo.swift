import Foundation
import HotspotCore
import HotspotIO

/// `pspo:` — a PSPO evidence pack, `pspo/` and `pspo.zip` (`hotspot pspo`); the keys are its flags'.
extension PspoJob: Product {
    public typealias Request = Project.PspoRequest
    public static let name = "pspo"
    public static let keys = ["area", "name", "epsg", "from_hotspots", "buffer", "simplify", "types", "rings", "window", "change",
                              "enforcement", "stops", "sources", "as_of", "pdf", "emerging_cell", "kde_cell", "suppress_below", "residents"]
    public static let besideFolder = ["pspo.zip"]
    public static func decode(_ m: [String: Project.Field], at s: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        if let a = m["area"] { r.area = LayerSpec(name: "area", path: try a.existingFile(), epsg: try m["epsg"]?.int(Limits.epsg)) }
        if let h = m["from_hotspots"] { r.fromHotspots = try h.existingFile() }
        guard (r.area == nil) != (r.fromHotspots == nil) else { throw s.error("give the restricted area: 'area: FILE', or 'from_hotspots: FILE' to propose one") }
        r.name = try m["name"]?.string()
        r.buffer = try m["buffer"]?.double(0...5_000) ?? 50
        r.simplify = try m["simplify"]?.double(0...1_000) ?? 10
        r.types = try m["types"]?.strings()
        if let v = m["rings"] {
            let rings = try v.strings().map { s -> Double in guard let d = Double(s), d > 0, d <= 5_000 else { throw v.error("rings are distances in metres, 1–5000") }; return d }
            guard !rings.isEmpty, rings.count <= 4, zip(rings, rings.dropFirst()).allSatisfy({ $0 < $1 }) else { throw v.error("give up to four increasing distances, e.g. [250, 500]") }
            r.rings = rings
        }
        if let w = m["window"] {
            let parts = try w.string().components(separatedBy: "..")
            guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), (1...12).contains(a), (1...12).contains(b), a <= b else { throw w.error("use MM..MM, e.g. 03..09") }
            (r.windowFirstMonth, r.windowLastMonth) = (a, b)
        }
        r.change = try m["change"]?.date(end: false)
        r.enforcement = try m["enforcement"]?.existingFile()
        if let f = m["stops"] { r.stops = try f.strings().flatMap { try f.glob($0) } }
        if r.enforcement != nil && !r.stops.isEmpty { throw s.error("give 'enforcement' (records) or 'stops' (police.uk stop-and-search files), not both") }
        r.suppressBelow = try m["suppress_below"]?.int(0...100) ?? 3
        r.residents = try m["residents"]?.existingFile()
        if let src = m["sources"] { for (label, f) in try src.orderedMapping() { r.sources[try f.path()] = label } }
        r.asOf = try m["as_of"]?.string()
        r.pdf = try m["pdf"]?.bool() ?? true
        r.emergingCell = try m["emerging_cell"]?.double(10...5_000) ?? 100
        r.kdeCell = try m["kde_cell"]?.double(5...2_000) ?? 50
        return r
    }
    /// The pack reads its own inputs (the area, enforcement, residents) beside the run's: `inputs` is not used.
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command)
        return ProductOutcome(summary: "pspo: \(r.name), \(r.inside) incidents inside; pspo/ and pspo.zip", warnings: r.warnings,
                              besideFolder: [("pspo.zip", try InputFile.contents(r.zip, limit: 1 << 32))])
    }
}

extension Project.Products {
    public var pspo: Project.PspoRequest? { get { self[PspoJob.self] } set { self[PspoJob.self] = newValue } }
}
