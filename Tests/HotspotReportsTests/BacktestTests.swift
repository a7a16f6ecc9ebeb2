import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Backtesting (issue 13): windows, honesty (no test incident in training), and a PAI worked out by hand.
@Suite struct BacktestTests {
    func csv(_ text: String) throws -> String {
        let p = NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString).csv"
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    var mapped: ReadOptions { var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind"); return o }

    @Test func rollingOriginsNeverLetTheTestWindowIntoTraining() {
        var o = BacktestJob.Options(); o.train = .months(3); o.test = .months(3)
        let w = BacktestJob.windows(o, first: CivilDate.days(year: 2018, month: 3, day: 1), last: CivilDate.days(year: 2018, month: 9, day: 1))
        // March–May → June–August; September alone cannot hold a 3-month test window.
        #expect(w.map { $0.0.name } == ["2018-03..2018-05"] && w.map { $0.1.name } == ["2018-06..2018-08"])
        o.train = .months(6); o.test = .months(6)
        let w3 = BacktestJob.windows(o, first: CivilDate.days(year: 2023, month: 1, day: 1), last: CivilDate.days(year: 2025, month: 12, day: 1))
        #expect(w3.count == 5)
        for (tr, te) in w3 { #expect(tr.last < te.first && te.first == tr.last + 1) }
        #expect(BacktestJob.Window(parsing: "12weeks") == .days(84) && BacktestJob.Window(parsing: "3months") == .months(3) && BacktestJob.Window(parsing: "3fortnights") == nil)
    }

    /// Training: 10 incidents at A. Test: 8 at A, 2 at B far away. 100 m cells, bandwidth 100 m, A at a cell centre:
    /// only A's cell has density (the quartic kernel is 0 at the neighbours' centres, 100 m away), so the hot area
    /// is 1 cell of the grid over A and B, and PAI = (8/10) / (1/cells).
    @Test func aPAIWorkedOutByHand() throws {
        var text = "when,E,N,kind\n"
        for _ in 0..<10 { text += "2024-01-10,538050,175050,Burglary\n" }
        for _ in 0..<8 { text += "2024-02-10,538050,175050,Burglary\n" }
        for _ in 0..<2 { text += "2024-02-11,539950,176950,Burglary\n" }
        let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)")
        var o = BacktestJob.Options(); o.train = .months(1); o.test = .months(1); o.cells = [100]; o.bandwidths = [100]
        o.thresholds = [.topCells(percent: 5)]; o.gistar = false; o.moran = false; o.optimized = false; o.emerging = false; o.recency = []; o.minTest = 1
        let job = try p.loadInputs()
        let (origins, candidates, scores, _) = try BacktestJob.evaluate(job, o)
        #expect(origins.count == 1 && origins[0].nTrain == 10 && origins[0].nTest == 10)
        let g = try GridProduct.compute(job.incidents.table, cellSize: 100, rule: .sfhotspot, boundary: nil, clip: false, cellLimit: 1_000_000, extent: nil).choice.grid
        let s = scores[0][0]
        #expect(candidates.count == 1 && s.hotCells == 1 && s.captured == 8)
        #expect(abs(s.pai - (8.0 / 10.0) / (1.0 / Double(g.cellCount))) < 1e-9)
        // RRI = (n₂/n₁)/(N₂/N₁) = (8/10)/(10/10).
        #expect(abs((s.rri ?? 0) - 0.8) < 1e-12)
    }

    /// Moving every test incident elsewhere changes what is captured, never the hot cells: the test window does not
    /// reach the training surface.
    @Test func theTestWindowNeverShapesTheHotspots() throws {
        func run(_ testE: Int) throws -> [[BacktestJob.Score]] {
            var text = "when,E,N,kind\n"
            for k in 0..<40 { text += "2024-01-\(10 + k % 10),\(538000 + (k % 5) * 60),\(175000 + (k / 5) * 60),Burglary\n" }
            for k in 0..<30 { text += "2024-02-\(10 + k % 10),\(testE + (k % 5) * 60),175100,Burglary\n" }
            text += "2024-01-01,540000,177000,Burglary\n"   // fixes the grid's extent
            let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)")
            var o = BacktestJob.Options(); o.train = .months(1); o.test = .months(1); o.cells = [100]; o.bandwidths = [150, 300]; o.minTest = 1
            return try BacktestJob.evaluate(try p.loadInputs(), o).scores
        }
        let near = try run(538000), far = try run(539500)
        #expect(near.map { $0.map(\.hotCells) } == far.map { $0.map(\.hotCells) })
        #expect(near[0][0].captured > 0 && far[0][0].captured == 0)
    }

