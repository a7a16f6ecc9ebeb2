import HotspotCore
import HotspotIO

/// Disproportionality: searches per 1,000 residents of each census group and its ratio to the White group's rate.
///
/// rate = searches / residents × 1000; ratio RR = rate(group) / rate(White), 95 % interval by the Katz log method,
/// exp(ln RR ± 1.96·√(1/a + 1/b)) for the groups' counts a and b with residents as fixed denominators (Katz et al.
/// 1978; `RateRatio`). Small counts are suppressed: a count of 1 … K−1 is shown as "<K" with no rate or ratio, and
/// when White's count is suppressed no ratio of that area is shown (each would give White's count away).
/// Residents are not the population available to be stopped: people travel into town centres and along main roads,
/// so a ward's ratio compares searches with who lives there, not with who is there.
public enum StopsRatios {
    public static let caveat = "Rates are searches per 1,000 residents (Census 2011 ethnicity): residents are not the population available to be stopped, since people travel into town centres, stations and main roads, as the Home Office's own statistics on stop and search say; a ratio compares searches with who lives in an area, not with who is there."

    public static func table(_ scopes: [StopsScope], _ t: StopSearchTable, suppressBelow k: Int, searchType: String = "All") -> Table {
        var out = Table(columns: ["scope", "area_id", "area_name", "ethnicity", "group", "searches", "population",
                                  "rate_per_1000", "ratio_to_white", "ci_low", "ci_high", "suppressed", "search_type"])
        let measures: [(String, StopSearchTable.Column, (String) -> StopsCodes.Ethnicity)] = [
            ("officer_defined", t.column("Officer-defined ethnicity"), StopsCodes.officer),
            ("self_defined", t.column("Self-defined ethnicity"), StopsCodes.selfDefined)]
        for s in scopes where s.population.contains(where: { $0 != nil }) {
            for (name, col, map) in measures {
                let ng = StopsCodes.groups.count
                let codeGroup: [Int] = col.values.map { if case .group(let g) = map($0) { return g }; return ng }
                var n = [[Int]](repeating: [Int](repeating: 0, count: ng + 1), count: s.ids.count)
                for i in 0..<t.count where s.member[i] >= 0 { n[Int(s.member[i])][codeGroup[Int(col.codes[i])]] += 1 }
                for a in s.ids.indices {
                    guard let pop = s.population[a] else { continue }
                    out.rows += rows(scope: s, area: a, measure: name, counts: n[a], population: pop, k: k).map { $0 + [.string(searchType)] }
                }
            }
        }
        return out
    }

    static func small(_ n: Int, _ k: Int) -> Bool { k > 1 && n >= 1 && n < k }

    static func rows(scope s: StopsScope, area a: Int, measure: String, counts n: [Int], population pop: [Double], k: Int) -> [[Value]] {
        var out: [[Value]] = []
        let whiteHidden = small(n[0], k)
        for g in 0...StopsCodes.groups.count {
            let label = g < StopsCodes.groups.count ? StopsCodes.groups[g] : "not recorded or unknown"
            let hidden = small(n[g], k)
            var row: [Value] = [.string(s.name), .string(s.ids[a]), .string(s.names[a]), .string(measure), .string(label),
                                hidden ? .string("<\(k)") : .int(n[g])]
            guard g < StopsCodes.groups.count else {
                out.append(row + [.null, .null, .null, .null, .null, .string(hidden ? "yes" : "no")]); continue
            }
            row.append(.double(pop[g], decimals: nil))
            let rate = pop[g] > 0 && !hidden ? Double(n[g]) / pop[g] * 1000 : nil
            row.append(StopsTables.opt(rate, 3))
            let rr = hidden || whiteHidden ? nil : RateRatio(a: n[g], popA: pop[g], b: n[0], popB: pop[0])
            row += [StopsTables.opt(rr?.ratio, 3), StopsTables.opt(rr?.low, 3), StopsTables.opt(rr?.high, 3),
                    .string(hidden ? "yes" : whiteHidden ? "white count suppressed" : "no")]
            out.append(row)
        }
        return out
    }
}
