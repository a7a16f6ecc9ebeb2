import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
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