    @Test func tooFewTestIncidentsAreReportedNotHidden() throws {
        var text = "when,E,N,kind\n"
        for m in 1...4 { for k in 0..<(m == 4 ? 3 : 30) { text += "2024-0\(m)-10,\(538000 + (k % 6) * 40),\(175000 + (k / 6) * 40),Burglary\n" } }
        let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)")
        var o = BacktestJob.Options(); o.train = .months(1); o.test = .months(1); o.cells = [50]; o.bandwidths = [100, 200]; o.minTest = 10
        let r = try BacktestJob.run(p, options: o, command: "t")
        #expect(r.origins.count == 3 && r.origins.map(\.tooFew) == [false, false, true])
        #expect(r.warnings.contains { $0.contains("2024-04..2024-04") && $0.contains("left out of the medians") })
        let rows = try String(contentsOfFile: p.out + "/backtest-origins.csv", encoding: .utf8)
        #expect(rows.contains(",2024-04..2024-04,30,3,1,"))
        // Gi* candidates are scored but never recommended.
        #expect(r.candidates.contains { $0.predictor == "gistar" } && r.recommended.predictor == "kde")
    }

    /// The Local Moran candidate: at each origin, the High-High cells (p < 0.05, 999 permutations) of Local Moran's I
    /// on the training counts with queen neighbours; scored, never recommended; `moran = false` leaves it out.
    @Test func localMoranHighHighCellsAreACandidate() throws {
        var text = "when,E,N,kind\n"
        // A dense block in a sparse spread, in both months; the block's cells are High-High.
        for m in 1...2 {
            for k in 0..<60 { text += "2024-0\(m)-10,\(538000 + (k % 5) * 50 + 5),\(175000 + (k / 12) * 50 + 5),Burglary\n" }
            for k in 0..<80 { text += "2024-0\(m)-12,\(537000 + (k * 137) % 2000),\(174000 + (k * 311) % 2000),Burglary\n" }
        }
        let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)")
        var o = BacktestJob.Options(); o.train = .months(1); o.test = .months(1); o.cells = [50]; o.bandwidths = [100]; o.minTest = 10
        let r = try BacktestJob.run(p, options: o, command: "t")
        let k = try #require(r.candidates.firstIndex { $0.predictor == "moran" })
        #expect(r.candidates[k].label == "Local Moran 50 m, High-High at p < 0.05" && r.recommended.predictor == "kde")
        // The same cells by hand: the training month's counts on the grid, queen, localMoran.
        let job = try p.loadInputs()
        let t = job.incidents.table
        let g = try GridProduct.compute(t, cellSize: 50, rule: .sfhotspot, boundary: nil, clip: false, cellLimit: o.maxCells, extent: nil).choice.grid
        var counts = [Double](repeating: 0, count: g.cellCount)
        for i in 0..<t.count where t.day[i] < t.day.max()! - 20 { if let c = g.index(x: t.x[i], y: t.y[i]) { counts[c] += 1 } }
        let lm = localMoran(values: counts, neighbourhood: Neighbourhood(lists: GiStarJob.gridNeighbours(g, radius: 50 * 2.0.squareRoot(), mask: nil)),
                            permutations: 999, seed: Limits.defaultSeed, adjustment: .none)
        let hh = (0..<g.cellCount).filter { lm.cluster[$0] == 1 }
        #expect(!hh.isEmpty && r.scores[k][0].hotCells == hh.count)
        o.moran = false
        #expect(!(try BacktestJob.run(p, options: o, command: "t")).candidates.contains { $0.predictor == "moran" })
    }

    /// Prospective candidates (ProMap): a hot spot that moves. Training January–March: 30 incidents at A in January,
    /// 10 at B in March; test April: 10 at B. KDE's top cell stays at A and captures nothing; the 2-month prospective
    /// surface (A's January weighs 0) puts it at B and captures all, so it is recommended; 6 months (A weighs 1/3
    /// a piece: 10 against B's 10) is scored too. With `recency = []` none is scored.
    @Test func aProspectiveSurfaceFollowsAMovingHotspot() throws {
        var text = "when,E,N,kind\n"
        for k in 0..<30 { text += "2024-01-\(10 + k % 10),\(538050 + k % 3),175050,Burglary\n" }
        for k in 0..<10 { text += "2024-03-\(10 + k),\(538850 + k % 3),175850,Burglary\n" }
        for k in 0..<10 { text += "2024-04-\(10 + k),538850,175850,Burglary\n" }
        text += "2024-01-01,537000,174000,Burglary\n2024-01-01,540000,177000,Burglary\n"   // the grid's extent
        let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)")
        var o = BacktestJob.Options(); o.train = .months(3); o.test = .months(1); o.cells = [100]; o.bandwidths = [150]
        o.thresholds = [.topCells(percent: 0.1)]; o.gistar = false; o.moran = false; o.optimized = false; o.emerging = false; o.minTest = 1
        let r = try BacktestJob.run(p, options: o, command: "t")
        #expect(r.candidates.map(\.predictor) == ["kde", "prospective", "prospective"])
        #expect(r.candidates.map(\.recency) == [nil, .months(2), .months(6)])
        #expect(r.scores[0][0].captured == 0 && r.scores[1][0].captured == 10)
        #expect(r.recommended.label == "Prospective KDE 100 m, h 150 m, 2 months, top 0.1% of cells")
        let table = try String(contentsOfFile: p.out + "/backtest.csv", encoding: .utf8)
        #expect(table.hasPrefix("predictor,cell_m,bandwidth_m,recency,threshold,") && table.contains("\nprospective,100,150,2months,"))
        o.recency = []
        #expect(try BacktestJob.run(p, options: o, command: "t").candidates.map(\.predictor) == ["kde"])
    }

    /// Weeks need dated incidents: on monthly data they are left out with a warning, months stay.
    @Test func weeksOnMonthlyDataAreLeftOutWithAWarning() {
        var o = BacktestJob.Options(); o.recency = [.weeks(8), .months(2)]
        var w: [String] = []
        #expect(BacktestJob.recency(o, IncidentTable(epsg: 27700, resolution: .month), warnings: &w) == [.months(2)])
        #expect(w.count == 1 && w[0].contains("8 weeks") && w[0].contains("dated by month only"))
        w = []
        #expect(BacktestJob.recency(o, IncidentTable(epsg: 27700, resolution: .day), warnings: &w) == [.weeks(8), .months(2)] && w.isEmpty)
    }

    /// `kde --recency`: the surface of the coming period. Planted: 30 incidents at A in January, 10 at B in March;
    /// with 2 months, the densest cell is B's, every weight is in metadata, the map and legend say what it is, and
    /// the hotspot polygons still count every incident inside them (5 more at B in January, weighing 0).
    @Test func kdeRecencyDrawsTheSurfaceOfTheComingPeriod() throws {
        var text = "when,E,N,kind\n"
        for k in 0..<30 { text += "2024-01-\(10 + k % 10),\(538050 + k % 3),175050,Burglary\n" }
        for k in 0..<10 { text += "2024-03-\(10 + k),\(538850 + k % 3),175850,Burglary\n" }
        for _ in 0..<5 { text += "2024-01-05,538850,175850,Burglary\n" }   // at B but weighing 0
        var o = KDEOptions(); o.cell = 100; o.bandwidth = 150; o.recency = .months(2); o.threshold = .topCells(percent: 50)
        var mo = MapOptions(); mo.formats = [.svg]; o.map = mo
        let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)") { $0.kde = o }
        let r = try KDEJob.run(p, command: "t")
        let g = r.surface.grid, v = r.surface.values
        #expect(v.indices.max { v[$0] < v[$1] } == g.index(x: 538850, y: 175850) && v[g.index(x: 538050, y: 175050)!] == 0)
        let meta = try String(contentsOfFile: p.out + "/metadata.json", encoding: .utf8)
        for key in ["\"recency\" : \"2months\"", "\"recency_reference\" : \"2024-03-19\"", "\"recency_incidents_weighted\" : \"10\"", "\"recency_rule\" : \"ProMap"] {
            #expect(meta.contains(key), "\(key)")
        }
        let svg = try String(contentsOfFile: p.out + "/map.svg", encoding: .utf8)
        #expect(svg.contains("prospective kernel density") && svg.contains("Prospective, for the period after 2024-03-19") && svg.contains("Recency-weighted density"))
        #expect(r.hotspots.map(\.incidents).reduce(0, +) == 15)
    }
}

