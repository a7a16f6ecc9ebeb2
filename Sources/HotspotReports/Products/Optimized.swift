import Foundation
import HotspotCore
import HotspotIO

/// `optimized:` — ArcGIS-style optimized hot spot analysis of incidents (`hotspot optimized`).
extension OptimizedJob: Product {
    public static let name = "optimized"
    public static let keys = GridSpec.keys.filter { $0 != "cell_rule" } + ["on", "bands", "map"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        r.grid = try GridSpec.decode(s)
        try r.grid.refuseSparse(name)
        r.on = try s["on"]?.string()
        if let on = r.on, let f = s["on"], !p.layers.contains(where: { $0.name == on }) { throw f.error("no layer '\(on)' in 'areas'") }
        r.bands = try s["bands"]?.int(Limits.optimizedBands) ?? 10
        if try s["map"]?.bool() ?? false { r.map = p.map }
        return r
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        let s = r.computed.scale
        return ProductOutcome(summary: "optimized: \(r.computed.locations.ids.count) locations; distance band \(Fmt.fixed(s.chosen, 1)) m (\(s.chosenBy)); \(r.hot) hot, \(r.cold) cold", warnings: r.warnings)
    }
}

extension Project.Products {
    public var optimized: OptimizedJob.Request? { get { self[OptimizedJob.self] } set { self[OptimizedJob.self] = newValue } }
}
