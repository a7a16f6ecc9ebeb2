import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

extension StopsJob {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// "March–September 2018", "June 2018", "November 2018 – February 2019" for months `a`…`b` (ordinals).
    static func monthsLabel(_ a: Int, _ b: Int) -> String {
        let (ya, ma, yb, mb) = (a / 12, a % 12, b / 12, b % 12)
        if a == b { return "\(monthNames[ma]) \(ya)" }
        return ya == yb ? "\(monthNames[ma])–\(monthNames[mb]) \(yb)" : "\(monthNames[ma]) \(ya) – \(monthNames[mb]) \(yb)"
    }

    /// The summary pages (`stops-summary.svg`, `.pdf`, `.png` as asked): one for the analysed window, or one per
    /// `periods` entry (each analysed as if --from/--to were that period, within any --from/--to given), named
    /// `stops-summary-FROM_TO`, and one PDF of them all. Returns the files written.
    static func writePages(_ r: Result, _ p: Project, job: JobInputs, command: String, set: OutputSet) throws -> [String] {
        let req = p.products.stops ?? .init()
        guard !req.pages.isEmpty else { return [] }
        let shapes = job.layers.first.map { l in LondonContextPage.shapes(l.areas.map(\.geometry), box: StopsSummaryPage.mapBox) }
        var names: [String] = []
        if req.periods.isEmpty {
            try set.write("stops-summary.svg", page(r, p, job: job, months: nil, shapes: shapes, command: command).svg())
            names.append("stops-summary")
        }
        for period in req.periods {
            var q = p
            q.read.selection.from = max(p.read.selection.from ?? .min, period.first)
            q.read.selection.to = min(p.read.selection.to ?? .max, period.last)
            let rp = try analyse(q, job: job, t: r.table, request: req)
            let months = (CivilDate.monthOrdinal(ofDay: period.first), CivilDate.monthOrdinal(ofDay: period.last))
            let name = "stops-summary-" + period.name.replacingOccurrences(of: "..", with: "_")
            try set.write(name + ".svg", page(rp, p, job: job, months: months, shapes: shapes, command: command).svg())
            names.append(name)
        }
        return try ContextJob.render([("stops-summary", names)], formats: req.pages, into: set)
    }

    /// The page of one analysis: `months` (first and last ordinal) for a given period, nil for the months searched.
    static func page(_ r: Result, _ p: Project, job: JobInputs, months: (Int, Int)?, shapes: [LondonContextPage.Shape?]?, command: String) -> StopsSummaryPage {
        let req = p.products.stops ?? .init(), t = r.table, b = r.scopes[0]
        let rows = (0..<t.count).filter { b.member[$0] >= 0 }
        let (first, last) = months ?? monthRange(t, rows)
        let place = req.place ?? job.boundary.map { (($0.source.path as NSString).lastPathComponent as NSString).deletingPathExtension }
        let layer = job.layers.first
        let perArea = layer.flatMap { l in r.scopes.first { $0.name == l.name } }.map(StopsTables.totals) ?? []
        let areas = (shapes ?? []).enumerated().map { (shape: $0.element, searches: perArea[$0.offset]) }
        let files = Set(stopFiles(p).map { ($0 as NSString).lastPathComponent }).sorted()
        return StopsSummaryPage(
            title: "Stop and search\(place.map { " in \($0)" } ?? ""), \(monthsLabel(first, last))",
            subtitle: "police.uk stop-and-search records\(job.boundary == nil ? "" : " inside the boundary") · find rates with Wilson 95 % intervals · ratios to the White rate with Katz 95 % intervals",
            headlines: headlines(r), months: (first...last).map(CivilDate.monthLabel), series: monthlySeries(r, first, last),
            objects: tally(t, rows, "Object of search"), outcomes: tally(t, rows, "Outcome"), areas: areas,
            mapTitle: layer.map { "Searches per area of layer '\($0.name)' (located searches; quintiles)" } ?? "Searches per area",
            ratioTitle: "Disproportionality\(place.map { ", \($0)" } ?? "") (officer-defined ethnicity)", ratios: ratioRows(r), ratioNote: ratioNote(r, req),
            caveat: "Residents are not the population available to be stopped: people travel into town centres, stations and along main roads, so these ratios compare searches with who lives here, not with who is here (as the Home Office's statistics say).",
            sources: ["Contains public sector information licensed under the Open Government Licence v3.0 (police.uk stop and search: \(files.count == 1 ? files[0] : "\(files.count) files, \(files.first ?? "")…\(files.last ?? "")"))."]
                + (req.populationByGroup.isEmpty && layer == nil ? [] : ["Contains National Statistics data © Crown copyright and database right (census); boundaries © Crown copyright and database right."]),
            command: withoutOut(command))
    }

