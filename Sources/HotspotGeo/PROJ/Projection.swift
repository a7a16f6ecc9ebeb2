import CProj
#if canImport(Glibc)
import Glibc
import Synchronization
#endif
import HotspotCore

/// What PROJ did, for every output's metadata.
public struct ProjectionInfo: Sendable, Codable, Equatable {
    public var source: String
    public var target: String
    /// PROJ's name for the operation it used, e.g. "Inverse of OSGB36 to WGS 84 (6) + British National Grid".
    public var operation: String
    /// The PROJ pipeline string of that operation.
    public var definition: String
    /// Accuracy of the operation in metres as PROJ reports it (−1 when unknown). Helmert OSGB36: 2 m; OSTN15: 0.1 m.
    public var accuracyMetres: Double
    public var points: Int
    /// Distinct coordinate pairs actually sent through PROJ (police.uk points repeat: each is projected once).
    public var distinctPoints: Int
    /// Points PROJ could not transform (reported, never silently dropped).
    public var failed: Int
}

/// A coordinate operation between two EPSG CRSs, axis order normalised for GIS use (longitude/easting first).
/// Owns its PROJ context and `PJ`; one per thread (PROJ objects are not thread-safe). Batch transforms go through
/// `proj_trans_generic`: no per-point C call.
public final class Projection {
    public let sourceEPSG: Int, targetEPSG: Int
    let ctx: OpaquePointer
    let pj: OpaquePointer
    let gridDirectories: [String]

    /// - Parameter gridDirectories: extra folders searched for transformation grids (e.g. the OSTN15 GeoTIFF);
    ///   PROJ's default search path stays in force. Network access is disabled.
    public init(from source: Int, to target: Int, gridDirectories: [String] = []) throws {
        sourceEPSG = source; targetEPSG = target; self.gridDirectories = gridDirectories
        guard let c = proj_context_create() else { throw GeoError.proj("cannot create a PROJ context") }
        ctx = c
        proj_context_set_enable_network(c, 0)
        proj_log_level(c, PJ_LOG_NONE)  // errors are reported through GeoError, not printed by PROJ
        if !gridDirectories.isEmpty {
            let defaults = String(cString: proj_info().searchpath).split(separator: ":").map(String.init)
            let paths = gridDirectories + defaults
            var cstrs = paths.map { strdup($0) }
            defer { cstrs.forEach { free($0) } }
            cstrs.withUnsafeMutableBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) {
                    proj_context_set_search_paths(c, Int32(buf.count), $0)
                }
            }
        }
        guard let raw = proj_create_crs_to_crs(c, "EPSG:\(source)", "EPSG:\(target)", nil) else {
            let msg = String(cString: proj_context_errno_string(c, proj_context_errno(c)))
            proj_context_destroy(c)
            throw GeoError.proj("no operation from EPSG:\(source) to EPSG:\(target) (\(msg))")
        }
        guard let norm = proj_normalize_for_visualization(c, raw) else {
            proj_destroy(raw); proj_context_destroy(c)
            throw GeoError.proj("cannot normalise axis order for EPSG:\(source) → EPSG:\(target)")
        }
        proj_destroy(raw)
        pj = norm
    }

    deinit { proj_destroy(pj); proj_context_destroy(ctx) }

    public static var version: String { String(cString: proj_info().release) }

    /// Transforms coordinate pairs in place with one `proj_trans_generic` call. Failed points become NaN.
    /// Returns the number of failed points.
    @discardableResult
    public func transformInPlace(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) -> Int {
        let n = x.count
        guard n > 0 else { return 0 }
        let stride = MemoryLayout<Double>.stride
        proj_errno_reset(pj)
        _ = proj_trans_generic(pj, PJ_FWD, x.baseAddress, stride, n, y.baseAddress, stride, n, nil, 0, 0, nil, 0, 0)
        var failed = 0
        for i in 0..<n where !x[i].isFinite || !y[i].isFinite || x[i] == .infinity || abs(x[i]) >= 1e30 {
            x[i] = .nan; y[i] = .nan; failed += 1
        }
        return failed
    }

    /// Transforms paired arrays in place, projecting each distinct coordinate pair once (police.uk coordinates are
    /// snapped to a limited set of map points), in parallel chunks with one `PJ` per thread when there are many.
    public func transform(x: inout [Double], y: inout [Double]) throws -> ProjectionInfo {
        precondition(x.count == y.count)
        // Police.uk points repeat (snap points): project each distinct pair once. When the first million points turn
        // out nearly all distinct, deduplicating costs more than it saves, and every point is projected directly.
        let distinct = DistinctPairs.make(x: x, y: y, giveUpAbove: 0.9)
        let (ux, uy, index) = distinct ?? (x, y, [])
        var px = ux, py = uy
        var failed = 0
        // Chunks of at most a million points, so that progress can be shown on long runs.
        let pieces = max(Parallel.chunks(px.count, minimum: 200_000).count, (px.count + 999_999) / 1_000_000)
        let size = (px.count + pieces - 1) / max(1, pieces)
        let chunks = (0..<pieces).map { $0 * size..<min(px.count, ($0 + 1) * size) }.filter { !$0.isEmpty }
        let done = Atomic<Int>(0), total = Double(px.count)
        PhaseProgress.send(.begin(phase: "project to EPSG:\(targetEPSG)", total: total, unit: "points"))
        defer { PhaseProgress.send(.end) }
        if chunks.count <= 1 {
            failed = px.withUnsafeMutableBufferPointer { xb in
                py.withUnsafeMutableBufferPointer { yb in transformInPlace(x: xb, y: yb) }
            }
        } else {
            let s = sourceEPSG, t = targetEPSG, dirs = gridDirectories
            let parts = parallelMap(chunks: chunks) { range -> ([Double], [Double], Int) in
                var cx = Array(ux[range]), cy = Array(uy[range])
                guard let p = try? Projection(from: s, to: t, gridDirectories: dirs) else {
                    return (cx.map { _ in .nan }, cy.map { _ in .nan }, range.count)
                }
                let f = cx.withUnsafeMutableBufferPointer { xb in
                    cy.withUnsafeMutableBufferPointer { yb in p.transformInPlace(x: xb, y: yb) }
                }
                let d = done.add(range.count, ordering: .relaxed).newValue
                PhaseProgress.send(.advance(Double(d)))
                return (cx, cy, f)
            }
            px.removeAll(keepingCapacity: true); py.removeAll(keepingCapacity: true)
            for (cx, cy, f) in parts { px += cx; py += cy; failed += f }
            // Record the operation in this thread's PJ too.
            var sx = [ux.first ?? 0], sy = [uy.first ?? 0]
            sx.withUnsafeMutableBufferPointer { xb in sy.withUnsafeMutableBufferPointer { yb in _ = transformInPlace(x: xb, y: yb) } }
        }
        var failedPoints = 0
        x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                for i in 0..<xb.count {
                    let k = index.isEmpty ? i : Int(index[i])
                    xb[i] = px[k]; yb[i] = py[k]
                    if !px[k].isFinite || !py[k].isFinite { failedPoints += 1 }
                }
            }
        }
        _ = failed
        var info = operationInfo
        info.points = x.count
        info.distinctPoints = distinct == nil ? x.count : ux.count
        info.failed = failedPoints
        return info
    }

    /// The operation PROJ used last (after a transform), else the one it would pick first.
    public var operationInfo: ProjectionInfo {
        let op = proj_trans_get_last_used_operation(pj)
        defer { if let op { proj_destroy(op) } }
        let target = op ?? pj
        let info = proj_pj_info(target)
        let desc = info.description.map { String(cString: $0) } ?? "unknown"
        let def = info.definition.map { String(cString: $0) } ?? ""
        let acc = proj_coordoperation_get_accuracy(ctx, target)
        return ProjectionInfo(source: "EPSG:\(sourceEPSG)", target: "EPSG:\(targetEPSG)", operation: desc,
                              definition: def, accuracyMetres: acc, points: 0, distinctPoints: 0, failed: 0)
    }
}

