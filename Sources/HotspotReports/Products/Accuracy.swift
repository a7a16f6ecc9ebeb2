import Foundation
import HotspotCore
import HotspotIO

/// `accuracy:` — how well a hotspot product (polygons) captured the project's incidents, the later period: hit
/// rate, PAI and, with `earlier`, the Recapture Rate Index (`hotspot accuracy`).
extension AccuracyJob: Product {
    public typealias Request = Project.AccuracyRequest
    public static let name = "accuracy"
    public static let keys = ["hotspots", "where", "earlier"]
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        guard let h = s["hotspots"] else { throw field.error("'hotspots' is missing: the hotspot product to score, e.g. hotspots: out/kde/hotspots.geojson") }
        var r = Request(hotspots: try h.existingSource())
        if let w = s["where"] {
            guard let pe = propertyEquals(try w.string()) else { throw w.error("use property=value, e.g. where: 'category=New Hot Spot'") }
            r.whereProperty = (pe.property, pe.value)
        }
        if let e = s["earlier"] { r.earlier = try e.strings().flatMap { try e.glob($0) } }
        return r
    }
    /// The accuracy job reads its own hotspot product and earlier incidents: `inputs` is not used.
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let a = try run(p, command: command).accuracy
        return ProductOutcome(summary: "accuracy: captured \(a.captured) of \(a.total) incidents, hit rate \(Fmt.fixed(a.hitRate * 100, 1))%, PAI \(Fmt.fixed(a.pai, 2))"
                              + (a.rri.map { ", RRI \(Fmt.fixed($0, 2))" } ?? ""))
    }
    /// `property=value` split at its first `=` (`--where`, `where:`); nil without one.
    @Sendable public static func propertyEquals(_ text: String) -> PropertyEquals? {
        guard let i = text.firstIndex(of: "=") else { return nil }
        return PropertyEquals(property: String(text[..<i]), value: String(text[text.index(after: i)...]))
    }
}

/// A feature filter, `property=value` (`--where`, `where:`).
public struct PropertyEquals: Sendable {
    public var property: String, value: String
}

extension Project.Products {
    public var accuracy: Project.AccuracyRequest? { get { self[AccuracyJob.self] } set { self[AccuracyJob.self] = newValue } }
}
