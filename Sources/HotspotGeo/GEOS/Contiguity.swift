import CGEOS
import HotspotCore

/// Polygon contiguity for Gi* on wards or LSOAs.
public enum ContiguityRule: String, Sendable, Codable, CaseIterable {
    /// Sharing any boundary point (DE-9IM `F***T****`).
    case queen
    /// Sharing a boundary of positive length (DE-9IM `F***1****`).
    case rook
}

public enum Contiguity {
    /// Binary contiguity neighbourhood (self included) of a polygon layer, tested with GEOS relate patterns on the
    /// pairs whose envelopes meet. Layers digitised as a coverage (shared vertices) are what this expects.
    public static func neighbourhood(_ areas: [Area], rule: ContiguityRule) throws -> Neighbourhood {
        let ctx = try GEOSContext()
        let geoms = try areas.map { try GEOSGeometry(ctx, $0.geometry) }
        let ext = areas.map { $0.geometry.extent ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0) }
        let pattern = rule == .queen ? "F***T****" : "F***1****"
        var lists = [[Int]](repeating: [], count: areas.count)
        // The pairs whose envelopes meet (within 1 cm), by a sweep over the envelopes sorted by their west edge
        // (O(n log n + pairs), not the n²/2 envelope tests), then tested in the order (i, j) of the all-pairs loop,
        // so every list comes out the same.
        let byWest = ext.indices.sorted { (ext[$0].minX, $0) < (ext[$1].minX, $1) }
        var pairs: [(Int, Int)] = []
        for (k, i) in byWest.enumerated() {
            let a = ext[i]
            for j in byWest[(k + 1)...] {
                let b = ext[j]
                if b.minX > a.maxX + 0.01 { break }
                guard a.minX <= b.maxX + 0.01, a.minY <= b.maxY + 0.01, b.minY <= a.maxY + 0.01 else { continue }
                pairs.append((min(i, j), max(i, j)))
            }
        }
        pairs.sort { $0 < $1 }
        for (i, j) in pairs where GEOSRelatePattern_r(ctx.handle, geoms[i].raw, geoms[j].raw, pattern) == 1 {
            lists[i].append(j); lists[j].append(i)
        }
        return Neighbourhood(lists: lists)
    }

    /// Representative points (inside each polygon) for distance and k-nearest neighbourhoods.
    public static func centroids(_ areas: [Area]) throws -> (x: [Double], y: [Double]) {
        let ctx = try GEOSContext()
        var xs: [Double] = [], ys: [Double] = []
        for a in areas {
            let g = try GEOSGeometry(ctx, a.geometry)
            guard let c = GEOSGetCentroid_r(ctx.handle, g.raw) else { throw ctx.takeError("centroid failed") }
            var x = 0.0, y = 0.0
            GEOSGeomGetX_r(ctx.handle, c, &x); GEOSGeomGetY_r(ctx.handle, c, &y)
            GEOSGeom_destroy_r(ctx.handle, c)
            xs.append(x); ys.append(y)
        }
        return (xs, ys)
    }
}
