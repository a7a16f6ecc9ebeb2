import CProj
import Foundation
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
    /// Accuracy of the operation in metres as PROJ reports it (−1 when unknown). Helmert OSGB36: 2 m; OSTN15 from WGS 84: 1 m (the grid itself is ~0.1 m between OSGB36 and ETRS89).
    public var accuracyMetres: Double
    public var points: Int
    /// Distinct coordinate pairs actually sent through PROJ (police.uk points repeat: each is projected once).
    public var distinctPoints: Int
    /// Points PROJ could not transform (reported, never silently dropped).
    public var failed: Int
    /// Set when coordinates were interpolated on a lattice of PROJ's results (≥ 100,000 distinct incident points),
    /// each within `boundMetres` of PROJ's; absent (and not written) when every point went through PROJ.
    public var interpolation: InterpolationInfo? = nil
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
            let defaults = cText(proj_info().searchpath).split(separator: ":").map(String.init)
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
            let msg = cText(proj_context_errno_string(c, proj_context_errno(c)), or: "PROJ error \(proj_context_errno(c))")
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
    /// With `interpolation`, when there are at least its `minimumPoints` distinct points, they are interpolated on
    /// a lattice of PROJ's results within its measured bound (`ProjectionLattice`); fewer go through PROJ exactly.
    public func transform(x: inout [Double], y: inout [Double], interpolation: Interpolation? = nil) throws -> ProjectionInfo {
        precondition(x.count == y.count)
        // Police.uk points repeat (snap points): project each distinct pair once. When the first million points turn
        // out nearly all distinct, deduplicating costs more than it saves, and every point is projected directly.
        let distinct = DistinctPairs.make(x: x, y: y, giveUpAbove: 0.9)
        PhaseProgress.send(.begin(phase: "project to EPSG:\(targetEPSG)", total: Double(distinct?.0.count ?? x.count), unit: "points"))
        defer { PhaseProgress.send(.end) }
        var failedPoints = 0
        var interpolated: InterpolationInfo?
        /// PROJ on every point, or interpolation where `interpolation` allows.
        func project(_ px: inout [Double], _ py: inout [Double]) {
            if let interpolation {
                let (sx, sy) = interpolation.check ? (px, py) : ([], [])
                interpolated = projectByInterpolation(x: &px, y: &py, policy: interpolation)
                if interpolation.check && interpolated != nil { reportDeviation(sourceX: sx, sourceY: sy, x: px, y: py, info: interpolated) }
                if interpolated != nil { return }
            }
            projectInRounds(x: &px, y: &py)
        }
        if let (ux, uy, index) = distinct {
            var px = ux, py = uy
            project(&px, &py)
            x.withUnsafeMutableBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in
                    for i in 0..<xb.count {
                        let k = Int(index[i])
                        xb[i] = px[k]; yb[i] = py[k]
                        if !px[k].isFinite || !py[k].isFinite { failedPoints += 1 }
                    }
                }
            }
        } else {
            project(&x, &y)
            for i in 0..<x.count where !x[i].isFinite || !y[i].isFinite { failedPoints += 1 }
        }
        var info = operationInfo
        info.interpolation = interpolated
        info.points = x.count
        info.distinctPoints = distinct?.0.count ?? x.count
        info.failed = failedPoints
        return info
    }

    /// Projects x/y in place: in rounds of one chunk (≤ 1 million points) per worker, each worker with a `PJ` of its
    /// own, so that no more than a round's points are ever copied (not the whole arrays).
    func projectInRounds(x: inout [Double], y: inout [Double]) {
        let n = x.count
        let chunk = min(1_000_000, max(200_000, (n + Parallel.workers - 1) / Parallel.workers))
        guard n > chunk else {
            _ = x.withUnsafeMutableBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in transformInPlace(x: xb, y: yb) } }
            PhaseProgress.send(.advance(Double(n)))
            return
        }
        let s = sourceEPSG, t = targetEPSG, dirs = gridDirectories
        var sx = [x[0]], sy = [y[0]]  // the first point, unprojected: see below
        var start = 0
        while start < n {
            let ranges = (0..<Parallel.workers).map { k in min(n, start + k * chunk)..<min(n, start + (k + 1) * chunk) }.filter { !$0.isEmpty }
            let inputs = ranges.map { (Array(x[$0]), Array(y[$0])) }
            let parts = parallelMap(chunks: inputs.indices.map { $0..<($0 + 1) }) { r -> ([Double], [Double]) in
                var (cx, cy) = inputs[r.lowerBound]
                guard let p = try? Projection(from: s, to: t, gridDirectories: dirs) else {
                    return (cx.map { _ in .nan }, cy.map { _ in .nan })
                }
                _ = cx.withUnsafeMutableBufferPointer { xb in cy.withUnsafeMutableBufferPointer { yb in p.transformInPlace(x: xb, y: yb) } }
                return (cx, cy)
            }
            for (range, (cx, cy)) in zip(ranges, parts) {
                x.replaceSubrange(range, with: cx); y.replaceSubrange(range, with: cy)
            }
            start = ranges.last!.upperBound
            PhaseProgress.send(.advance(Double(start)))
        }
        // Record the operation in this thread's PJ too.
        sx.withUnsafeMutableBufferPointer { xb in sy.withUnsafeMutableBufferPointer { yb in _ = transformInPlace(x: xb, y: yb) } }
    }

    /// `HOTSPOT_PROJECTION=check`: PROJ on every source point, and the largest distance between its result and
    /// `x`, `y` (the interpolated one) on stderr. A diagnostic for benchmarks, not for production runs.
    func reportDeviation(sourceX: [Double], sourceY: [Double], x: [Double], y: [Double], info: InterpolationInfo?) {
        var ex = sourceX, ey = sourceY
        projectInRounds(x: &ex, y: &ey)
        var worst = 0.0, mismatchedFailures = 0
        for i in 0..<ex.count {
            if ex[i].isFinite != x[i].isFinite || ey[i].isFinite != y[i].isFinite { mismatchedFailures += 1; continue }
            guard ex[i].isFinite, ey[i].isFinite else { continue }
            worst = max(worst, ((ex[i] - x[i]) * (ex[i] - x[i]) + (ey[i] - y[i]) * (ey[i] - y[i])).squareRoot())
        }
        let what = info.map { "\($0.interpolated) interpolated, \($0.exact) through PROJ, \($0.usableTiles) of \($0.tiles) tiles, bound \($0.boundMetres) m" } ?? "not interpolated"
        FileHandle.standardError.write(Data("projection check: \(ex.count) points (\(what)): largest distance from PROJ \(worst) m; failures differing: \(mismatchedFailures)\n".utf8))
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
    /// the first `checkAt` points (2^20), more than `giveUpAbove` of them were distinct.
    static func make(x: [Double], y: [Double], giveUpAbove: Double = 1.1, checkAt: Int = 1 << 20) -> ([Double], [Double], [UInt32])? {
        let n = x.count
        // The table grows with the distinct pairs (kept at most half full), not with n: nearly all-distinct input
        // gives up after 2^20 points having touched a few MB, not a table sized for every point.
        var cap = 1024
        var slots = [Int32](repeating: -1, count: cap)
        var ux: [Double] = [], uy: [Double] = []
        var index = [UInt32]()
        index.reserveCapacity(n)
        @inline(__always) func hash(_ a: UInt64, _ b: UInt64) -> Int {
            var h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &+ 0x632B_E59B_D9B4_E019 &+ (a << 6) &+ (a >> 2))
            h ^= h >> 29
            return Int(truncatingIfNeeded: h)
        }
        for i in 0..<n {
            if i == checkAt && Double(ux.count) > giveUpAbove * Double(i) { return nil }
            if ux.count * 2 >= cap {
                cap <<= 1
                slots = [Int32](repeating: -1, count: cap)
                let mask = cap - 1
                for k in 0..<ux.count {
                    var j = hash(ux[k].bitPattern, uy[k].bitPattern) & mask
                    while slots[j] >= 0 { j = (j + 1) & mask }
                    slots[j] = Int32(k)
                }
            }
            let a = x[i].bitPattern, b = y[i].bitPattern
            let mask = cap - 1
            var j = hash(a, b) & mask
            while true {
                let k = slots[j]
                if k < 0 {
                    slots[j] = Int32(ux.count); index.append(UInt32(ux.count))
                    ux.append(x[i]); uy.append(y[i]); break
                }
                if ux[Int(k)].bitPattern == a && uy[Int(k)].bitPattern == b { index.append(UInt32(k)); break }
                j = (j + 1) & mask
            }
        }
        return (ux, uy, index)
    }
}
