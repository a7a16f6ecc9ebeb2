import CGEOS
import HotspotCore

extension GEOSContext {
    /// Dissolves polygons that form a coverage (they meet only along shared edges, as grid cells do) with
    /// `GEOSCoverageUnion_r`, much faster than a general unary union. Holes are kept. GEOS 3.11's coverage union
    /// refuses some valid coverages ("cannot process overlapping inputs": cells meeting only at a corner, in a
    /// checkerboard, make its polygonised area differ); those are dissolved by the general unary union instead.
    public func coverageUnion(_ parts: [MultiPolygon]) throws -> MultiPolygon {
        let geoms = try parts.map { try GEOSGeometry(self, $0) }
        // The collection takes ownership of the parts' raw pointers: build fresh ones for it.
        var raws: [OpaquePointer?] = geoms.map { GEOSGeom_clone_r(handle, $0.raw) }
        let coll = raws.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(handle, Int32(GEOS_GEOMETRYCOLLECTION.rawValue), $0.baseAddress, UInt32($0.count))
        }
        guard let coll else { throw takeError("collection failed") }
        let c = GEOSGeometry(self, owning: coll)
        if let u = GEOSCoverageUnion_r(handle, c.raw) { return GEOSGeometry(self, owning: u).multiPolygon() }
        _ = takeError("coverage union failed")
        return try c.unaryUnion().multiPolygon()
    }
}
