import Foundation
import HotspotCore
import HotspotIO

extension ContextJob {
    /// What `metadata.json` of a context set records: the files (with SHA-256, layout, months), the populations,
    /// the periods, London's definition, what matched nothing, and every output.
    struct Metadata: Encodable {
        struct Source: Encodable { var path: String, sha256: String, layout: String, level: String, months: String, rows: Int }
        struct Population: Encodable { var path: String, sha256: String, areas: Int }
        var tool = "hotspot", version = HotspotVersion.string
        var command: String
        var parameters: [String: String]
        var sources: [Source], populations: [Population]
        var london: String
        var unmatched: [String]
        var caveats: [String]
        var warnings: [String]
        var outputs: [RunMetadata.Output]
        var attribution = ["Contains public sector information licensed under the Open Government Licence v3.0 (MPS recorded crime, London Datastore).",
                           "Contains National Statistics data © Crown copyright and database right."]
    }

    /// What every reader of the numbers must know (printed in summary.txt and metadata.json).
    static func caveats(_ o: Options, wards: Bool) -> [String] {
        ["Rates are per 1,000 residents over each whole period, from the population files named (their year is in their name or SOURCES); residents are not the people present: town centres and transport hubs draw visitors, so their rates per resident are high.",
         "MPS recorded crime counts offences recorded by the Metropolitan Police, by month of recording; they are not police.uk street-level points.",
         "Change: the second period's count against the first's, with the exact conditional Poisson test of equal rates (Przyborowski & Wilenski 1940), exposures the periods' lengths in months; ranks are 1 for the highest rate or the largest rise, ties sharing a rank."]
            + (wards ? ["Ward populations are Census 2021 residents summed from LSOAs assigned whole to the ward that best fits them (approximate). Ward percentiles are 100 × the share of London's wards below the ward's value, ties counting half (mid-rank), so a ward with no crimes where most have none stands mid-table, not at the top; wards with fewer than \(o.smallCount) crimes in a period are flagged small: their change is unstable."] : [])
    }

    /// "Lewisham in London" lines: for each chosen borough, all crime and each major category: the second period's
    /// count and rate with its rank, the change against London's, its rank and p.
    public static func summaryLines(_ r: Result, _ o: Options) -> [String] {
        let t = r.boroughs, col = Dictionary(uniqueKeysWithValues: t.columns.enumerated().map { ($1, $0) })
        func cell(_ row: [Value], _ name: String) -> Value { row[col[name]!] }
        func text(_ v: Value) -> String { if case .string(let x) = v { return x }; return "" }
        func num(_ v: Value) -> Double? { if case .int(let i) = v { return Double(i) }; if case .double(let d, _) = v { return d }; return nil }
        func pct(_ v: Value) -> String { num(v).map { ($0 >= 0 ? "+" : "") + Fmt.fixed($0, 1) + "%" } ?? "n/a (none before)" }
        func p(_ v: Value) -> String { num(v).map { $0 < 0.001 ? "p < 0.001" : "p = " + Fmt.fixed($0, 3) } ?? "" }
        func rank(_ v: Value) -> String { num(v).map { Fmt.grouped(Int($0)) } ?? "–" }
        var lines: [String] = []
        for name in r.chosen {
            lines.append("\(name) in London, \(o.periods[1].name) against \(o.periods[0].name) (rank 1: the highest rate, the largest rise):")
            for row in t.rows where text(cell(row, "area")) == name && text(cell(row, "level")) != "minor" {
                let major = text(cell(row, "major")), level = text(cell(row, "level"))
                let london = t.rows.first { text(cell($0, "area")) == "London" && text(cell($0, "level")) == level && text(cell($0, "major")) == major }
                let of = rank(cell(row, "ranked_of"))
                lines.append("  \(major.isEmpty ? "All crime" : sentenceCase(major)): \(Fmt.grouped(Int(num(cell(row, "count_b")) ?? 0))) crimes, "
                             + "\(num(cell(row, "rate_b")).map { Fmt.fixed($0, 2) } ?? "–") per 1,000 residents (rank \(rank(cell(row, "rank_rate"))) of \(of)); "
                             + "change \(pct(cell(row, "change_pct"))) (London \(london.map { pct(cell($0, "change_pct")) } ?? "–"); rank \(rank(cell(row, "rank_change"))) of \(of)), \(p(cell(row, "p")))")
            }
        }
        return lines
    }

    /// "BURGLARY" → "Burglary", "NFIB FRAUD" → "NFIB fraud": the MPS's upper-case categories as a sentence.
    public static func sentenceCase(_ s: String) -> String {
        let l = s.lowercased().replacingOccurrences(of: "nfib", with: "NFIB")
        return l.prefix(1).uppercased() + l.dropFirst()
    }

    /// Computes and writes boroughs.csv, wards.csv, series.csv, trends.csv, unmatched.csv, summary.txt and
    /// metadata.json into `o.out` as one output set.
    public static func run(_ o: Options, command: String) throws -> (Result, [String]) {
        var r = try compute(o)
        let set = try OutputSet(directory: o.out)
        try set.write("boroughs.csv", r.boroughs.csv())
        if let w = r.wards { try set.write("wards.csv", w.csv()) }
        try set.write("series.csv", r.series.csv())
        try set.write("trends.csv", r.trends.csv())
        try set.write("unmatched.csv", r.unmatched.csv())
        r.warnings += try writePages(r, o, into: set).warnings
        let cav = caveats(o, wards: r.wards != nil)
        try set.write("summary.txt", (summaryLines(r, o) + ["", r.londonDefinition] + cav.map { "- " + $0 }).joined(separator: "\n") + "\n")
        let meta = Metadata(command: command,
                            parameters: ["job": "context", "boroughs": r.chosen.joined(separator: ";"), "period_a": o.periods[0].name, "period_b": o.periods[1].name,
                                         "include_city": "\(o.includeCity)", "small_count": "\(o.smallCount)"],
                            sources: r.sources.map { .init(path: $0.path, sha256: $0.sha256, layout: $0.layout, level: $0.level.rawValue, months: $0.coverage, rows: $0.rows.count) },
                            populations: r.populations.map { .init(path: $0.path, sha256: $0.sha256, areas: $0.entries.count) },
                            london: r.londonDefinition, unmatched: r.unmatched.rows.map { $0.map { v -> String in if case .string(let s) = v { return s }; if case .int(let i) = v { return "\(i)" }; return "" }.joined(separator: ": ") },
                            caveats: cav, warnings: r.warnings, outputs: set.written.sorted { $0.path < $1.path })
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        try set.commit(metadata: try e.encode(meta) + Data("\n".utf8))
        return (r, set.written.map(\.path) + ["metadata.json"])
    }
}