    /// The command as the page shows it: without its `--out FOLDER` (where the page was written says nothing about
    /// it, and the same command into another folder draws the same page). `metadata.json` keeps it whole.
    static func withoutOut(_ command: String) -> String {
        command.replacingOccurrences(of: #" --out(=| )('[^']*'|\S+)"#, with: "", options: .regularExpression)
    }

    /// The first and last month (ordinals) of the searches `rows`; when there are none, of every search read (the
    /// page of an empty selection still names months, the same on every run).
    static func monthRange(_ t: StopSearchTable, _ rows: [Int]) -> (Int, Int) {
        let days = rows.isEmpty ? t.day.map { Int($0) } : rows.map { Int(t.day[$0]) }
        let m = days.map(CivilDate.monthOrdinal(ofDay:))
        return (m.min() ?? 1970 * 12, m.max() ?? 1970 * 12)
    }

    /// Searches per month `first`…`last`: all, then one series per search type (as monthly.svg).
    static func monthlySeries(_ r: Result, _ first: Int, _ last: Int) -> [(String, [Double?])] {
        let t = r.table, b = r.scopes[0], type = t.column("Type")
        let types = type.values.filter { !$0.isEmpty }.sorted()
        var all = [Double](repeating: 0, count: last - first + 1), byType = [[Double]](repeating: all, count: types.count)
        for i in 0..<t.count where b.member[i] >= 0 {
            let m = CivilDate.monthOrdinal(ofDay: Int(t.day[i])) - first
            guard m >= 0 && m < all.count else { continue }
            all[m] += 1
            if let k = types.firstIndex(of: type.text(i)) { byType[k][m] += 1 }
        }
        return [("All searches", all.map { $0 })] + zip(types, byType).map { ($0, $1.map { $0 }) }
    }

    /// Searches per value of `column` (blank: "(blank)"), largest first, ties by name.
    static func tally(_ t: StopSearchTable, _ rows: [Int], _ column: String) -> [(String, Int)] {
        let c = t.column(column)
        var n: [String: Int] = [:]
        for i in rows { n[c.text(i).isEmpty ? "(blank)" : c.text(i), default: 0] += 1 }
        return n.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value) }
    }

    /// Searches, without a location, and the borough's two find rates.
    static func headlines(_ r: Result) -> [StopsSummaryPage.Headline] {
        let type = r.table.column("Type"), b = r.scopes[0]
        var byType: [String: Int] = [:]
        for i in 0..<r.table.count where b.member[i] >= 0 { byType[type.text(i).isEmpty ? "(blank)" : type.text(i), default: 0] += 1 }
        var out = [StopsSummaryPage.Headline(value: Fmt.grouped(r.inScope), label: "searches",
                                             detail: byType.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: " search", with: "")) \(Fmt.grouped($0.value))" }.joined(separator: " · ")),
                   .init(value: Fmt.grouped(r.noLocation), label: "without a location", detail: "kept in the tables' 'no location' rows, in no rate")]
        for row in r.findRates.rows where row[1] == .string("borough") && row[3] == .string("All") && row[10] == .string("All") {
            guard case .int(let k) = row[5], case .int(let n) = row[6] else { continue }
            let w = WilsonInterval(k: k, n: n), found = row[4] == .string("found")
            let label = found ? "outcome other than no further action" : "outcome linked to the object of search"
            if let s = w.share, let lo = w.low, let hi = w.high {
                out.append(.init(value: Fmt.fixed(s * 100, 1) + " %", label: label,
                                 detail: "\(Fmt.grouped(k)) of \(Fmt.grouped(n)); 95 % CI \(Fmt.fixed(lo * 100, 1))–\(Fmt.fixed(hi * 100, 1)) % (Wilson)"))
            } else {
                out.append(.init(value: "n/a", label: label, detail: "not recorded in these data (n = 0)"))
            }
        }
        return out
    }

    /// The borough's officer-defined rows of the first population measure (search type All), formatted.
    static func ratioRows(_ r: Result) -> [StopsSummaryPage.RatioRow] {
        let rows = r.ratios.rows.filter { $0[1] == .string("borough") && $0[3] == .string("officer_defined") && $0[12] == .string("All") }
        let firstMeasure = rows.first.map { $0.count > 13 ? $0[13] : .null }
        func s(_ v: Value, _ d: Int) -> String {
            switch v {
            case .int(let i): return Fmt.grouped(i)
            case .double(let x, _): return !x.isFinite ? "–" : d == 0 && abs(x) < 1e15 ? Fmt.grouped(Int(x.rounded())) : Fmt.fixed(x, d)
            case .string(let t): return t
            default: return "–"
            }
        }
        return rows.filter { ($0.count > 13 ? $0[13] : .null) == firstMeasure && $0[4] != .string("Mixed") }.map { row in
            let ci = row[9] == .null ? "–" : "\(s(row[9], 2))–\(s(row[10], 2))"
            return .init(group: s(row[4], 0), searches: s(row[5], 0), residents: s(row[6], 0), rate: s(row[7], 2),
                         ratio: row[4] == .string("White") && row[8] != .null ? "1.00" : s(row[8], 2), interval: row[4] == .string("White") ? "" : ci)
        }
    }

    /// What the table is, the first measure's file, suppression, and the borough's ratios under the other measures.
    static func ratioNote(_ r: Result, _ req: Project.StopsRequest) -> String {
        let borough = r.ratios.rows.filter { $0[1] == .string("borough") && $0[3] == .string("officer_defined") && $0[12] == .string("All") }
        guard case .string(let first) = borough.first?[13] ?? .null else { return "" }
        let file = ((req.populationByGroup[first] ?? req.populationTotals[first] ?? first) as NSString).lastPathComponent
        let others = StopsMeasures.summaryLines(borough.filter { $0[13] != .string(first) }).map { $0.replacingOccurrences(of: " (disproportionality-measures.csv)", with: "") }
        return "Searches per 1,000 residents of each census group (\(first == StopsMeasures.layer(of: first) ? file : "\(first): \(file)")), officer-defined ethnicity mapped to the census groups (officers record no Mixed, left out here); ratio to the White group's rate with a Katz log 95 % interval; \(req.suppressBelow > 1 ? "counts of 1 to \(req.suppressBelow - 1) shown as <\(req.suppressBelow) with no rate or ratio" : "no counts suppressed"). All groups and areas: disproportionality.csv." + others.map { " " + $0 }.joined()
    }
}
