import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Per-cell reference values (../shared/reference, computed by the peer harness): grid counts exact, quartic KDE to a
/// relative 1e-9.
@Suite(.enabled(if: Paths.sharedAvailable, "../shared not found: per-cell reference comparisons skipped"))
struct ReferenceGridTests {
    struct RefCells {
        var columns: [String: Int]
        var rows: [[Substring]]
        func value(_ r: Int, _ name: String) -> Double { Double(rows[r][columns[name]!])! }
        func string(_ r: Int, _ name: String) -> String { String(rows[r][columns[name]!]) }
    }

    static func cells(_ dir: String) throws -> RefCells {
        let text = try String(contentsOfFile: Paths.sharedFile("reference/\(dir)/cells.csv"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        return RefCells(columns: Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) }),
                        rows: lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) })
    }

    static func incidents(_ rel: [String]) throws -> LoadedIncidents {
        try Pipeline.loadIncidents(files: rel.map(Paths.sharedFile), options: ReadOptions())
    }

    static func check(dir: String, files: [String], cell: Double, h: Double) throws {
        let inc = try incidents(files)
        let ref = try cells(dir)
        let grid = try SquareGrid(covering: inc.table.extent!, cellSize: cell)
        #expect(grid.cellCount == ref.rows.count)
        let counts = binPoints(x: inc.table.x, y: inc.table.y, grid: grid)
        let dens = kernelDensity(x: inc.table.x, y: inc.table.y, grid: grid,
                                 parameters: KDEParameters(bandwidth: h, unit: .perM2, mode: .exact))
        var worst = 0.0
        for r in 0..<ref.rows.count {
            let k = Int(ref.value(r, "row")) * grid.ncols + Int(ref.value(r, "col"))
            let ctr = grid.centre(index: k)
            #expect(ctr.x == ref.value(r, "x") && ctr.y == ref.value(r, "y"))
            #expect(Int(counts.counts[k]) == Int(ref.value(r, "count")), "cell \(k)")
            let want = ref.value(r, "density"), got = dens.values[k]
            let err = abs(got - want) / max(abs(want), 1e-3 / (Double.pi * h * h))
            worst = max(worst, err)
        }
        #expect(worst <= 1e-9, "worst relative density error \(worst)")
    }

    @Test func synthetic20kCountsAndDensity() throws {
        try Self.check(dir: "synthetic-20k/ref-c100-h400-r200", files: ["reference/synthetic-20k/data/incidents.csv"], cell: 100, h: 400)
    }

    @Test func lewishamBurglary2022CountsAndDensity() throws {
        try Self.check(dir: "lewisham-burglary/marsep-2022",
                       files: (3...9).map { "data/policeuk/met-burglary-lewisham/2022-0\($0)-metropolitan-street.csv" }, cell: 100, h: 400)
    }
}

/// Gi*, Mann-Kendall and emerging categories per cell against the peer harness (esda, pymannkendall-equivalent,
/// ESRI rule table): z and p to 1e-9, categories identical for every cell under all three FDR scopes.
@Suite(.enabled(if: Paths.sharedAvailable, "../shared not found: per-cell statistics reference skipped"))
struct ReferenceStatisticsTests {
    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return abs(a - b) <= max(1e-12, 1e-9 * abs(b))
    }

    static func run(dir: String, cell: Double, radius: Double, window: Int, runScope: FDRScope) throws {
        let inc = try ReferenceGridTests.incidents(["reference/synthetic-20k/data/incidents.csv"])
        let ref = try ReferenceGridTests.cells(dir)
        let t = inc.table
        let grid = try SquareGrid(covering: t.extent!, cellSize: cell)
        let loc = (0..<t.count).map { Int32(grid.index(x: t.x[$0], y: t.y[$0]) ?? -1) }
        let steps = TimeSteps(length: .months(1), days: t.day)
        #expect(steps.count == 36)
        let cube = SpaceTimeCube(steps: steps, locations: grid.cellCount, location: loc, days: t.day)
        let total = (0..<grid.cellCount).map { k in cube.counts.reduce(0) { $0 + $1[k] } }
        let gi = giStar(grid: grid, values: total, radius: radius)
        let st = spaceTimeGiStar(grid: grid, cube: cube, radius: radius, window: window)
        var results: [FDRScope: [EmergingResult]] = [:]
        let trends = EmergingTrends(z: st.z, counts: cube.counts)
        for scope in FDRScope.allCases {
            var o = EmergingOptions(); o.fdr = scope
            results[scope] = classifyEmerging(z: st.z, p: st.p, counts: cube.counts, options: o, trends: trends)
        }
        var bad: [String: Int] = [:]
        func check(_ ok: Bool, _ what: String) { if !ok { bad[what, default: 0] += 1 } }
        for r in 0..<ref.rows.count {
            let k = Int(ref.value(r, "row")) * grid.ncols + Int(ref.value(r, "col"))
            check(close(gi.z[k], ref.value(r, "gi_z")), "gi_z")
            check(close(gi.p[k], ref.value(r, "gi_p")), "gi_p")
            check(close(gi.pAdjusted[k], ref.value(r, "gi_p_fdr")), "gi_p_fdr")
            check(Int(gi.bin[k]) == Int(ref.value(r, "gi_bin")), "gi_bin")
            check(Int(gi.binFDR[k]) == Int(ref.value(r, "gi_bin_fdr")), "gi_bin_fdr")
            let e = results[.none]![k]
            check(close(e.finalZ, ref.value(r, "ehsa_final_z")), "ehsa_final_z")
            check(close(e.trendZ.z, ref.value(r, "mk_z")), "mk_z")
            check(close(e.trendZ.p, ref.value(r, "mk_p")) || abs(e.trendZ.p - ref.value(r, "mk_p")) < 1e-12, "mk_p")
            check(close(e.trendZ.tau, ref.value(r, "mk_tau")), "mk_tau")
            check(e.trendZ.s == ref.value(r, "mk_s"), "mk_s")
            check(close(e.trendCounts.z, ref.value(r, "mk_count_z")), "mk_count_z")
            check(results[runScope]![k].hotSteps == Int(ref.value(r, "ehsa_n_hot")), "ehsa_n_hot")
            for scope in FDRScope.allCases {
                check(Int(results[scope]![k].pattern.rawValue) == Int(ref.value(r, "category_fdr_\(scope.rawValue)")), "category_\(scope.rawValue)")
            }
        }
        #expect(bad.isEmpty, "cells differing from the reference: \(bad)")
    }

    @Test func perMonthGiStarAndEmerging() throws {
        try Self.run(dir: "synthetic-20k/ref-c100-h400-r200", cell: 100, radius: 200, window: 0, runScope: .none)
    }

    @Test func spaceTimeCubeQueenWindow1() throws {
        try Self.run(dir: "synthetic-20k/ref-c50-h250-queen-st1", cell: 50, radius: 75, window: 1, runScope: .cube)
    }
}
