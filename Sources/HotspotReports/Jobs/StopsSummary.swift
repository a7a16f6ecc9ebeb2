import HotspotCore
import HotspotIO

extension StopsJob {
    /// summary.txt: what was read and analysed, by type, the borough's find rates and its ratios (officer-defined),
    /// and the caveat on residents.
    static func summaryText(_ r: Result) -> String {
        var lines = ["Stop and search: \(Fmt.grouped(r.inScope)) searches analysed of \(Fmt.grouped(r.read)) read"
                     + " (\(Fmt.grouped(r.noLocation)) without a location: counted in every table's 'no location' row, in no area's or the borough's rates;"
                     + " \(Fmt.grouped(r.outsideBoundary)) outside the boundary; \(Fmt.grouped(r.notSelected)) outside --from/--to/--type)."]
        let b = r.scopes[0], type = r.table.column("Type")
        var byType: [String: Int] = [:]
        for i in 0..<r.table.count where b.member[i] >= 0 { byType[type.text(i), default: 0] += 1 }
        lines.append("By type: " + byType.sorted { $0.key < $1.key }.map { "\($0.key.isEmpty ? "(blank)" : $0.key) \(Fmt.grouped($0.value))" }.joined(separator: ", ") + ".")
        for row in r.findRates.rows where row[1] == .string("borough") && row[3] == .string("All") {
            guard case .int(let k) = row[5], case .int(let n) = row[6] else { continue }
            let w = WilsonInterval(k: k, n: n)
            let what = row[4] == .string("found") ? "Outcome other than no further action" : "Outcome linked to the object of search"
            if let s = w.share, let lo = w.low, let hi = w.high {
                lines.append("\(what): \(Fmt.grouped(k)) of \(Fmt.grouped(n)) = \(Fmt.fixed(s * 100, 1)) % (95 % CI \(Fmt.fixed(lo * 100, 1))–\(Fmt.fixed(hi * 100, 1)) %, Wilson).")
            } else {
                lines.append("\(what): not recorded in these data (n = 0).")
            }
        }
        let boroughRows = r.ratios.rows.filter { $0[1] == .string("borough") && $0[3] == .string("officer_defined") && $0[12] == .string("All") }
        let first = boroughRows.first?[13]
        for row in boroughRows where row[13] == first {
            guard case .string(let g) = row[4], g != "White", g != "not recorded or unknown" else { continue }
            if case .double(let rr, _) = row[8], case .double(let lo, _) = row[9], case .double(let hi, _) = row[10] {
                lines.append("\(g) residents searched at \(Fmt.fixed(rr, 2)) times the White rate (95 % CI \(Fmt.fixed(lo, 2))–\(Fmt.fixed(hi, 2)), Katz; officer-defined ethnicity).")
            }
        }
        lines += StopsMeasures.summaryLines(boroughRows.filter { $0[13] != first })
        if r.ratios.rows.isEmpty { lines.append("No disproportionality ratios: give residents by group with --population-by-group NAME=FILE.") }
        lines.append(StopsRatios.caveat)
        return lines.joined(separator: "\n") + "\n"
    }
}
