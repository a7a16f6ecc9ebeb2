import Foundation
import HotspotCore
import HotspotIO

/// `grid:` — counts per square or hexagonal cell (`hotspot grid`).
extension GridJob: Product {
    public typealias Request = Project.GridRequest
    public static let name = "grid"
    public static let keys = GridSpec.keys + ["map"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        r.grid = try GridSpec.decode(s)
        if try s["map"]?.bool() ?? false { r.map = p.map }
        return r
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        if p.products.grid?.hex != nil {
            let (_, h, _) = try runHex(p, command: command, inputs: inputs)
            return ProductOutcome(summary: "grid: \(h.cells.count) hexagons of \(Fmt.number(h.grid.size)) m across flats")
        }
        if p.products.grid?.sparse == true {
            let (_, s, _, warnings) = try runSparse(p, command: command, inputs: inputs)
            return ProductOutcome(summary: "grid: \(s.counts.cells.count) occupied cells of \(Fmt.number(s.choice.grid.cellSize)) m (sparse, of \(s.choice.grid.cellCount))", warnings: warnings)
        }
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "grid: \(r.product.cells.count) cells of \(Fmt.number(r.product.choice.grid.cellSize)) m", warnings: r.warnings)
    }
}

extension Project.Products {
    public var grid: Project.GridRequest? { get { self[GridJob.self] } set { self[GridJob.self] = newValue } }
}
