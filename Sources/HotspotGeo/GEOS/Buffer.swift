import CGEOS
import HotspotCore

extension GEOSGeometry {
    /// GEOS buffer: the area within `distance` metres (negative shrinks), arcs approximated by `quadrantSegments`
    /// segments per quarter circle (8 by default, as GEOS and shapely).
    public func buffer(_ distance: Double, quadrantSegments: Int32 = 8) throws -> GEOSGeometry {
        guard let g = GEOSBuffer_r(context.handle, raw, distance, quadrantSegments) else { throw context.takeError("buffer failed") }
        return GEOSGeometry(context, owning: g)
    }
}
