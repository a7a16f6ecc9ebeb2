import Foundation
import HotspotCore
import HotspotTestSupport
import Testing
@testable import HotspotGeo

/// Projection by interpolation (issue 26, part 2): every point against PROJ, on real police.uk points, across Great
/// Britain, on the OSTN15 path, and the fallback of tiles whose bound is too large.
@Suite struct InterpolatedProjectionTests {
    /// Interpolation from any number of points (the pipeline's 100,000 would leave these to PROJ).
    static let always = Interpolation(minimumPoints: 0, limitMetres: Interpolation.incidents.limitMetres)

    struct Comparison { var info: ProjectionInfo; var worst: Double; var exactX: [Double], exactY: [Double], x: [Double], y: [Double] }

    /// Projects `x`, `y` both ways; the largest distance between them (metres) over the points PROJ transformed.
    static func compare(_ x: [Double], _ y: [Double], from epsg: Int = 4326, grids: [String] = [], policy: Interpolation = always) throws -> Comparison {
        var ex = x, ey = y, ix = x, iy = y
        _ = try Projection(from: epsg, to: 27700, gridDirectories: grids).transform(x: &ex, y: &ey)
        let info = try Projection(from: epsg, to: 27700, gridDirectories: grids).transform(x: &ix, y: &iy, interpolation: policy)
        var worst = 0.0
        for i in ex.indices {
            #expect(ex[i].isFinite == ix[i].isFinite, "point \(i): PROJ and interpolation disagree on failure")
            guard ex[i].isFinite, ix[i].isFinite else { continue }
            worst = max(worst, ((ex[i] - ix[i]) * (ex[i] - ix[i]) + (ey[i] - iy[i]) * (ey[i] - iy[i])).squareRoot())
        }
        return Comparison(info: info, worst: worst, exactX: ex, exactY: ey, x: ix, y: iy)
    }

