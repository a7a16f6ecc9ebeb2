import CGEOS
import HotspotCore

/// An owned GEOS geometry, destroyed with its owner. Lives and dies with its context.
public final class GEOSGeometry {
    let context: GEOSContext
    let raw: OpaquePointer

    init(_ context: GEOSContext, owning raw: OpaquePointer) { self.context = context; self.raw = raw }
    deinit { GEOSGeom_destroy_r(context.handle, raw) }

    /// Builds a GEOS (multi)polygon from a value.
    public convenience init(_ context: GEOSContext, _ mp: MultiPolygon) throws {
        let h = context.handle
        func ring(_ pts: [XY]) throws -> OpaquePointer {
            var closed = pts
            if let f = pts.first, let l = pts.last, f != l { closed.append(f) }
            let seq: OpaquePointer? = closed.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: Double.self, capacity: closed.count * 2) {
                    GEOSCoordSeq_copyFromBuffer_r(h, $0, UInt32(closed.count), 0, 0)
                }
            }
            guard let seq, let r = GEOSGeom_createLinearRing_r(h, seq) else { throw context.takeError("bad ring") }
            return r
        }
        func polygon(_ p: Polygon) throws -> OpaquePointer {
            let shell = try ring(p.exterior)
            var holes = try p.holes.map { Optional(try ring($0)) }
            let g = holes.withUnsafeMutableBufferPointer {
                GEOSGeom_createPolygon_r(h, shell, $0.baseAddress, UInt32($0.count))
            }
            guard let g else { throw context.takeError("bad polygon") }
            return g
        }
        var parts = try mp.polygons.map { Optional(try polygon($0)) }
        let g = parts.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(h, Int32(GEOS_MULTIPOLYGON.rawValue), $0.baseAddress, UInt32($0.count))
        }
        guard let g else { throw context.takeError("bad multipolygon") }
        self.init(context, owning: g)
    }

    public var isValid: Bool { GEOSisValid_r(context.handle, raw) == 1 }

    public var validityReason: String {
        guard let c = GEOSisValidReason_r(context.handle, raw) else { return "unknown" }
        defer { GEOSFree_r(context.handle, c) }
        return String(cString: c)
    }

    public var area: Double {
        var a = 0.0
        _ = GEOSArea_r(context.handle, raw, &a)
        return a
    }

    /// Back to a value (polygonal geometries only; other parts are dropped).
    public func multiPolygon() -> MultiPolygon {
        let h = context.handle
        // GEOS returns NULL where it raised an exception: such a ring is empty, never a crash (issue 21).
        func ringValue(_ r: OpaquePointer?) -> [XY] {
            guard let r, let seq = GEOSGeom_getCoordSeq_r(h, r) else { return [] }
            var n: UInt32 = 0
            guard GEOSCoordSeq_getSize_r(h, seq, &n) != 0, n > 0 else { return [] }
            var out = [XY](repeating: XY(0, 0), count: Int(n))
            out.withUnsafeMutableBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: Double.self, capacity: Int(n) * 2) {
                    _ = GEOSCoordSeq_copyToBuffer_r(h, seq, $0, 0, 0)
                }
            }
            return out
        }
        func polygonValue(_ g: OpaquePointer) -> Polygon {
            let shell = ringValue(GEOSGetExteriorRing_r(h, g))
            let nh = GEOSGetNumInteriorRings_r(h, g)
            let holes = (0..<max(0, nh)).map { ringValue(GEOSGetInteriorRingN_r(h, g, $0)) }
            return Polygon(exterior: shell, holes: holes)
        }
        func collect(_ g: OpaquePointer, into out: inout [Polygon]) {
            let type = GEOSGeomTypeId_r(h, g)
            if type == Int32(GEOS_POLYGON.rawValue) {
                if GEOSisEmpty_r(h, g) == 0 { out.append(polygonValue(g)) }
            } else if type == Int32(GEOS_MULTIPOLYGON.rawValue) || type == Int32(GEOS_GEOMETRYCOLLECTION.rawValue) {
                for i in 0..<max(0, GEOSGetNumGeometries_r(h, g)) { if let part = GEOSGetGeometryN_r(h, g, i) { collect(part, into: &out) } }
            }
        }
        var polys: [Polygon] = []
        collect(raw, into: &polys)
        return MultiPolygon(polys)
    }
}

extension GEOSGeometry {
    /// True when the two geometries share at least one point (GEOS intersects).
    public func intersects(_ other: GEOSGeometry) -> Bool { GEOSIntersects_r(context.handle, raw, other.raw) == 1 }
}
