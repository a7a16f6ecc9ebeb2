import CGEOS

/// A GEOS prepared geometry (indexed for repeated predicates against many others), owned with its context.
public final class PreparedGeometry {
    let geometry: GEOSGeometry
    let raw: OpaquePointer

    public init(_ g: GEOSGeometry) throws {
        guard let p = GEOSPrepare_r(g.context.handle, g.raw) else { throw g.context.takeError("prepare failed") }
        geometry = g; raw = p
    }
    deinit { GEOSPreparedGeom_destroy_r(geometry.context.handle, raw) }

    /// GEOS `intersects`, the same answer as `GEOSGeometry.intersects`, faster for many tests against one geometry.
    public func intersects(_ other: GEOSGeometry) -> Bool {
        GEOSPreparedIntersects_r(geometry.context.handle, raw, other.raw) == 1
    }
}
