import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

extension ContextJob {
    /// The London context block of `profile` pages and PSPO packs, when a project has a `context:` section: the same
    /// pages and rows as `hotspot context` (computed once per run), for the category the product's crime types map
    /// to and with the areas it is about highlighted.
    public struct SectionMaker {
        let result: Result, options: Options, pages: PageMaker
        /// The borough reported on (the section's first `borough`).
        public var borough: String { result.chosen[0] }

        public init(_ o: Options) throws {
            options = o
            result = try compute(o)
            pages = try PageMaker(result, o)
        }

        /// The block for crime types `types` (police.uk names; empty: all crime) about the areas `highlight` (ward
        /// codes or names): the wards' page with them outlined when any is a ward of the borough and a ward layer
        /// and population are given, else the borough's page; the borough's, London's and the wards' rows.
        public func section(types: [String], highlight: [String]) -> Section {
            let (c, note) = ContextJob.category(for: types, in: result.level.categories)
            let marked = Set(highlight.map(key))
            let wardRows = result.wardLevel.flatMap { w in result.wardRanges.map { w.rows($0, chosen: [borough], category: c, small: options.smallCount) } } ?? []
            let mine = wardRows.filter { marked.contains(key($0.code)) || marked.contains(key($0.name)) }
            let wardsPage = mine.isEmpty ? nil : pages.wardsPage(borough, c, highlight: Set(highlight))
            var wards = Table(columns: ["ward_code", "ward_name", "population", "count_a", "count_b", "rate_b", "change_pct", "pct_rate", "pct_change", "london_wards", "small"])
            wards.rows = mine.map { w in
                [.string(w.code), .string(w.name), .double(w.residents, decimals: 0), .int(w.figures.counts.0), .int(w.figures.counts.1),
                 w.figures.rates.1.map { .double($0, decimals: 4) } ?? .null, w.figures.test.percentChange.map { .double($0, decimals: 2) } ?? .null,
                 w.pctRate.map { .double($0, decimals: 1) } ?? .null, w.pctChange.map { .double($0, decimals: 1) } ?? .null,
                 .int(w.londonWards), .int(w.small ? 1 : 0)]
            }
            let col = Dictionary(uniqueKeysWithValues: result.boroughs.columns.enumerated().map { ($1, $0) })
            var boroughs = Table(columns: result.boroughs.columns)
            boroughs.rows = result.boroughs.rows.filter { row in
                let area = row[col["area"]!].csvText
                return (area == borough || area == "London") && row[col["level"]!].csvText == c.level && row[col["major"]!].csvText == c.major
            }
            return Section(category: c, categoryNote: note, borough: borough,
                           page: wardsPage?.svg() ?? pages.boroughPage(borough, c).svg(), isWardsPage: wardsPage != nil,
                           boroughRows: boroughs, wardRows: wards, periods: options.periods.map(\.name), sources: result.sources.map(\.path))
        }
    }

    /// One London context block.
    public struct Section: Sendable {
        /// The MPS category shown, and how it was chosen from the product's crime types.
        public var category: Category, categoryNote: String
        public var borough: String
        /// The page (SVG): the borough's wards in London, or the borough in London.
        public var page: String, isWardsPage: Bool
        /// boroughs.csv's rows of the borough and London for the category; wards.csv's rows of the highlighted wards.
        public var boroughRows: Table, wardRows: Table
        public var periods: [String], sources: [String]
    }

    /// police.uk crime types → the MPS major category that holds them (Home Office counting rules groupings; none
    /// where police.uk's type spans two MPS categories, as "Violence and sexual offences" does, or is not recorded
    /// crime, as anti-social behaviour is).
    static let policeUKToMPS: [String: String] = [
        "burglary": "BURGLARY", "robbery": "ROBBERY", "drugs": "DRUG OFFENCES", "possession of weapons": "POSSESSION OF WEAPONS",
        "public order": "PUBLIC ORDER OFFENCES", "criminal damage and arson": "ARSON AND CRIMINAL DAMAGE", "vehicle crime": "VEHICLE OFFENCES",
        "bicycle theft": "THEFT", "shoplifting": "THEFT", "other theft": "THEFT", "theft from the person": "THEFT",
    ]

    /// The MPS category for crime types `types`: their one major category when every type maps to the same one
    /// present in the data, else all crime, with a sentence saying which and why.
    static func category(for types: [String], in categories: [Category]) -> (Category, String) {
        guard !types.isEmpty else { return (.all, "All crime (the product covers every crime type).") }
        let majors = Set(types.map { policeUKToMPS[key($0)] })
        if majors.count == 1, let m = majors.first!, let c = categories.first(where: { $0.level == "major" && $0.major == m }) {
            return (c, "MPS category \(sentenceCase(m)), which holds the police.uk type(s) \(types.joined(separator: ", ")).")
        }
        return (.all, "All crime: the police.uk type(s) \(types.joined(separator: ", ")) do not fall in one MPS category.")
    }
}
