import HotspotCore
import HotspotIO

/// A measure of the population by group for the areas of one layer: a census table as given
/// (`--population-by-group LAYER[:NAME]=FILE`), or one table's group shares applied to another table's totals
/// (`--population-totals LAYER:NAME=FILE`: residents[area][g] = total[area] × shares[area][g], the shares being
/// residents[area][g] / Σ residents[area] of the layer's first by-group measure, e.g. the 2011 census's group shares
/// applied to Census 2021 ward totals).
public struct PopulationMeasure: Sendable {
    /// `wards`, `wards:census2021`: the name in disproportionality.csv's `population_measure` column.
    public var name: String, layer: String
    /// Area id → residents per group (`StopsCodes.groups` order).
    public var byArea: [String: [Double]]
    /// What it is, for metadata.json: the file, or "shares of M × totals of FILE".
    public var source: String
}

public enum StopsMeasures {
    /// `wards:census2021` → `wards`.
    public static func layer(of key: String) -> String { String(key.split(separator: ":", maxSplits: 1).first ?? "") }

    /// The measures of a request in the order of their layers in `layers` (as --areas gives them): the by-group
    /// tables in key order, then the share-times-totals ones in key order. The first is the one summary.txt and
    /// the page report.
    public static func load(_ req: Project.StopsRequest, layers: [String]) throws -> [PopulationMeasure] {
        let rank = { (m: PopulationMeasure) in layers.firstIndex(of: m.layer) ?? layers.count }
        return try load(req).enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    static func load(_ req: Project.StopsRequest) throws -> [PopulationMeasure] {
        var out: [PopulationMeasure] = []
        for (key, path) in req.populationByGroup.sorted(by: { $0.key < $1.key }) {
            out.append(.init(name: key, layer: layer(of: key), byArea: try GroupPopulationReader.read(path), source: path))
        }
        for (key, path) in req.populationTotals.sorted(by: { $0.key < $1.key }) {
            guard req.populationByGroup[key] == nil else { throw InputError.unusable("population measure \(key) is given twice (by group and as totals): name the totals' measure apart, e.g. \(layer(of: key)):census2021") }
            guard let shares = out.first(where: { $0.layer == layer(of: key) }) else {
                throw InputError.unusable("--population-totals \(key)=…: layer \(layer(of: key)) has no residents by group to take the shares from (give --population-by-group \(layer(of: key))=FILE)")
            }
            let totals = try PopulationReader.read(path: path)
            out.append(.init(name: key, layer: layer(of: key), byArea: scaled(shares.byArea, totals: totals),
                             source: "group shares of \(shares.name) × totals of \(path)"))
        }
        return out
    }

    /// residents[a][g] = total[a] × shares[a][g] / Σ shares[a] for every area in both tables (an area whose shares sum
    /// to 0 gets none).
    public static func scaled(_ shares: [String: [Double]], totals: [String: Double]) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for (id, s) in shares {
            let sum = s.reduce(0, +)
            guard let total = totals[id], sum > 0 else { continue }
            out[id] = s.map { total * $0 / sum }
        }
        return out
    }

    /// disproportionality.csv: for each measure, the borough (the sum of its layer's areas), then for each measure its
    /// layer's areas; `population_measure` names the measure. `scopes` are the analysis' scopes (borough first).
    public static func ratios(_ scopes: [StopsScope], _ measures: [PopulationMeasure], _ t: StopSearchTable, suppressBelow k: Int,
                              searchType: String = "All") -> Table {
        var out = StopsRatios.table([], t, suppressBelow: k)
        out.columns.append("population_measure")
        var areaRows: [[Value]] = []
        for m in measures {
            guard let l = scopes.first(where: { $0.name == m.layer }) else { continue }
            var layerScope = l
            layerScope.population = l.ids.enumerated().map { a, id in a < l.ids.count - 2 ? m.byArea[id] : nil }
            var borough = scopes[0]
            let sum = layerScope.population.compactMap { $0 }.reduce([0, 0, 0, 0, 0]) { zip($0, $1).map { $0 + $1 } }
            borough.population = [layerScope.population.contains { $0 != nil } ? sum : nil, nil]
            out.rows += StopsRatios.table([borough], t, suppressBelow: k, searchType: searchType).rows.map { $0 + [.string(m.name)] }
            areaRows += StopsRatios.table([layerScope], t, suppressBelow: k, searchType: searchType).rows.map { $0 + [.string(m.name)] }
        }
        out.rows += areaRows
        return out
    }

    /// disproportionality-measures.csv: the borough's rows (search type All) with every measure side by side — per
    /// ethnicity and group the searches, then per measure its residents, rate, ratio to White and interval.
    public static func sideBySide(_ ratios: Table) -> Table {
        var names: [String] = []
        for r in ratios.rows { if case .string(let m) = r[13], !names.contains(m) { names.append(m) } }
        var out = Table(columns: ["ethnicity", "group", "searches"] + names.flatMap { m in
            ["population", "rate_per_1000", "ratio_to_white", "ci_low", "ci_high"].map { "\(m)_\($0)" } })
        let rows = ratios.rows.filter { $0[1] == .string("borough") && $0[12] == .string("All") }
        var keys: [[Value]] = []
        for r in rows where !keys.contains([r[3], r[4]]) { keys.append([r[3], r[4]]) }
        for key in keys {
            let mine = rows.filter { [$0[3], $0[4]] == key }
            var row = key + [mine.first?[5] ?? .null]
            for m in names {
                let r = mine.first { $0[13] == .string(m) }
                row += r.map { Array($0[6...10]) } ?? [.null, .null, .null, .null, .null]
            }
            out.rows.append(row)
        }
        return out
    }

    /// "Under measure wards:census2021: Black 3.55 (3.23–3.91), Asian …" for the borough's officer-defined rows of
    /// the measures after the first.
    static func summaryLines(_ rows: [[Value]]) -> [String] {
        var order: [String] = [], parts: [String: [String]] = [:]
        for row in rows {
            guard case .string(let m) = row[13], case .string(let g) = row[4], g != "White", case .double(let rr, _) = row[8],
                  case .double(let lo, _) = row[9], case .double(let hi, _) = row[10] else { continue }
            if parts[m] == nil { order.append(m) }
            parts[m, default: []].append("\(g) \(Fmt.fixed(rr, 2)) (\(Fmt.fixed(lo, 2))–\(Fmt.fixed(hi, 2)))")
        }
        return order.map { "Under population measure \($0): " + parts[$0]!.joined(separator: ", ") + " times the White rate (disproportionality-measures.csv)." }
    }

    /// Areas of a layer that a measure after the layer's first has no residents for (the first's are warned about
    /// with the layer).
    static func warnings(_ measures: [PopulationMeasure], _ scopes: [StopsScope]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for m in measures {
            guard seen.insert(m.layer).inserted == false, let l = scopes.first(where: { $0.name == m.layer }) else { continue }
            let missing = l.ids.dropLast(2).filter { m.byArea[$0] == nil }
            if !missing.isEmpty { out.append("population measure \(m.name): no residents for \(missing.count) area(s) of layer \(m.layer), e.g. \(missing.prefix(3).joined(separator: ", ")); they have no rates under it") }
        }
        return out
    }
}
