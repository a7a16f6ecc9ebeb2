import Foundation
import HotspotCore
import HotspotIO

/// `areas:` — counts and rates per area of every layer (`hotspot areas`).
extension AreasJob: Product {
    public typealias Request = Project.AreasRequest
    public static let name = "areas"
    public static let keys = ["map"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        guard !p.layers.isEmpty else { throw field.error("areas needs an 'areas' section with at least one layer") }
        return Request(map: try s["map"]?.bool() ?? false ? p.map : nil)
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "areas: " + r.layers.map { "\($0.layer) \($0.rows.count) areas" }.joined(separator: ", "), warnings: r.warnings)
    }
}

extension Project.Products {
    public var areas: Project.AreasRequest? { get { self[AreasJob.self] } set { self[AreasJob.self] = newValue } }
}
