import CGEOS
import HotspotCore

/// A hotspot polygon with everything a patrol plan or a PSPO consultation needs to quote.
public struct HotspotPolygon: Sendable {
    /// `h1`, `h2`, … by descending peak density.
    public var id: String
    /// EPSG:27700.
    public var geometry: MultiPolygon
    public var areaM2: Double
    /// Incidents inside the polygon, and their share of all incidents.
    public var incidents: Int
    public var share: Double
    /// Prediction Accuracy Index (n/N)/(a/A), A the study area.
    public var pai: Double
    /// Highest cell density inside (surface unit).
    public var peakDensity: Double
    /// Ids of the areas of each layer the polygon touches (layer name → ids, sorted).
    public var touches: [String: [String]]
}

public enum HotspotPolygonBuilder {
    /// Turns hot cells into valid polygons: the cells dissolved with GEOS coverage union (holes kept), or with
    /// `smooth`, the marching-squares isoline of the surface at the selection's level (repaired with MakeValid).
    /// Each connected part is one hotspot.
    public static func build(surface: DensitySurface, hot: HotCells, smooth: Bool, x: [Double], y: [Double],
                             studyAreaM2: Double, layers: [(name: String, areas: [Area])] = []) throws -> [HotspotPolygon] {
        let g = surface.grid
        return try build(values: surface.values, centres: (0..<g.cellCount).map { let c = g.centre(index: $0); return XY(c.x, c.y) },
                         cell: { g.cellPolygon($0) },
                         hot: hot, smoothed: smooth ? isobands(values: surface.values, grid: g, level: hot.level) : nil,
                         x: x, y: y, studyAreaM2: studyAreaM2, layers: layers)
    }

    /// The same for any cells (square or hexagonal): `cell(k)` gives cell k's polygon, `centres` its centre.
    /// With `smoothed`, that outline (repaired with MakeValid if needed) is used instead of the dissolved cells.
    public static func build(values: [Double], centres: [XY], cell: (Int) -> MultiPolygon, hot: HotCells,
                             smoothed: MultiPolygon?, x: [Double], y: [Double], studyAreaM2: Double,
                             layers: [(name: String, areas: [Area])] = []) throws -> [HotspotPolygon] {
        guard !hot.cells.isEmpty else { return [] }
        let ctx = try GEOSContext()
        var merged: MultiPolygon
        if let raw = smoothed {
            let geom = try GEOSGeometry(ctx, raw)
            merged = geom.isValid ? raw : try geom.makeValid().multiPolygon()
        } else {
            merged = try ctx.coverageUnion(hot.cells.map(cell))
        }
        let parts = merged.polygons.map { MultiPolygon([$0]) }
        guard !parts.isEmpty else { return [] }
        let index = try AreaIndex(areas: parts.enumerated().map { Area(id: String($0.offset), name: "", geometry: $0.element) })
        // AreaIndex sorts nothing here (ids are given in order), but map back by id to be safe.
        let order = index.areas.map { Int($0.id)! }
        var counts = [Int](repeating: 0, count: parts.count)
        for k in index.assign(x: x, y: y) where k >= 0 { counts[order[Int(k)]] += 1 }
        var peak = [Double](repeating: 0, count: parts.count)
        // Dissolved cells hold only hot cells' centres, so only those are looked up (a smoothed outline can hold others).
        let candidates = smoothed == nil ? hot.cells : Array(centres.indices)
        let inCell = index.assign(x: candidates.map { centres[$0].x }, y: candidates.map { centres[$0].y })
        for (j, a) in inCell.enumerated() where a >= 0 && !values[candidates[j]].isNaN {
            peak[order[Int(a)]] = max(peak[order[Int(a)]], values[candidates[j]])
        }
        let layerGeoms = try layers.map { l in try l.areas.map { try GEOSGeometry(ctx, $0.geometry) } }
        var out: [HotspotPolygon] = []
        for (k, p) in parts.enumerated() {
            let pg = try GEOSGeometry(ctx, p)
            var touches: [String: [String]] = [:]
            for (li, l) in layers.enumerated() {
                touches[l.name] = zip(l.areas, layerGeoms[li]).filter { $0.1.intersects(pg) }.map(\.0.id).sorted()
            }
            let a = p.area
            out.append(HotspotPolygon(id: "", geometry: p, areaM2: a, incidents: counts[k],
                                      share: x.isEmpty ? 0 : Double(counts[k]) / Double(x.count),
                                      pai: predictionAccuracyIndex(captured: Double(counts[k]), total: Double(x.count), area: a, studyArea: studyAreaM2),
                                      peakDensity: peak[k], touches: touches))
        }
        out.sort { ($0.peakDensity, $0.areaM2) > ($1.peakDensity, $1.areaM2) }
        for k in out.indices { out[k].id = "h\(k + 1)" }
        return out
    }
}
