import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The Knox near-repeat test on dated incidents (`hotspot nearrepeat`): knox.csv (one row per band of distance ×
/// time), knox.svg (the Knox ratios as a heat table, near-repeat bands outlined) and near-repeat-pairs.geojson (the
/// pairs of the near-repeat bands as lines), with quarantine.csv and metadata.json.
public enum NearRepeatJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var knox: KnoxResult
        public var warnings: [String]
        public var written: [String]
    }

    /// Why the incidents cannot be tested, or nil: the test needs each incident's day.
    public static func refusal(_ table: IncidentTable) -> String? {
        if table.resolution == .month {
            return "a near-repeat test needs the day of each incident, and these data give only the month (police.uk street-level crime is published by month): use a dated extract, e.g. --format csv --date-col date [--time-col time]"
        }
        if table.count < 2 { return "a near-repeat test needs at least 2 incidents (\(table.count) selected)" }
        return nil
    }

    public static func run(_ p: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let r = p.products.nearrepeat ?? .init()
        let job = try inputs ?? p.loadInputs()
        let inc = job.incidents, t = inc.table
        if let why = refusal(t) { throw InputError.unusable(why) }
        let knox = PhaseProgress.phase("Knox test, \(r.permutations) permutations", total: 1, unit: "") {
            knoxTest(x: t.x, y: t.y, day: t.day, bands: r.bands, permutations: r.permutations, seed: r.seed, alpha: r.alpha)
        }
        let set = try OutputSet(p)
        try set.write("knox.csv", table(knox).csv())
        try set.write("knox.svg", chart(knox).svg())
        let (from, to, props) = try pairs(knox, t, set: set)
        // Field names of at most 10 characters (they survive a Shapefile), the full names in NAME.fields.csv.
        let fields = FieldNames.layer(props)
        try set.write("near-repeat-pairs.fields.csv", fields.dictionary.csv())
        try set.write("near-repeat-pairs.geojson", GeoJSONWriter.lines(name: "near-repeat-pairs", from: from, to: to, properties: fields.table, idColumn: "id"))
        let b = r.bands
        try set.finish(command: command, parameters: [
            "job": "nearrepeat", "distance_band_m": Fmt.number(b.distance), "distance_bands": "\(b.spatialBands)",
            "time_band_days": "\(b.days)", "time_bands": "\(b.temporalBands)", "permutations": "\(r.permutations)",
            "seed": "\(r.seed)", "alpha": Fmt.number(r.alpha), "pairs": "\(knox.pairs)",
            "near_repeat_pairs": "\(knox.nearPairs.count)", "near_repeat_incidents": "\(knox.nearRepeatIncidents)",
            "near_repeat_share": Fmt.fixed(knox.nearRepeatShare, 4)],
            inputs: job, warnings: job.warnings)
        return Result(incidents: inc, knox: knox, warnings: job.warnings, written: set.written.map(\.path) + ["metadata.json"])
    }

    /// Row label: "same location", "≤ 100 m", "100–200 m" … "> 500 m".
    public static func rowLabel(_ b: KnoxBands, _ r: Int) -> String {
        let (lo, hi) = b.rowRange(r)
        if r == 0 { return "same location" }
        if r > b.spatialBands { return "> \(Fmt.number(lo)) m" }
        return r == 1 ? "≤ \(Fmt.number(hi)) m" : "\(Fmt.number(lo))–\(Fmt.number(hi)) m"
    }

    /// Column label: "0–7 days", "8–14 days" … "> 28 days".
    public static func columnLabel(_ b: KnoxBands, _ c: Int) -> String {
        let (lo, hi) = b.columnRange(c)
        guard let hi else { return "> \(lo - 1) days" }
        return "\(lo)–\(hi) days"
    }

    /// knox.csv: one row per cell, rows of the table first.
    static func table(_ k: KnoxResult) -> Table {
        let b = k.bands
        var t = Table(columns: ["distance_band", "distance_from_m", "distance_to_m", "time_band", "days_from", "days_to",
                                "observed", "expected", "expected_sd", "exact_expected", "knox_ratio", "pseudo_p", "near_repeat"])
        for r in 0..<b.rows {
            let (lo, hi) = b.rowRange(r)
            for c in 0..<b.columns {
                let k0 = r * b.columns + c, (dlo, dhi) = b.columnRange(c)
                t.rows.append([.string(rowLabel(b, r)), .double(lo, decimals: nil), hi.isFinite ? .double(hi, decimals: nil) : .null,
                               .string(columnLabel(b, c)), .int(dlo), dhi.map { .int($0) } ?? .null,
                               .int(k.observed[k0]), .double(k.expected[k0], decimals: 3), .double(k.expectedSD[k0], decimals: 3),
                               .double(k.exact[k0], decimals: 3), .double(k.ratio[k0], decimals: 3), .double(k.pseudoP[k0], decimals: 4),
                               .string(k.significant[k0] ? "yes" : "no")])
            }
        }
        return t
    }

    /// The Knox ratios as a heat table: shaded by how far the ratio is above 1 (2 or more: darkest), the
    /// near-repeat bands outlined.
    static func chart(_ k: KnoxResult) -> HeatTable {
        let b = k.bands
        let text = k.ratio.indices.map { i in k.ratio[i].isFinite ? Fmt.fixed(k.ratio[i], 2) : "–" }
        let shade = k.ratio.map { $0.isFinite ? min(1, max(0, $0 - 1)) : .nan }
        let inside = NearRepeatJob.bandsTested(k), found = k.significant.count { $0 }
        return HeatTable(title: "Knox ratios: observed / expected pairs of \(k.n) incidents",
                         rowTitle: "distance apart", columnTitle: "time apart",
                         rows: (0..<b.rows).map { rowLabel(b, $0) }, columns: (0..<b.columns).map { columnLabel(b, $0) },
                         text: text, shade: shade, marked: k.significant,
                         note: "Outlined, bold: near-repeat bands (pseudo p ≤ \(Fmt.number(k.alpha)) from \(k.permutations) permutations, ratio > 1): \(found) of \(inside);\n"
                            + "chance alone would pass about \(Fmt.fixed(Double(inside) * k.alpha, 1)). \(Fmt.fixed(k.nearRepeatShare * 100, 1))% of incidents are in a near-repeat pair.")
    }

    /// The bands inside both limits (neither "beyond" row or column): the ones tested for near repeats.
    static func bandsTested(_ k: KnoxResult) -> Int {
        k.bands.columns * k.bands.rows - k.bands.rows - k.bands.columns + 1
    }

    /// The near-repeat pairs' ends in lon/lat and their properties.
    static func pairs(_ k: KnoxResult, _ t: IncidentTable, set: OutputSet) throws -> ([XY], [XY], Table) {
        var x = k.nearPairs.flatMap { [t.x[Int($0.first)], t.x[Int($0.second)]] }
        var y = k.nearPairs.flatMap { [t.y[Int($0.first)], t.y[Int($0.second)]] }
        if !x.isEmpty { _ = try set.toWGS84().transform(x: &x, y: &y) }
        let b = k.bands
        var props = Table(columns: ["id", "dist_band", "time_band", "metres", "days", "date_a", "date_b"])
        var from: [XY] = [], to: [XY] = []
        for (i, p) in k.nearPairs.enumerated() {
            let a = Int(p.first), c = Int(p.second)
            from.append(XY(x[2 * i], y[2 * i])); to.append(XY(x[2 * i + 1], y[2 * i + 1]))
            let dx = t.x[a] - t.x[c], dy = t.y[a] - t.y[c]
            props.rows.append([.int(i + 1), .string(rowLabel(b, Int(p.cell) / b.columns)), .string(columnLabel(b, Int(p.cell) % b.columns)),
                               .double((dx * dx + dy * dy).squareRoot(), decimals: 1), .int(abs(Int(t.day[a]) - Int(t.day[c]))),
                               .string(CivilDate.dayLabel(Int(t.day[a]))), .string(CivilDate.dayLabel(Int(t.day[c])))])
        }
        return (from, to, props)
    }
}