extension Projection {
    /// Reprojects geometries with one batch transform over all their vertices.
    public func transform(_ geoms: [MultiPolygon]) throws -> [MultiPolygon] {
        var xs: [Double] = [], ys: [Double] = []
        for g in geoms { for r in g.rings { for v in r { xs.append(v.x); ys.append(v.y) } } }
        _ = try transform(x: &xs, y: &ys)
        var k = 0
        func take(_ r: [XY]) -> [XY] { r.map { _ in defer { k += 1 }; return XY(xs[k], ys[k]) } }
        return geoms.map { g in
            MultiPolygon(g.polygons.map { poly in
                let e = take(poly.exterior)
                return Polygon(exterior: e, holes: poly.holes.map(take))
            })
        }
    }
}

/// Distinct coordinate pairs by bit pattern, with an open-addressing hash table over contiguous arrays.
enum DistinctPairs {
    /// Returns the distinct pairs in first-seen order and, per input point, the index of its pair — or nil when, after
    /// the first 2^20 points, more than `giveUpAbove` of them were distinct.
    static func make(x: [Double], y: [Double], giveUpAbove: Double = 1.1) -> ([Double], [Double], [UInt32])? {
        let n = x.count
        var cap = 1024
        while cap < n * 2 { cap <<= 1 }
        var slots = [Int32](repeating: -1, count: cap)
        var ux: [Double] = [], uy: [Double] = []
        var index = [UInt32](repeating: 0, count: n)
        var gaveUp = false
        let mask = cap - 1
        slots.withUnsafeMutableBufferPointer { s in
            for i in 0..<n {
                if i == 1 << 20 && Double(ux.count) > giveUpAbove * Double(i) { gaveUp = true; return }
                let a = x[i].bitPattern, b = y[i].bitPattern
                var h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &+ 0x632B_E59B_D9B4_E019 &+ (a << 6) &+ (a >> 2))
                h ^= h >> 29
                var j = Int(truncatingIfNeeded: h) & mask
                while true {
                    let k = s[j]
                    if k < 0 {
                        s[j] = Int32(ux.count); index[i] = UInt32(ux.count)
                        ux.append(x[i]); uy.append(y[i]); break
                    }
                    if ux[Int(k)].bitPattern == a && uy[Int(k)].bitPattern == b { index[i] = UInt32(k); break }
                    j = (j + 1) & mask
                }
            }
        }
        return gaveUp ? nil : (ux, uy, index)
    }
}
