import Foundation
import HotspotCore
import HotspotIO

/// `gistar:` — Getis-Ord Gi* on grid cells or on the areas of a layer (`hotspot gistar`).
extension GiStarJob: Product {
    public typealias Request = Project.GiStarRequest
    public static let name = "gistar"
    public static let keys = GridSpec.keys + ["on", "neighbours", "fdr", "adjust", "permutations", "seed", "map"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        r.grid = try GridSpec.decode(s)
        r.on = try s["on"]?.string()
        r.seed = UInt64(try s["seed"]?.int(0...Int.max) ?? Int(Limits.defaultSeed))
        if let n = s["neighbours"] { guard let v = NeighbourRule(parsing: try n.string()) else { throw n.error("use queen, rook, distance:400 or knn:8") }; r.neighbours = v }
        if let on = r.on, let f = s["on"], !p.layers.contains(where: { $0.name == on }) { throw f.error("no layer '\(on)' in 'areas'") }
        if let a = s["adjust"] {
            if s["fdr"] != nil { throw a.error("give adjust or fdr, not both (fdr: false is adjust: none)") }
            r.adjust = try a.adjust()
        } else if try !(s["fdr"]?.bool() ?? true) { r.adjust = .none }
        r.permutations = try s["permutations"]?.int(Limits.permutations) ?? 0
        if try s["map"]?.bool() ?? false { r.map = p.map }
        return r
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "gistar: \(r.gi.n) locations; hottest: \(r.hottest(3, fdr: p.products.gistar?.fdr ?? true))", warnings: r.warnings)
    }
}

extension Project.Products {
    public var gistar: Project.GiStarRequest? { get { self[GiStarJob.self] } set { self[GiStarJob.self] = newValue } }
}