extension BacktestTests {
    /// The optimized candidate: at each origin, the distance band `OptimizedJob.findScale` finds on the training
    /// counts of the grid's cells, then the cells hot at 95 % (Gi*, FDR) within it; scored, never recommended;
    /// `optimized = false` leaves it out.
    @Test func optimizedHotSpotsAreACandidate() throws {
        var text = "when,E,N,kind\n"
        for m in 1...2 {
            for k in 0..<60 { text += "2024-0\(m)-10,\(538000 + (k % 5) * 50 + 5),\(175000 + (k / 12) * 50 + 5),Burglary\n" }
            for k in 0..<80 { text += "2024-0\(m)-12,\(537000 + (k * 137) % 2000),\(174000 + (k * 311) % 2000),Burglary\n" }
        }
        let p = request([try csv(text)], read: mapped, out: NSTemporaryDirectory() + "hotspot-bt-\(UUID().uuidString)")
        var o = BacktestJob.Options(); o.train = .months(1); o.test = .months(1); o.cells = [50]; o.bandwidths = [100]; o.minTest = 10
        o.moran = false; o.emerging = false
        let r = try BacktestJob.run(p, options: o, command: "t")
        let k = try #require(r.candidates.firstIndex { $0.predictor == "optimized" })
        #expect(r.candidates[k].label == "Optimized hot spots 50 m, hot at 95% (FDR), band from the data" && r.recommended.predictor == "kde")
        // The same cells by hand: the training month's counts on the grid, findScale, Gi* within the distance.
        let t = try p.loadInputs().incidents.table
        let g = try GridProduct.compute(t, cellSize: 50, rule: .sfhotspot, boundary: nil, clip: false, cellLimit: o.maxCells, extent: nil).choice.grid
        var counts = [Double](repeating: 0, count: g.cellCount)
        for i in 0..<t.count where t.day[i] < t.day.max()! - 20 { if let c = g.index(x: t.x[i], y: t.y[i]) { counts[c] += 1 } }
        let centres = (0..<g.cellCount).map { g.centre(index: $0) }
        let s = OptimizedJob.findScale(x: centres.map(\.x), y: centres.map(\.y), values: counts, bands: 10)
        let gi = giStar(values: counts, neighbourhood: Neighbourhood.distanceBandTolerant(x: centres.map(\.x), y: centres.map(\.y), distance: s.chosen))
        let hot = (0..<g.cellCount).filter { gi.binFDR[$0] >= 2 }
        #expect(!hot.isEmpty && r.scores[k][0].hotCells == hot.count)
        o.optimized = false
        #expect(!(try BacktestJob.run(p, options: o, command: "t")).candidates.contains { $0.predictor == "optimized" })
    }
}
