import HotspotGeo

/// Geometries from one EPSG code to another with the project's `Projection` (PROJ, one batch per layer; EPSG:4326
/// taken as lon/lat, i.e. CRS84).
enum Reprojector {
    static func project(_ geometries: [Geometry?], from: Int, to: Int) throws -> [Geometry?] {
        var x: [Double] = [], y: [Double] = []
        for g in geometries { if let g { x.append(contentsOf: g.x); y.append(contentsOf: g.y) } }
        guard !x.isEmpty else { return geometries }
        let p: Projection
        do { p = try Projection(from: from, to: to) } catch {
            throw LayerError.unreadable("no projection from EPSG:\(from) to EPSG:\(to) (\(error))")
        }
        x.withUnsafeMutableBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in _ = p.transformInPlace(x: xb, y: yb) } }
        var k = 0
        return geometries.map { g in
            guard var g else { return nil }
            let n = g.x.count
            g.x = Array(x[k..<k + n]); g.y = Array(y[k..<k + n])
            k += n
            return g
        }
    }
}
