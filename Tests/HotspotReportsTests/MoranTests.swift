import Foundation
@testable import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Golden values of Tests/Fixtures/moran (made by its make_fixtures.py with esda 2.9.0, libpysal 4.14.1 and
/// statsmodels): p-value adjustments, weighted Gi*, Local and global Moran's I.
@Suite struct MoranTests {
    /// A fixture CSV as rows of name → text.
    static func rows(_ name: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: Paths.fixture("moran/\(name)"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { l in
            Dictionary(uniqueKeysWithValues: zip(header, l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }
    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Paths.fixture("moran/\(name)")))) as! [String: Any]
    }

    @Test func adjustmentsEqualStatsmodels() throws {
        let rows = try Self.rows("padjust.csv")
        let p = rows.map { Double($0["p"]!)! }
        #expect(p.count == 201)
        for (method, column) in [(PAdjustment.bh, "bh"), (.by, "by"), (.holm, "holm"), (.bonferroni, "bonferroni")] {
            let got = method.adjust(p)
            for (k, r) in rows.enumerated() { #expect(abs(got[k] - Double(r[column]!)!) <= 1e-12, "\(column) row \(k)") }
        }
        #expect(PAdjustment.bh.adjust(p) == benjaminiHochberg(p))
        #expect(PAdjustment.none.adjust(p) == p)
        // NaN stays NaN and does not count in m.
        let withNaN = PAdjustment.bonferroni.adjust([0.01, .nan, 0.02])
        #expect(withNaN[0] == 0.02 && withNaN[1].isNaN && withNaN[2] == 0.04)
    }

    /// Weighted Gi* (sfhotspot's definition: Gi* of the cells' sums of the weight column) equals esda's
    /// G_Local(star=True, transform="B") on those sums: incidents of a weight column placed in a 7 × 6 grid.
    @Test func weightedGiStarEqualsEsdaOnTheSums() throws {
        let rows = try Self.rows("gistar_weighted.csv")
        var csv = "x,y,date,kind,harm\n"
        for r in rows {
            let x = 530_000 + Double(r["col"]!)! * 100 + 50, y = 170_000 + Double(r["row"]!)! * 100 + 50, v = Double(r["value"]!)!
            // Each cell: one incident of weight 0 (so the grid covers every cell) and the value split over two.
            csv += "\(x - 20),\(y - 20),2024-01-05,a,0\n\(x),\(y),2024-01-06,a,\(v / 2)\n\(x + 10),\(y + 10),2024-01-07,a,\(v - v / 2)\n"
        }
        let path = try temporaryFile(csv, named: "weighted.csv")
        var read = ReadOptions()
        read.mapping = ColumnMapping(x: "x", y: "y", date: "date", category: "kind", weight: "harm")
        var g = Project.GiStarRequest()
        g.cell = 100
        let p = request([path], read: read, out: NSTemporaryDirectory() + "unused") { $0.gistar = g }
        let c = try GiStarJob.compute(g, inputs: try p.loadInputs())
        #expect(c.grid?.ncols == 7 && c.grid?.nrows == 6)
        #expect(c.params["counts"] == "sums of the weight column")
        for r in rows {
            let k = Int(r["row"]!)! * 7 + Int(r["col"]!)!
            #expect(abs(c.counts[k] - Double(r["value"]!)!) < 1e-9, "sum of weights in cell \(k)")
            #expect(abs(c.gi.z[k] - Double(r["z"]!)!) <= 1e-9, "z of cell \(k)")
        }
    }

    /// The adjustment chosen for Gi* sets its bins: Bonferroni's adjusted p are m·p (capped at 1), none bins raw p.
    @Test func giStarAdjustmentSetsTheBins() {
        let lists = (0..<100).map { k in [k - 1, k + 1].filter { (0..<100).contains($0) } }
        let x: [Double] = (0..<100).map { (k: Int) -> Double in Double((k * 37) % 11) + (k >= 40 && k < 50 ? 20.0 : 0.0) }
        let gi = giStar(values: x, neighbourhood: Neighbourhood(lists: lists))
        let b = gi.adjusted(PAdjustment.bonferroni), none = gi.adjusted(PAdjustment.none)
        for k in 0..<100 {
            #expect(abs(b.pAdjusted[k] - min(1, gi.p[k] * 100)) < 1e-15)
            #expect(b.binFDR[k] == giBin(z: gi.z[k], p: b.pAdjusted[k], adjusted: true))
            #expect(none.binFDR[k] == gi.bin[k])
        }
        #expect(gi.adjusted(PAdjustment.bh).binFDR == gi.binFDR)
        #expect(b.binFDR.filter { $0 != 0 }.count <= gi.binFDR.filter { $0 != 0 }.count)
    }

    /// |p_ours − p_esda| within 4 standard errors of the two Monte Carlo estimates (ours at `perms`, esda's at its
    /// 99,999), for at least 99 % of the locations (ties between simulated and observed I are broken by rounding in
    /// esda, exactly here).
    static func checkPseudoP(_ ours: [Double], _ esda: [Double], permutations: Int, esdaPermutations: Int) {
        var outside: [String] = []
        for (k, (a, b)) in zip(ours, esda).enumerated() {
            let se = (b * (1 - b) / Double(permutations)).squareRoot() + (b * (1 - b) / Double(esdaPermutations)).squareRoot()
            if abs(a - b) > 4 * se + 1.0 / Double(permutations + 1) { outside.append("#\(k): \(a) vs \(b)") }
        }
        #expect(Double(outside.count) <= 0.01 * Double(ours.count), "\(outside.count) of \(ours.count) pseudo p outside 4 standard errors: \(outside.prefix(10))")
    }

    static func checkGlobal(_ g: GlobalMoranResult, _ ref: [String: Any]) {
        func r(_ k: String) -> Double { (ref[k] as! NSNumber).doubleValue }
        #expect(g.n == (ref["n"] as! Int))
        for (got, key) in [(g.i, "I"), (g.expected, "EI"), (g.varianceNormal, "VI_norm"), (g.zNormal, "z_norm"),
                           (g.varianceRandom, "VI_rand"), (g.zRandom, "z_rand")] {
            #expect(abs(got - r(key)) <= 1e-9 * max(1, abs(r(key))), "\(key): \(got) vs \(r(key))")
        }
        for (got, key) in [(g.pNormal, "p_norm"), (g.pRandom, "p_rand")] {
            #expect(abs(got - r(key)) <= 1e-9 * max(1e-300, r(key)) || abs(got - r(key)) < 1e-15, "\(key)")
        }
        let ps = r("p_sim")
        #expect(abs(g.pSim - ps) <= 4 * (ps * (1 - ps) / Double(g.permutations)).squareRoot() + 1.0 / Double(g.permutations + 1), "p_sim \(g.pSim) vs \(ps)")
    }

    static let files = (3...9).map { "data/policeuk/met-burglary-lewisham/2022-0\($0)-metropolitan-street.csv" }

    /// Local Moran's I on the 169 Lewisham LSOAs (queen contiguity, row-standardised) equals esda's Moran_Local.
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: Moran's I on the Lewisham LSOAs skipped"))
    func lewishamLSOAsEqualEsda() throws {
        let ref = try Self.rows("lsoa.csv")
        let p = request(Self.files.map(Paths.sharedFile), layers: [LayerSpec(name: "lsoa", path: Paths.sharedFile("geodata/lewisham/lbl_lsoa11_full.json"))],
                        out: NSTemporaryDirectory() + "unused")
        var r = MoranJob.Request()
        r.on = "lsoa"
        let at = try MoranJob.locations(r, try p.loadInputs())
        let position = Dictionary(uniqueKeysWithValues: at.ids.enumerated().map { ($1, $0) })
        #expect(at.ids.count == ref.count)
        for row in ref {
            let k = try #require(position[row["id"]!])
            #expect(at.counts[k] == Double(row["count"]!)!, "count of \(row["id"]!)")
            let mine = at.neighbourhood.neighbours(of: k).filter { Int($0) != k }.map { at.ids[Int($0)] }.sorted()
            #expect(mine.joined(separator: ";") == row["neighbours"]!, "neighbours of \(row["id"]!)")
        }
        let m = localMoran(values: at.counts, neighbourhood: at.neighbourhood, permutations: 999, seed: 12345)
        for row in ref {
            let k = position[row["id"]!]!
            #expect(abs(m.i[k] - Double(row["Is"]!)!) <= 1e-9, "I of \(row["id"]!)")
            #expect(Int(m.quadrant[k]) == Int(row["q"]!)!, "quadrant of \(row["id"]!)")
        }
        let ours = ref.map { m.pSim[position[$0["id"]!]!] }
        Self.checkPseudoP(ours, ref.map { Double($0["p_sim"]!)! }, permutations: 999, esdaPermutations: 99_999)
        Self.checkPseudoP(ours, ref.map { Double($0["p_exact"]!)! }, permutations: 999, esdaPermutations: 99_999)
        Self.checkGlobal(globalMoran(values: at.counts, neighbourhood: at.neighbourhood, permutations: 999, seed: 12345), try Self.json("lsoa_global.json"))
    }

    /// Local Moran's I on the 100 m grid of the same rows (every cell of the incidents' extent, queen) equals
    /// esda's Moran_Local on the reference counts: a sample of 600 cells, the sum over all and the quadrant counts.
    /// Pseudo p are compared with the fixture's p_exact, esda's definition with ties decided exactly: on this sparse
    /// grid most simulated neighbourhoods tie with the observed one, and esda's floating-point comparison puts a tie
    /// on either side by rounding (cell 0:50: esda 0.407, ties decided exactly 0.201).
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: Moran's I on the Lewisham 100 m grid skipped"))
    func lewishamGridEqualsEsda() throws {
        let ref = try Self.rows("grid.csv"), summary = try Self.json("grid_global.json")
        let p = request(Self.files.map(Paths.sharedFile), out: NSTemporaryDirectory() + "unused")
        var r = MoranJob.Request()
        r.cell = 100
        let at = try MoranJob.locations(r, try p.loadInputs())
        let g = try #require(at.grid)
        #expect(at.ids.count == (summary["n"] as! Int))
        let m = localMoran(values: at.counts, neighbourhood: at.neighbourhood, permutations: 999, seed: 12345)
        var ours: [Double] = [], theirs: [Double] = []
        for row in ref {
            let rc = row["id"]!.split(separator: ":").map { Int($0)! }
            let k = rc[0] * g.ncols + rc[1]
            #expect(at.counts[k] == Double(row["count"]!)!, "count of cell \(rc)")
            #expect(abs(m.i[k] - Double(row["Is"]!)!) <= 1e-9, "I of cell \(rc)")
            #expect(Int(m.quadrant[k]) == Int(row["q"]!)!, "quadrant of cell \(rc)")
            ours.append(m.pSim[k]); theirs.append(Double(row["p_exact"]!)!)
        }
        #expect(abs(m.i.reduce(0, +) - (summary["sum_Is"] as! Double)) <= 1e-9 * Double(at.ids.count))
        let quadrants = summary["quadrants"] as! [String: Int]
        for q in 1...4 { #expect(m.quadrant.filter { Int($0) == q }.count == quadrants["\(q)"], "quadrant \(q)") }
        Self.checkPseudoP(ours, theirs, permutations: 999, esdaPermutations: 99_999)
        Self.checkGlobal(globalMoran(values: at.counts, neighbourhood: at.neighbourhood, permutations: 999, seed: 12345), summary)
    }

    /// `adjust:` in the gistar, moran and emerging sections: the same requests as --adjust.
    @Test func projectFilesSpellTheAdjustments() throws {
        let demo = Paths.repo.appendingPathComponent("Geodata/demo").path
        func load(_ products: String) throws -> Project {
            try Project.load(try temporaryFile("inputs: {files: [\(demo)/incidents.csv]}\nproducts:\n\(products)"))
        }
        let p = try load("  gistar: {adjust: holm}\n  moran: {adjust: by, permutations: 199}\n  emerging: {adjust: bonferroni}\n")
        #expect(p.products.gistar?.adjust == .holm && p.products.moran?.adjust == .by && p.products.moran?.permutations == 199)
        #expect(p.products.emerging?.emerging.adjust == .bonferroni && p.products.emerging?.emerging.fdr == .slice)
        let d = try load("  gistar: {fdr: false}\n  moran: {}\n  emerging: {adjust: none}\n")
        #expect(d.products.gistar?.adjust == PAdjustment.none && d.products.moran?.adjust == PAdjustment.none && d.products.moran?.permutations == 999)
        #expect(d.products.emerging?.emerging.fdr == FDRScope.none)
        #expect(try load("  gistar: {}\n").products.gistar?.adjust == .bh)
        for (bad, message) in [("  gistar: {adjust: fdr}\n", "use none, bh, by, holm, bonferroni"),
                               ("  gistar: {adjust: holm, fdr: true}\n", "give adjust or fdr, not both (fdr: false is adjust: none)"),
                               ("  moran: {permutations: 10}\n", "expected a whole number from 99 to 99999")] {
            do { _ = try load(bad); Issue.record("loaded \(bad)") } catch let e as Project.ProjectError { #expect(e.message == message) }
        }
    }

    /// Emerging's adjustment applies within its scope: with Bonferroni over a step of L locations, a bin is hot only
    /// when L·p ≤ α; with BH (default) the classification is as before.
    @Test func emergingAdjustsWithinEachStep() {
        let L = 20, T = 4
        let z = (0..<T).map { _ in (0..<L).map { Double($0 % 2 == 0 ? 3 : -0.5) } }
        let p = (0..<T).map { _ in (0..<L).map { $0 == 0 ? 0.001 : ($0 % 2 == 0 ? 0.02 : 0.6) } }
        let counts = (0..<T).map { _ in [Double](repeating: 1, count: L) }
        var o = EmergingOptions()
        let bh = classifyEmerging(z: z, p: p, counts: counts, options: o)
        o.adjust = .bonferroni
        let bonf = classifyEmerging(z: z, p: p, counts: counts, options: o)
        #expect(bh[2].hotSteps == T && bonf[2].hotSteps == 0)     // 20 × 0.02 = 0.4 > 0.10; BH: 0.02 × 20/10 = 0.04
        #expect(bh[0].hotSteps == T && bonf[0].hotSteps == T)     // 20 × 0.001 = 0.02 ≤ 0.10
    }

    /// Few incidents: a warning; every location with the same count: refused (Moran's I needs variation).
    @Test func sparseAndConstantCountsAreSaid() throws {
        var read = ReadOptions()
        read.mapping = ColumnMapping(x: "x", y: "y", date: "date", category: "kind")
        func run(_ rows: [(Int, Int)]) throws -> MoranJob.Result {
            let csv = "x,y,date,kind\n" + rows.map { "\(530_000 + $0.0 * 100 + 50),\(170_000 + $0.1 * 100 + 50),2024-01-05,a" }.joined(separator: "\n") + "\n"
            var m = MoranJob.Request()
            m.cell = 100; m.permutations = 99
            let p = request([try temporaryFile(csv, named: "m.csv")], read: read, out: NSTemporaryDirectory() + "hotspot-moran-\(UUID().uuidString)") { $0.moran = m }
            return try MoranJob.run(p, command: "t")
        }
        let sparse = try run([(0, 0), (0, 0), (1, 0), (4, 4), (2, 3)])
        #expect(sparse.warnings.contains { $0.hasPrefix("sparse data: 5 incidents in 25 locations") })
        do { _ = try run([(0, 0), (1, 0), (0, 1), (1, 1)]); Issue.record("ran") } catch let e as InputError {
            #expect("\(e)".contains("Moran's I is undefined without variation"))
        }
    }

    /// The permutations give the same pseudo p whatever the number of threads: each location has its own stream.
    @Test func pseudoPDoesNotDependOnTheChunks() {
        let n = 300
        let lists = (0..<n).map { k in [k - 1, k + 1, k - 20, k + 20].filter { (0..<n).contains($0) } }
        let x = (0..<n).map { Double(($0 * 7919) % 13) }
        let w = RowWeights(Neighbourhood(lists: lists))
        let a = localMoran(values: x, neighbourhood: Neighbourhood(lists: lists), permutations: 199, seed: 3)
        // The same locations in one chunk and in three uneven ones (as with one thread, or three).
        let one = localPermutations(x: x, z: a.z, weights: w, permutations: 199, seed: 3, chunks: [0..<n])
        let three = localPermutations(x: x, z: a.z, weights: w, permutations: 199, seed: 3, chunks: [0..<7, 7..<150, 150..<n])
        #expect(one == a.pSim && three == a.pSim)
        let again = localMoran(values: x, neighbourhood: Neighbourhood(lists: lists), permutations: 199, seed: 3)
        #expect(again.pSim == a.pSim)
        let other = localMoran(values: x, neighbourhood: Neighbourhood(lists: lists), permutations: 199, seed: 4)
        #expect(other.pSim != a.pSim)
    }
}
