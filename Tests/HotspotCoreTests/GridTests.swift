import Testing
@testable import HotspotCore

@Suite struct GridTests {
    /// The reference conventions (../shared/reference/README.md): with 100k points and c = 100 the origin is
    /// (532000, 168000) and the grid 100 columns × 120 rows.
    @Test func referenceConventions() throws {
        let g = try SquareGrid(covering: Extent(minX: 532_000.3, minY: 168_000.9, maxX: 541_999.7, maxY: 179_999.2), cellSize: 100)
        #expect(g.x0 == 532_000 && g.y0 == 168_000 && g.ncols == 100 && g.nrows == 120)
        #expect(g.centre(col: 0, row: 0) == (532_050, 168_050))
        #expect(g.cellID(g.ncols + 2) == "E532200N168100")
        // The same place keeps its id in a grid with another origin.
        let h = try SquareGrid(covering: Extent(minX: 531_000, minY: 167_000, maxX: 533_000, maxY: 169_000), cellSize: 100)
        #expect(h.cellID(h.index(x: 532_250, y: 168_150)!) == "E532200N168100")
        // Half-open cells: a point on a cell's west/south edge belongs to that cell.
        #expect(g.index(x: 532_100, y: 168_000) == 1)
        #expect(g.index(x: 532_099.999, y: 168_099.999) == 0)
        #expect(g.index(x: 531_999.999, y: 168_000) == nil)
    }

    @Test func lewisham2022ReferenceGrid() throws {
        // marsep-2022 summary.json: x0 533900, y0 170500, 79 columns × 84 rows at c = 100 m.
        let g = try SquareGrid(covering: Extent(minX: 533_950, minY: 170_520, maxX: 541_850, maxY: 178_850), cellSize: 100)
        #expect(g.x0 == 533_900 && g.y0 == 170_500 && g.ncols == 80 && g.nrows == 84)
    }

    @Test func cellSizeRules() {
        let e = Extent(minX: 0, minY: 0, maxX: 9000, maxY: 12_000)
        #expect(CellSizeRule.sfhotspot.cellSize(for: e) == 100)  // 9000/50 = 180 → 100
        #expect(CellSizeRule.arcgis.cellSize(for: e) == 36)
        #expect(CellSizeRule.sfhotspot.cellSize(for: Extent(minX: 0, minY: 0, maxX: 4000, maxY: 5000)) == 80)  // 4000/50 = 80 → 0 → 80
    }

    @Test func tooManyCellsIsRefusedWithAdvice() {
        #expect(throws: GridError.self) {
            try SquareGrid(covering: Extent(minX: 0, minY: 0, maxX: 10_000, maxY: 10_000), cellSize: 1, cellLimit: 1000)
        }
        do { _ = try SquareGrid(covering: Extent(minX: 0, minY: 0, maxX: 10_000, maxY: 10_000), cellSize: 1, cellLimit: 1000) }
        catch { #expect("\(error)".contains("--cell")) }
    }

    @Test func binningMatchesBruteForceAndAccountsForEveryPoint() throws {
        var g = SystemRandomNumberGenerator()
        let n = 200_000
        let xs = (0..<n).map { _ in Double.random(in: -50...1050, using: &g).rounded() }
        let ys = (0..<n).map { _ in Double.random(in: -50...1050, using: &g).rounded() }
        let w = (0..<n).map { _ in Double.random(in: 0...2, using: &g) }
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 10, nrows: 10)
        let b = binPoints(x: xs, y: ys, weights: w, grid: grid)
        var want = [Int32](repeating: 0, count: 100), wantW = [Double](repeating: 0, count: 100), outside = 0
        for i in 0..<n {
            let c = Int((xs[i] / 100).rounded(.down)), r = Int((ys[i] / 100).rounded(.down))
            if c < 0 || c >= 10 || r < 0 || r >= 10 { outside += 1; continue }
            want[r * 10 + c] += 1; wantW[r * 10 + c] += w[i]
        }
        #expect(b.counts == want)
        #expect(b.outside == outside)
        #expect(Int(b.counts.reduce(0, +)) + b.outside == n)
        for k in 0..<100 { #expect(abs(b.weighted[k] - wantW[k]) < 1e-9) }
        #expect(binPoints(x: [.nan], y: [0], grid: grid).outside == 1)
    }

    @Test func polygonRasterNeverMislabelsAnInteriorCell() {
        let ring = [XY(0, 0), XY(1000, 0), XY(1000, 1000), XY(500, 1500), XY(0, 1000), XY(0, 0)]
        let r = PolygonRaster(areas: [MultiPolygon([Polygon(exterior: ring)])], targetCells: 400)
        for k in 0..<r.label.count where r.label[k] != PolygonRaster.edge {
            let c = r.grid.centre(index: k)
            let inside = c.x > 0 && c.x < 1000 && c.y > 0 && (c.y < 1000 || c.y - 1000 < 500 - abs(c.x - 500))
            #expect((r.label[k] == 0) == inside, "cell \(k) at \(c)")
        }
        #expect(r.edgeFraction < 0.5)
    }

