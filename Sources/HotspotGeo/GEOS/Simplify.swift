import CGEOS
import HotspotCore

extension GEOSGeometry {
    /// Douglas-Peucker simplification within `tolerance` metres that keeps the topology valid (GEOS
    /// TopologyPreserveSimplify).
    public func simplified(_ tolerance: Double) throws -> GEOSGeometry {
        guard let g = GEOSTopologyPreserveSimplify_r(context.handle, raw, tolerance) else { throw context.takeError("simplify failed") }
        return GEOSGeometry(context, owning: g)
    }
}
