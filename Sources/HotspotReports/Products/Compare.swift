import Foundation
import HotspotCore
import HotspotIO

/// `compare:` — named periods compared per area and cell; `profile: true` draws a page per focus area.
extension CompareJob: Product {
    public typealias Request = Project.CompareRequest
    public static let name = "compare"
    public static let keys = ["periods", "cell", "profile"]
    public static func decode(_ s: [String: Project.Field], at c: Project.Field, for p: Project) throws -> Request {
        guard let pf = s["periods"] else { throw c.error("'periods' is missing, e.g. periods: [2019-03..2019-09, 2020-03..2020-09]") }
        let ps = try pf.strings().map { text in guard let v = Period(parsing: text) else { throw pf.error("'\(text)' is not a period: use YYYY-MM..YYYY-MM") }; return v }
        guard ps.count >= 2 else { throw pf.error("give at least two periods") }
        for k in 1..<ps.count where ps[k].first <= ps[k - 1].last { throw pf.error("periods must be in order and must not overlap") }
        var profile: MapOptions?
        if try s["profile"]?.bool() ?? false { var m = p.map; m.page.orientation = .portrait; profile = m }
        return Request(periods: ps, cell: try s["cell"]?.double(Limits.cellSize), profile: profile)
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "compare: \((p.products.compare?.periods ?? []).map(\.name).joined(separator: " vs "))", warnings: r.warnings)
    }
}

extension Project.Products {
    public var compare: Project.CompareRequest? { get { self[CompareJob.self] } set { self[CompareJob.self] = newValue } }
}
