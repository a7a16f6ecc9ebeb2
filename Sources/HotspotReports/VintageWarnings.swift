import Foundation
import HotspotCore
import HotspotIO

/// Warnings when the rows a command combines cross a police.uk data-vintage break (`DataVintage`): the July 2022
/// refresh of the anonymous map points, and a mix of 2011 and 2021 LSOA codes in the `LSOA code` column. Only
/// police.uk street files count (their `format` is `policeuk`): a mapped CSV's points are not police.uk's.
public enum VintageWarnings {
    /// What every vintage warning contains (`ProjectJob` adds the run-wide ones only when no product gave one).
    static let markers = ["July 2022 refresh", "2011 and 2021 LSOA codes"]

    /// Whether `warning` is one of these.
    static func isVintage(_ warning: String) -> Bool { markers.contains { warning.contains($0) } }

    /// The rows `keep` keeps (all when nil) of police.uk street files: incidents per month ordinal, and the LSOA
    /// code counts of each file's months among them.
    static func evidence(_ inc: LoadedIncidents, keep: ((Int) -> Bool)?) -> (months: [Int: Int], lsoa: [Int: DataVintage.CodeCounts]) {
        let t = inc.table
        let street = inc.files.map { $0.format.hasPrefix(IncidentFormat.policeuk.rawValue) }
        var months: [Int: Int] = [:]
        var seen = Set<Int>()  // file index · 2^20 + month ordinal
        for i in 0..<t.count where street[Int(t.sourceFile[i])] && (keep?(i) ?? true) {
            let m = CivilDate.monthOrdinal(ofDay: Int(t.day[i]))
            months[m, default: 0] += 1
            seen.insert(Int(t.sourceFile[i]) << 20 | m)
        }
        var lsoa: [Int: DataVintage.CodeCounts] = [:]
        for k in seen {
            let f = k >> 20, m = k & (1 << 20 - 1)
            if let c = inc.files[f].lsoaCodes?[CivilDate.monthLabel(m)] { lsoa[m, default: .init()].merge(c) }
        }
        return (months, lsoa)
    }

    /// The warnings for the rows `keep` keeps (all when nil), e.g. `inspect`'s, `emerging`'s.
    public static func warnings(_ inc: LoadedIncidents, keep: ((Int) -> Bool)? = nil) -> [String] {
        let (months, lsoa) = evidence(inc, keep: keep)
        var out: [String] = []
        if let s = DataVintage.refreshSplit(months) {
            out.append("the incidents span police.uk's July 2022 refresh of its anonymous map points (\(Fmt.counted(s.nBefore, "incident")) of \(range(s.before)) before it, \(Fmt.grouped(s.nAfter)) of \(range(s.after)) after): counts per map point, cell or area either side differ by the anonymisation as well as by crime; analyse or compare months on one side only (to 2022-06, or from 2022-07)")
        }
        if let w = lsoaWarning(lsoa) { out.append(w) }
        return out
    }

    /// `compare`'s and `profile`'s: the periods (`periodOf[i]`: incident i's period, −1 none) either side of the
    /// refresh, or straddling it; the LSOA codes of the rows in the periods.
    public static func compareWarnings(_ inc: LoadedIncidents, periods: [Period], periodOf: [Int]) -> [String] {
        var out: [String] = []
        let months = periods.indices.map { k in evidence(inc, keep: { periodOf[$0] == k }).months.keys }
        let before = periods.indices.filter { months[$0].contains { $0 < DataVintage.mapPointRefresh } }
        let after = periods.indices.filter { months[$0].contains { $0 >= DataVintage.mapPointRefresh } }
        let across = before.filter(after.contains)
        if !across.isEmpty || (!before.isEmpty && !after.isEmpty) {
            let names = { (ks: [Int]) in ks.map { periods[$0].name }.joined(separator: ", ") }
            let sides = [(names(before.filter { !across.contains($0) }), "before it"), (names(after.filter { !across.contains($0) }), "after it"),
                         (names(across), "across it")].filter { !$0.0.isEmpty }
            out.append("the periods lie on different sides of police.uk's July 2022 refresh of its anonymous map points (\(sides.map { "\($0.0) \($0.1)" }.joined(separator: "; "))): their incidents sit on different sets of map points, so counts per map point, cell or area differ by the anonymisation as well as by crime; compare periods on one side only (all to 2022-06, or all from 2022-07)")
        }
        if let w = lsoaWarning(evidence(inc, keep: { periodOf[$0] >= 0 }).lsoa) { out.append(w) }
        return out
    }

    /// The LSOA-code warning, or nil when the rows do not mix the 2011 and 2021 sets as far as their codes and
    /// months tell.
    static func lsoaWarning(_ lsoa: [Int: DataVintage.CodeCounts]) -> String? {
        guard let x = DataVintage.lsoaMix(lsoa) else { return nil }
        let have = { (n: Int, what: String) in n == 1 ? "has a \(what)" : "have \(what)s" }
        let new = "\(Fmt.counted(x.rows2021, "row")) of \(range(x.months2021)) \(have(x.rows2021, "code")) created in 2021, \(x.examples2021.joined(separator: ", "))"
        var old = ""
        if x.retired2011 > 0 { old = "\(Fmt.grouped(x.retired2011)) \(have(x.retired2011, "2011 code")) retired in 2021, \(x.examples2011.joined(separator: ", "))" }
        else if let m = x.monthsBefore2023 { old = "\(Fmt.grouped(x.rowsBefore2023)) are of \(range(m)), months police.uk published with 2011 codes" }
        return "the 'LSOA code' column mixes 2011 and 2021 LSOA codes (\(new); \(old)): hotspot's own tables are not affected (they count by the --areas boundaries, not by this column), but a table made from the column would count two sets of areas as one; translate the codes through the ONS LSOA (2011) to LSOA (2021) lookup first (hotspot fetch boundaries --lsoa11-lookup fetches it), or count by boundary with --areas lsoa=FILE"
    }

    static func range(_ r: ClosedRange<Int>) -> String {
        r.lowerBound == r.upperBound ? CivilDate.monthLabel(r.lowerBound) : "\(CivilDate.monthLabel(r.lowerBound))…\(CivilDate.monthLabel(r.upperBound))"
    }
}