    @Test func polygonAreaAndWinding() {
        let cw = Polygon(exterior: [XY(0, 0), XY(0, 2), XY(2, 2), XY(2, 0), XY(0, 0)], holes: [[XY(0.5, 0.5), XY(1, 0.5), XY(1, 1), XY(0.5, 1), XY(0.5, 0.5)]])
        #expect(cw.area == 4 - 0.25)
        let r = cw.rightHandRule
        #expect(Polygon.signedArea2(r.exterior) > 0 && Polygon.signedArea2(r.holes[0]) < 0)
    }
}

@Suite struct EdgeDissolveTests {
    func square(_ c: Int, _ r: Int) -> MultiPolygon {
        let g = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 10, nrows: 10)
        return g.cellPolygon(r * 10 + c)
    }
    /// Even-odd area of rings: |Σ signed areas| per connected piece; here the pieces are checked separately.
    func area(_ rings: [[XY]]) -> Double { rings.reduce(0) { $0 + Polygon.signedArea2($1) / 2 } }

    @Test func aBlockOfCellsBecomesOneRing() {
        let rings = dissolveEdgeToEdge([square(0, 0), square(1, 0), square(0, 1), square(1, 1)])
        #expect(rings.count == 1 && rings[0].count == 9 && area(rings) == 40_000)
    }
    @Test func aRingOfCellsKeepsItsHole() {
        let cells = (0..<3).flatMap { c in (0..<3).map { r in (c, r) } }.filter { $0 != (1, 1) }.map { square($0.0, $0.1) }
        let rings = dissolveEdgeToEdge(cells)
        #expect(rings.count == 2 && abs(area(rings)) == 80_000)  // 9 cells less the hole
    }
    @Test func separateCellsStaySeparate() {
        #expect(dissolveEdgeToEdge([square(0, 0), square(5, 5)]).count == 2)
    }
}

@Suite struct TimeStepEndTests {
    @Test func aFinalStepFixedByTheUserIsKeptEvenWhenEmpty() {
        let d = Int32(CivilDate.days(year: 2024, month: 1, day: 10)), e = Int32(CivilDate.days(year: 2024, month: 2, day: 3))
        let byData = TimeSteps(length: .months(1), days: [d, e])
        #expect(byData.count == 2)
        let fixed = TimeSteps(length: .months(1), days: [d, e], end: CivilDate.days(year: 2024, month: 5, day: 31))
        #expect(fixed.count == 5 && fixed.label(4) == "2024-05")
        #expect(fixed.emptySteps(days: [d, e]) == [2, 3, 4])
        let weeks = TimeSteps(length: .weeks, days: [d], end: CivilDate.days(year: 2024, month: 1, day: 28))
        #expect(weeks.count == 3)  // the ISO weeks of 8, 15 and 22 January 2024
    }
}

@Suite struct ISOWeekTests {
    @Test func isoWeeksFollowTheStandard() {
        // 2026-11-16 is the Monday of 2026-W47; 2020 has 53 weeks; 2021-01-03 belongs to 2020-W53.
        #expect(CivilDate.parseISOWeek("2026-W47") == CivilDate.days(year: 2026, month: 11, day: 16))
        #expect(CivilDate.isoWeekLabel(ofDay: CivilDate.days(year: 2026, month: 11, day: 22)) == "2026-W47")
        #expect(CivilDate.isoWeekLabel(ofDay: CivilDate.days(year: 2021, month: 1, day: 3)) == "2020-W53")
        #expect(CivilDate.parseISOWeek("2020-W53") == CivilDate.days(year: 2020, month: 12, day: 28))
        #expect(CivilDate.parseISOWeek("2021-W53") == nil && CivilDate.parseISOWeek("2026-47") == nil)
        #expect(CivilDate.isoWeekLabel(ofDay: CivilDate.days(year: 2025, month: 1, day: 1)) == "2025-W01")
    }
}

/// The cell size a refusal suggests fits, and is the smallest multiple of 10 m that does (issue 21: "≥ 20 m fits"
/// where 10 m did).
@Suite struct SuggestedCellSizeTests {
    @Test func theSuggestedSizeFitsAndTheNextSmallerDoesNot() throws {
        for (w, h, limit) in [(9_000.0, 11_000.0, 1_000_000), (35_000.0, 20_000.0, 5_000_000), (1_234.5, 987.6, 1_000), (50_000.0, 50_000.0, 100)] {
            let e = Extent(minX: 530_012.3, minY: 170_004.5, maxX: 530_012.3 + w, maxY: 170_004.5 + h)
            let s = SquareGrid.smallestCellSize(for: e, cellLimit: limit)
            #expect(throws: Never.self) { _ = try SquareGrid(covering: e, cellSize: s, cellLimit: limit) }
            if s > 10 { #expect(throws: GridError.self) { _ = try SquareGrid(covering: e, cellSize: s - 10, cellLimit: limit) } }
        }
    }
}
