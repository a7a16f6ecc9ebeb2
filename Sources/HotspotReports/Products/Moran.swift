import Foundation
import HotspotCore
import HotspotIO

/// `moran:` — Local Moran's I clusters and outliers, and global Moran's I (`hotspot moran`).
extension MoranJob: Product {
    public static let name = "moran"
    public static let keys = GridSpec.keys + ["on", "neighbours", "adjust", "permutations", "seed", "map"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        r.grid = try GridSpec.decode(s)
        try r.grid.refuseSparse(name)
        r.on = try s["on"]?.string()
        if let on = r.on, let f = s["on"], !p.layers.contains(where: { $0.name == on }) { throw f.error("no layer '\(on)' in 'areas'") }
        if let n = s["neighbours"] { guard let v = NeighbourRule(parsing: try n.string()) else { throw n.error("use queen, rook, distance:400 or knn:8") }; r.neighbours = v }
        r.adjust = try s["adjust"]?.adjust() ?? .none
        r.permutations = try s["permutations"]?.int(Limits.moranPermutations) ?? 999
        r.seed = UInt64(try s["seed"]?.int(0...Int.max) ?? Int(Limits.defaultSeed))
        if try s["map"]?.bool() ?? false { r.map = p.map }
        return r
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "moran: \(r.local.n) locations; \(r.clusters); global I \(Fmt.fixed(r.global.i, 4))", warnings: r.warnings)
    }
}

extension Project.Products {
    public var moran: MoranJob.Request? { get { self[MoranJob.self] } set { self[MoranJob.self] = newValue } }
}
