import Foundation
import HotspotCore
import HotspotIO

/// `emerging:` — emerging hot spots: space-time Gi* and Mann-Kendall per cell or area (`hotspot emerging`).
extension EmergingJob: Product {
    public typealias Request = EmergingJobOptions
    public static let name = "emerging"
    public static let keys = ["cell", "on", "step", "start", "end", "window", "adjust", "clip", "map", "sparse"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var o = EmergingJobOptions()
        o.cell = try s["cell"]?.double(Limits.cellSize)
        if let on = s["on"] {
            let name = try on.string()
            guard p.layers.contains(where: { $0.name == name }) else { throw on.error("no layer '\(name)' in 'areas'") }
            o.on = name
        }
        if let st = s["step"] { guard let v = StepLength(parsing: try st.string()) else { throw st.error("use month, 6months, week or 7days") }; o.step = v }
        o.start = try s["start"]?.date(end: false)
        o.end = try s["end"]?.date(end: true)
        o.window = try s["window"]?.int(0...100) ?? 1
        if let a = try s["adjust"]?.adjust() {
            if a == .none { o.emerging.fdr = .none } else { o.emerging.adjust = a }
        }
        o.clip = try s["clip"]?.bool() ?? false
        o.grid.sparse = try s["sparse"]?.bool() ?? false
        if o.grid.sparse && (o.clip || o.on != nil) { throw (s["sparse"] ?? field).error("sparse: true is for a grid without clip: remove clip: true or on:") }
        if try s["map"]?.bool() ?? false { o.map = p.map }
        return o
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "emerging: " + r.summary.filter { $0.0 != .noPattern }.map { "\($0.1) \($0.0.name)" }.joined(separator: ", "), warnings: r.warnings)
    }
}

extension Project.Products {
    public var emerging: EmergingJobOptions? { get { self[EmergingJob.self] } set { self[EmergingJob.self] = newValue } }
}
