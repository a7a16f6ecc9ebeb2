import HotspotCore
import HotspotIO

/// The areas searches are counted in: the borough (one row: every search in the boundary, or every search without
/// one, located or not) or a layer's areas plus "no_location" (no coordinates) and "outside" (located, in no area).
public struct StopsScope: Sendable {
    public var name: String
    public var ids: [String], names: [String]
    /// Per row of the table: index into `ids`, or -1 (not in this scope: not selected, or outside the boundary).
    public var member: [Int32]
    /// Residents per census group (`StopsCodes.groups` order) per id, where known.
    public var population: [[Double]?]

    public init(name: String, ids: [String], names: [String], member: [Int32], population: [[Double]?]) {
        self.name = name; self.ids = ids; self.names = names; self.member = member; self.population = population
    }
}

public enum StopsTables {
    /// counts-SCOPE.csv: one row per area × attribute × value with searches > 0 (values sorted by their text; a
    /// blank cell is "(blank)"; unknown spellings appear under their own text).
    public static func counts(_ s: StopsScope, _ t: StopSearchTable) -> Table {
        var out = Table(columns: ["area_id", "area_name", "attribute", "value", "searches"])
        var cells: [[[Int]]] = t.columns.map { c in [[Int]](repeating: [Int](repeating: 0, count: c.values.count), count: s.ids.count) }
        for i in 0..<t.count where s.member[i] >= 0 {
            for (k, c) in t.columns.enumerated() { cells[k][Int(s.member[i])][Int(c.codes[i])] += 1 }
        }
        for a in s.ids.indices {
            for (k, c) in t.columns.enumerated() {
                let order = c.values.indices.sorted { c.values[$0] < c.values[$1] }
                for v in order where cells[k][a][v] > 0 {
                    out.rows.append([.string(s.ids[a]), .string(s.names[a]), .string(snakeCase(c.name)),
                                     .string(c.values[v].isEmpty ? "(blank)" : c.values[v]), .int(cells[k][a][v])])
                }
            }
        }
        return out
    }

    /// The searches per area (every attribute's total), for the layer's properties.
    public static func totals(_ s: StopsScope) -> [Int] {
        var n = [Int](repeating: 0, count: s.ids.count)
        for m in s.member where m >= 0 { n[Int(m)] += 1 }
        return n
    }

    /// Find rates per area and object of search ("All" first): measure `found` (k = outcomes other than no
    /// further action, n = searches with a known outcome) and `linked` (k = "Outcome linked to object of search"
    /// True, n = True or False), each with its Wilson 95 % interval.
    public static func findRates(_ s: StopsScope, _ t: StopSearchTable, searchType: String = "All") -> Table {
        var out = Table(columns: ["scope", "area_id", "area_name", "object_of_search", "measure", "k", "n", "share", "ci_low", "ci_high", "search_type"])
        let obj = t.column("Object of search"), outcome = t.column("Outcome"), link = t.column("Outcome linked to object of search")
        let objects = obj.values.indices.sorted { obj.values[$0] < obj.values[$1] }
        let found = outcome.values.map(StopsCodes.found), linked = link.values.map(StopsCodes.linked)
        // [area][object + 1 (0 = All)][found k, found n, linked k, linked n]
        var c = [[[Int]]](repeating: [[Int]](repeating: [0, 0, 0, 0], count: obj.values.count + 1), count: s.ids.count)
        for i in 0..<t.count where s.member[i] >= 0 {
            let a = Int(s.member[i])
            for o in [0, Int(obj.codes[i]) + 1] {
                if let f = found[Int(outcome.codes[i])] { c[a][o][1] += 1; if f { c[a][o][0] += 1 } }
                if let l = linked[Int(link.codes[i])] { c[a][o][3] += 1; if l { c[a][o][2] += 1 } }
            }
        }
        for a in s.ids.indices {
            for o in [0] + objects.map({ $0 + 1 }) where c[a][o][1] + c[a][o][3] > 0 || o == 0 {
                let label = o == 0 ? "All" : (obj.values[o - 1].isEmpty ? "(blank)" : obj.values[o - 1])
                for (m, name) in [(0, "found"), (2, "linked")] {
                    let w = WilsonInterval(k: c[a][o][m], n: c[a][o][m + 1])
                    out.rows.append([.string(s.name), .string(s.ids[a]), .string(s.names[a]), .string(label), .string(name),
                                     .int(w.k), .int(w.n), opt(w.share, 4), opt(w.low, 4), opt(w.high, 4), .string(searchType)])
                }
            }
        }
        return out
    }

    /// `s` restricted to the searches whose Type is `type` (--by-type).
    public static func only(_ s: StopsScope, _ t: StopSearchTable, type: String) -> StopsScope {
        var r = s
        let c = t.column("Type")
        for i in 0..<t.count where c.text(i) != type { r.member[i] = -1 }
        return r
    }

    /// type-test.csv: per area, the find rate (`found`, all objects) of person searches against person-and-vehicle
    /// searches, with the two-proportion z test (`TwoProportionTest`).
    public static func typeTest(_ scopes: [StopsScope], _ t: StopSearchTable, first: String, second: String) -> Table {
        var out = Table(columns: ["scope", "area_id", "area_name", "type_a", "k_a", "n_a", "share_a", "type_b", "k_b", "n_b", "share_b",
                                  "difference", "z", "p_value"])
        for s in scopes {
            let a = findRates(only(s, t, type: first), t), b = findRates(only(s, t, type: second), t)
            let pick: (Table) -> [[Value]] = { $0.rows.filter { $0[3] == .string("All") && $0[4] == .string("found") } }
            for (ra, rb) in zip(pick(a), pick(b)) {
                guard case .int(let ka) = ra[5], case .int(let na) = ra[6], case .int(let kb) = rb[5], case .int(let nb) = rb[6] else { continue }
                let test = TwoProportionTest(k1: ka, n1: na, k2: kb, n2: nb)
                out.rows.append([ra[0], ra[1], ra[2], .string(first), .int(ka), .int(na), ra[7], .string(second), .int(kb), .int(nb), rb[7],
                                 opt(test.difference, 4), opt(test.z, 3), opt(test.p, 4)])
            }
        }
        return out
    }

    static func opt(_ v: Double?, _ d: Int) -> Value { v.map { .double($0, decimals: d) } ?? .null }
}
