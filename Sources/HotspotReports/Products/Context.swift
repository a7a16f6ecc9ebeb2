import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

/// `context:` — the borough against London from MPS recorded crime (`hotspot context`). Its inputs are its own (the
/// MPS files and populations, relative to the project file); the project's incidents are not used.
extension ContextJob: Product {
    public typealias Request = ContextJob.Options
    public static let name = "context"
    public static let keys = ["mps", "borough_population", "ward_population", "boroughs_layer", "wards_layer", "borough", "periods", "include_city", "small_count", "pages"]
    public static func decode(_ s: [String: Project.Field], at c: Project.Field, for p: Project) throws -> Request {
        var o = Options()
        guard let m = s["mps"] else { throw c.error("'mps' is missing: the MPS recorded crime file(s), e.g. mps: data/mps-ward-level-crime.csv") }
        o.files = try ((try? m.list()) ?? [m]).map { try $0.existingFile() }
        o.boroughPopulation = try s["borough_population"]?.existingFile()
        o.wardPopulation = try s["ward_population"]?.existingFile()
        o.boroughsLayer = try s["boroughs_layer"]?.existingSource()
        o.wardsLayer = try s["wards_layer"]?.existingSource()
        if o.wardsLayer != nil && o.wardPopulation == nil { throw c.error("'wards_layer' draws ward rates: give 'ward_population' too") }
        guard let b = s["borough"] else { throw c.error("'borough' is missing, e.g. borough: Lewisham") }
        o.boroughs = try b.strings()
        guard let pf = s["periods"] else { throw c.error("'periods' is missing, e.g. periods: [2024-03..2024-09, 2025-03..2025-09]") }
        o.periods = try pf.strings().map { text in guard let v = Period(parsing: text) else { throw pf.error("'\(text)' is not a period: use YYYY-MM..YYYY-MM") }; return v }
        guard o.periods.count == 2, o.periods[0].last < o.periods[1].first else { throw pf.error("give two periods, the first before the second") }
        o.includeCity = try s["include_city"]?.bool() ?? false
        o.smallCount = try s["small_count"]?.int(0...1_000_000) ?? 10
        if let f = s["pages"] {
            let v = try f.strings()
            o.pageFormats = try v == ["none"] ? [] : v.map { t in guard let x = MapRaster.Format(rawValue: t) else { throw f.error("use svg, png, pdf or none") }; return x }
        }
        return o
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        guard var o = p.products.context else { return ProductOutcome(summary: "context: not asked for") }
        o.out = p.out
        let (r, _) = try run(o, command: command)
        return ProductOutcome(summary: "context: " + (summaryLines(r, o).dropFirst().first?.trimmingCharacters(in: .whitespaces) ?? ""), warnings: r.warnings)
    }
}

extension Project.Products {
    public var context: ContextJob.Options? { get { self[ContextJob.self] } set { self[ContextJob.self] = newValue } }
}
