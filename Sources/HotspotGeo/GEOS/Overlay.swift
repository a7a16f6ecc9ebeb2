import CGEOS
import HotspotCore

extension GEOSGeometry {
    /// The part of this geometry inside `other` (GEOS Intersection).
    public func intersection(_ other: GEOSGeometry) throws -> GEOSGeometry {
        guard let g = GEOSIntersection_r(context.handle, raw, other.raw) else { throw context.takeError("intersection failed") }
        return GEOSGeometry(context, owning: g)
    }
    /// The part of this geometry outside `other` (GEOS Difference).
    public func difference(_ other: GEOSGeometry) throws -> GEOSGeometry {
        guard let g = GEOSDifference_r(context.handle, raw, other.raw) else { throw context.takeError("difference failed") }
        return GEOSGeometry(context, owning: g)
    }
    /// All the area of its parts, overlaps dissolved (GEOS UnaryUnion).
    public func unaryUnion() throws -> GEOSGeometry {
        guard let g = GEOSUnaryUnion_r(context.handle, raw) else { throw context.takeError("union failed") }
        return GEOSGeometry(context, owning: g)
    }
    /// True when the two geometries share a boundary point but no interior point (GEOS Touches).
    public func touches(_ other: GEOSGeometry) -> Bool { GEOSTouches_r(context.handle, raw, other.raw) == 1 }
}