    /// Longitude/latitude of every located row of a police.uk CSV (gzip or plain), by its header.
    static func policeUKPoints(_ path: String) throws -> ([Double], [Double]) {
        let data: Data
        if path.hasSuffix(".gz") {
            let p = Process(), pipe = Pipe()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip"); p.arguments = ["-dc", path]; p.standardOutput = pipe
            try p.run()
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
        } else {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        func fields(_ l: Substring) -> [String] {  // RFC 4180 quotes
            var out: [String] = [], cur = "", quoted = false
            for ch in l {
                if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { out.append(cur); cur = "" } else { cur.append(ch) }
            }
            out.append(cur)
            return out
        }
        let head = fields(lines[0])
        let lo = try #require(head.firstIndex(of: "Longitude")), la = try #require(head.firstIndex(of: "Latitude"))
        var x: [Double] = [], y: [Double] = []
        for l in lines.dropFirst() {
            let f = fields(l)
            guard f.count > max(lo, la), let a = Double(f[lo]), let b = Double(f[la]) else { continue }
            x.append(a); y.append(b)
        }
        return (x, y)
    }

    static func files(_ folder: String) -> [String] {
        let dir = Paths.sharedFile("data/policeuk/" + folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz") }.sorted().map { dir + "/" + $0 }
    }

    /// (a) Real police.uk points, force by force and all together: every point within the bound of PROJ's, and the
    /// bound within the 0.1 mm limit (≤ 1 mm promised).
    @Test(.enabled(if: Paths.sharedAvailable, "../shared/data/policeuk not found (set HOTSPOT_SHARED): real police.uk points not tested"))
    func realPoliceUKPointsWithinTheBound() throws {
        var allX: [Double] = [], allY: [Double] = []
        for folder in ["west-yorkshire", "met-burglary-full", "met-stop-and-search-full", "city-of-london", "met-burglary-lewisham", "api-points-lewisham-bbox"] {
            var fx: [Double] = [], fy: [Double] = []
            for f in Self.files(folder) { let (x, y) = try Self.policeUKPoints(f); fx += x; fy += y }
            #expect(fx.count > 300, "\(folder): \(fx.count) points")
            let c = try Self.compare(fx, fy)
            let interp = try #require(c.info.interpolation, "\(folder) not interpolated")
            #expect(interp.interpolated > 0 && interp.usableTiles == interp.tiles, "\(folder): \(interp)")
            #expect(c.worst <= interp.boundMetres && interp.boundMetres <= 1e-4, "\(folder): \(c.worst) m, bound \(interp.boundMetres) m")
            print("interpolation \(folder): \(fx.count) points, \(c.info.distinctPoints) distinct, largest distance from PROJ \(c.worst) m, bound \(interp.boundMetres) m, \(interp.tiles) tiles")
            allX += fx; allY += fy
        }
        let c = try Self.compare(allX, allY)
        let interp = try #require(c.info.interpolation)
        #expect(c.worst <= interp.boundMetres && interp.boundMetres <= 1e-4, "all: \(c.worst) m, bound \(interp.boundMetres) m")
        print("interpolation all forces: \(allX.count) points, largest distance from PROJ \(c.worst) m, bound \(interp.boundMetres) m")
    }

    /// (b) 200,000 seeded random points across Great Britain.
    @Test func randomPointsAcrossGreatBritain() throws {
        var s: UInt64 = 26
        func next() -> Double {  // SplitMix64 → [0, 1)
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<200_000 { x.append(-6.5 + 8.3 * next()); y.append(49.9 + 8.8 * next()) }
        let c = try Self.compare(x, y, policy: .incidents)  // the pipeline's own policy: 200,000 ≥ 100,000
        let interp = try #require(c.info.interpolation)
        #expect(interp.interpolated == 200_000 && interp.exact == 0, "\(interp)")
        #expect(c.worst <= interp.boundMetres && interp.boundMetres <= 1e-4, "\(c.worst) m, bound \(interp.boundMetres) m")
        print("interpolation across Great Britain: largest distance from PROJ \(c.worst) m, bound \(interp.boundMetres) m, \(interp.tiles) tiles")
        #expect(c.info.operation == (try Projection(from: 4326, to: 27700).transform(x: &x, y: &y)).operation)
    }

    /// Below `minimumPoints` PROJ alone projects, bit for bit as without interpolation (small inputs unchanged).
    @Test func fewPointsGoThroughPROJ() throws {
        let x = (0..<5_000).map { -0.1 + Double($0) * 1e-5 }, y = (0..<5_000).map { 51.4 + Double($0 % 97) * 1e-4 }
        let c = try Self.compare(x, y, policy: .incidents)
        #expect(c.info.interpolation == nil)
        #expect(c.x == c.exactX && c.y == c.exactY)
    }

    /// (c) OSTN15 (a grid-based operation, piecewise bilinear on its cells): not interpolated; PROJ's result exactly.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Paths.sharedFile("grids/uk_os_OSTN15_NTv2_OSGBtoETRS.tif")),
                   "OSTN15 grid not found in ../shared/grids"))
    func ostn15IsNotInterpolated() throws {
        let x = (0..<20_000).map { -2.0 + Double($0 % 200) * 0.013 }, y = (0..<20_000).map { 52.0 + Double($0 / 200) * 0.011 }
        let c = try Self.compare(x, y, grids: [Paths.sharedFile("grids")])
        #expect(c.info.definition.contains("OSTN15"), "\(c.info.definition)")
        #expect(c.info.interpolation == nil)
        #expect(c.x == c.exactX && c.y == c.exactY)
    }

    /// A box spanning a continent: tiles whose measured bound is above the limit fall back to PROJ, bit for bit;
    /// points of tiles within it stay within their bound.
    @Test func tilesWithALargeBoundFallBackToPROJ() throws {
        var x: [Double] = [], y: [Double] = []
        for i in 0..<40_000 { x.append(-25 + 45 * Double(i % 200) / 199); y.append(40 + 25 * Double(i / 200) / 199) }
        let p = try Projection(from: 4326, to: 27700)
        let lattice = try #require(ProjectionLattice.make(p, x: x, y: y, limit: 1e-4))
        #expect(lattice.usable.contains(false), "every tile met the limit over a continent")
        let c = try Self.compare(x, y)
        var fellBack = 0
        for i in x.indices {
            let fu = (x[i] - lattice.x0) / lattice.hx, fv = (y[i] - lattice.y0) / lattice.hy
            let t = min(lattice.ny - 1, Int(fv)) * lattice.nx + min(lattice.nx - 1, Int(fu))
            if !lattice.usable[t] {
                fellBack += 1
                #expect(c.x[i].bitPattern == c.exactX[i].bitPattern && c.y[i].bitPattern == c.exactY[i].bitPattern, "point \(i)")
            }
        }
        #expect(fellBack > 0)
        print("interpolation over a continent: \(fellBack) of \(x.count) points in tiles above the limit, \(lattice.usable.filter { $0 }.count) of \(lattice.usable.count) tiles usable")
        if let interp = c.info.interpolation {
            #expect(interp.exact >= fellBack && c.worst <= interp.boundMetres, "\(interp), \(c.worst) m")
        } else {
            #expect(c.worst == 0)
        }
    }

    /// A limit between the tiles' bounds (their median, across Great Britain): the tiles above it fall back to PROJ
    /// bit for bit, the others stay within their own bound.
    @Test func aLatticeWithTilesOnBothSidesOfTheLimit() throws {
        var x: [Double] = [], y: [Double] = []
        for i in 0..<40_000 { x.append(-6.5 + 8.3 * Double(i % 200) / 199); y.append(49.9 + 8.8 * Double(i / 200) / 199) }
        let p = try Projection(from: 4326, to: 27700)
        let all = try #require(ProjectionLattice.make(p, x: x, y: y, limit: .infinity))
        let limit = all.bounds.sorted()[all.bounds.count / 2]
        let lattice = try #require(ProjectionLattice.make(p, x: x, y: y, limit: limit))
        #expect(lattice.usable.contains(true) && lattice.usable.contains(false), "limit \(limit) m")
        let c = try Self.compare(x, y, policy: Interpolation(minimumPoints: 0, limitMetres: limit))
        let interp = try #require(c.info.interpolation)
        var fellBack = 0
        for i in x.indices {
            let fu = (x[i] - lattice.x0) / lattice.hx, fv = (y[i] - lattice.y0) / lattice.hy
            let t = min(lattice.ny - 1, Int(fv)) * lattice.nx + min(lattice.nx - 1, Int(fu))
            let d = ((c.x[i] - c.exactX[i]) * (c.x[i] - c.exactX[i]) + (c.y[i] - c.exactY[i]) * (c.y[i] - c.exactY[i])).squareRoot()
            if lattice.usable[t] {
                #expect(d <= lattice.bounds[t], "point \(i): \(d) m, its tile's bound \(lattice.bounds[t]) m")
            } else {
                fellBack += 1
                #expect(c.x[i].bitPattern == c.exactX[i].bitPattern && c.y[i].bitPattern == c.exactY[i].bitPattern, "point \(i)")
            }
        }
        #expect(fellBack > 0 && interp.exact == fellBack && interp.interpolated == x.count - fellBack, "\(interp)")
        print("interpolation, limit \(limit) m: \(fellBack) of \(x.count) points fell back, \(interp.usableTiles) of \(interp.tiles) tiles used, largest distance \(c.worst) m")
    }

    /// Nodes are reproduced exactly (Lagrange weights 0, 1, 0, 0 at t = 0), and the weights sum to 1.
    @Test func lagrangeWeights() {
        let w0 = ProjectionLattice.weights(0)
        #expect(w0.0 == 0 && w0.1 == 1 && w0.2 == 0 && w0.3 == 0)
        for t in stride(from: 0.0, through: 1.0, by: 0.125) {
            let w = ProjectionLattice.weights(t)
            #expect(abs(w.0 + w.1 + w.2 + w.3 - 1) < 1e-15)
        }
    }
}
