import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Counts (and rates per 1,000 residents) of incidents per area of a layer.
public struct AreaCounts: Sendable {
    public struct Row: Sendable {
        public var id: String, name: String
        public var count: Int
        /// Sum of weights (equals `count` for unweighted data).
        public var weighted: Double
        /// Counts per crime type, in the table's category order.
        public var byCategory: [Int]
        public var population: Double?
        /// Incidents per 1,000 residents: count / population × 1000.
        public var ratePer1000: Double? { population.flatMap { $0 > 0 ? Double(count) / $0 * 1000 : nil } }
        public var areaM2: Double
    }
    public var layer: String
    public var rows: [Row]
    /// Incidents in no area of the layer.
    public var unassigned: Int
    public var categories: [String]
    /// The weighted sum's column: `harm` with a harm table (`--weights`), else `weighted_count`.
    public var weightedColumn = "weighted_count"

    /// Attributes each incident to an area (see `AreaIndex` for the boundary rule) and counts.
    public static func compute(_ inc: IncidentTable, layer: LoadedLayer) -> AreaCounts {
        let assign = layer.index.assign(x: inc.x, y: inc.y)
        let nc = inc.categories.count
        var rows = layer.areas.map {
            Row(id: $0.id, name: $0.name, count: 0, weighted: 0, byCategory: [Int](repeating: 0, count: nc),
                population: layer.population?[$0.id], areaM2: $0.geometry.area)
        }
        // Flat counters (area × category), added up in incident order as before.
        var none = 0
        var byCat = [Int](repeating: 0, count: rows.count * nc), weighted = [Double](repeating: 0, count: rows.count)
        inc.category.withUnsafeBufferPointer { cat in
            for i in 0..<inc.count {
                let k = Int(assign[i])
                if k < 0 { none += 1; continue }
                weighted[k] += inc.weight(at: i)
                byCat[k * nc + Int(cat[i])] += 1
            }
        }
        for k in rows.indices {
            rows[k].byCategory = Array(byCat[k * nc..<(k + 1) * nc])
            rows[k].count = rows[k].byCategory.reduce(0, +)
            rows[k].weighted = weighted[k]
        }
        return AreaCounts(layer: layer.name, rows: rows, unassigned: none, categories: inc.categories, weightedColumn: inc.weightedColumn)
    }

    /// One row per area: id, name, count, weighted count (`harm` with a harm table), population, rate per 1,000, area, then one column per
    /// crime type (`count_` + snake_case type).
    public var table: Table {
        var t = Table(columns: ["id", "name", "count", weightedColumn, "population", "rate_per_1000", "area_km2"]
                      + categories.map { "count_" + snakeCase($0) })
        for r in rows {
            t.rows.append([.string(r.id), .string(r.name), .int(r.count), .double(r.weighted, decimals: nil),
                           r.population.map { .double($0, decimals: nil) } ?? .null,
                           r.ratePer1000.map { .double($0, decimals: 3) } ?? .null,
                           .double(r.areaM2 / 1e6, decimals: 6)] + r.byCategory.map { .int($0) })
        }
        return t
    }
}

/// "Criminal damage and arson" → "criminal_damage_and_arson".
public func snakeCase(_ s: String) -> String {
    var out = ""
    var lastUnderscore = true
    for c in s.lowercased() {
        if c.isLetter || c.isNumber { out.append(c); lastUnderscore = false }
        else if !lastUnderscore { out.append("_"); lastUnderscore = true }
    }
    while out.hasSuffix("_") { out.removeLast() }
    return out
}
