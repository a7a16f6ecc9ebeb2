import CGEOS
import HotspotCore

extension GEOSContext {
    /// A point guaranteed to lie inside the geometry (`GEOSPointOnSurface_r`), for labels: unlike the centroid it
    /// never falls outside a concave ward. Nil for an empty geometry.
    public func pointOnSurface(_ mp: MultiPolygon) throws -> XY? {
        // Label the largest part, so that a ward with a detached sliver is labelled in its body.
        guard let main = mp.polygons.max(by: { $0.area < $1.area }) else { return nil }
        let g = try GEOSGeometry(self, MultiPolygon([main]))
        guard let p = GEOSPointOnSurface_r(handle, g.raw) else { throw takeError("point on surface failed") }
        let pt = GEOSGeometry(self, owning: p)
        var x = 0.0, y = 0.0
        guard GEOSGeomGetX_r(handle, pt.raw, &x) == 1, GEOSGeomGetY_r(handle, pt.raw, &y) == 1 else { return nil }
        return XY(x, y)
    }
}
