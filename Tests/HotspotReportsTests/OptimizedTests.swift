import Foundation
@testable import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// `hotspot optimized`: planted clusters recovered at their scale, the incremental spatial autocorrelation equal to
/// esda's Moran on libpysal's DistanceBand (Tests/Fixtures/optimized, made by its make_fixtures.py), the cell size
/// from the data, and every choice written.
@Suite struct OptimizedTests {
    /// A CSV file as rows of name → text.
    static func csvRows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init))) }
    }
    var mapped: ReadOptions { var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind"); return o }

    /// 6,000 incidents uniform over 8 km × 8 km and 9 discs of `radius` metres, 2 km apart, 250 incidents each.
    func planted(radius: Double, seed: UInt64) throws -> String {
        var rng = SplitMix64(seed: seed)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var text = "when,E,N,kind\n"
        for _ in 0..<6000 { text += "2024-01-10,\(530_000 + u() * 8000),\(170_000 + u() * 8000),Burglary\n" }
        for cx in 1...3 { for cy in 1...3 { for _ in 0..<250 {
            let r = radius * u().squareRoot(), a = 2 * Double.pi * u()
            text += "2024-01-10,\(530_000 + Double(cx) * 2000 + r * cos(a)),\(170_000 + Double(cy) * 2000 + r * sin(a)),Burglary\n"
        } } }
        return try temporaryFile(text, named: "planted.csv")
    }

    /// The first significant peak lies within one band (100 m) of the planted radius, is the distance used, and the
    /// cells at the disc centres are hot.
    @Test(arguments: [300.0, 500.0]) func plantedClustersAreRecoveredAtTheirScale(radius: Double) throws {
        var r = OptimizedJob.Request(); r.cell = 100
        let p = request([try planted(radius: radius, seed: 7)], read: mapped, out: NSTemporaryDirectory() + "unused") { $0.optimized = r }
        let c = try OptimizedJob.compute(r, inputs: try p.loadInputs())
        let s = c.scale
        #expect(abs(s.start - 100) < 1e-9 && abs(s.increment - 100) < 1e-9, "bands from one cell by one cell on a full grid")
        let f = try #require(s.isa.firstPeak)
        #expect(abs(s.distances[f] - radius) <= 100 + 1e-9, "peak \(s.distances[f]) m for discs of \(radius) m")
        #expect(s.chosen == s.distances[f] && s.chosenBy == "first peak")
        #expect(c.choices.first { $0.key == "cell_size" }?.value == "100 m")
        #expect(c.choices.first { $0.key == "distance_band" }?.value == "\(Fmt.fixed(s.chosen, 1)) m")
        for cx in 1...3 { for cy in 1...3 {
            let k = try #require(c.locations.x.indices.first { abs(c.locations.x[$0] - (530_000 + Double(cx) * 2000 + 50)) < 1 && abs(c.locations.y[$0] - (170_000 + Double(cy) * 2000 + 50)) < 1 })
            #expect(c.gi.binFDR[k] == 3, "disc centre (\(cx), \(cy)) hot at 99 %")
        } }
    }

    /// Without --cell, the cell is the larger of the mean nearest-neighbour distance (distinct places, outliers out)
    /// and 1/100 of the extent's longer side, rounded up; checked against a brute force on a small set.
    @Test func cellSizeFromTheData() {
        var rng = SplitMix64(seed: 3)
        var x = (0..<300).map { _ in 530_000 + Double(rng.next() % 4000) }, y = (0..<300).map { _ in 170_000 + Double(rng.next() % 3000) }
        x += [x[0], x[1]]; y += [y[0], y[1]]                                       // coincident points: one place each
        x.append(560_000); y.append(170_000)                                        // a locational outlier 26 km away
        let nn = PointSpacing.nearestDistinct(x: x, y: y), out = PointSpacing.outliers(nearest: nn)
        #expect(out.filter { $0 }.count == 1 && out.last == true)
        let brute = x.indices.map { i in x.indices.filter { x[$0] != x[i] || y[$0] != y[i] }.map { ((x[$0] - x[i]) * (x[$0] - x[i]) + (y[$0] - y[i]) * (y[$0] - y[i])).squareRoot() }.min()! }
        for i in x.indices { #expect(abs(nn[i] - brute[i]) < 1e-9) }
        let keep = x.indices.filter { !out[$0] }
        let ann = keep.map { brute[$0] }.reduce(0, +) / Double(keep.count)
        let side = max(keep.map { x[$0] }.max()! - keep.map { x[$0] }.min()!, keep.map { y[$0] }.max()! - keep.map { y[$0] }.min()!)
        let got = OptimizedJob.cellFromData(x: x, y: y, nearest: nn, outliers: out)
        #expect(got.cell == max(ann, side / 100).rounded(.up) && abs(got.ann - ann) < 1e-9 && got.extentSide == side)
    }

    /// Each band's Moran's I, Var(I) under randomisation and z equal esda's Moran on libpysal's DistanceBand
    /// (binary, row-standardised) on the real 100 m grid of Lewisham burglary, and the bands are the ones the
    /// fixture script computes from the documented rule: ≤ 1e-9.
    @Test(arguments: ["nonzero", "all"]) func bandsEqualEsdaOnLewishamBurglary(set: String) throws {
        guard Paths.sharedAvailable else { print("skipped: ../shared is absent (the Lewisham reference grid)"); return }
        let cells = try Self.csvRows(Paths.sharedFile("reference/lewisham-burglary/marsep-2022/cells.csv"))
        let rows = cells.filter { set == "all" || Double($0["count"]!)! > 0 }
        let x = rows.map { Double($0["x"]!)! }, y = rows.map { Double($0["y"]!)! }, v = rows.map { Double($0["count"]!)! }
        let s = OptimizedJob.findScale(x: x, y: y, values: v, bands: 10)
        let ref = try Self.csvRows(Paths.fixture("optimized/isa_\(set).csv"))
        #expect(ref.count == 10 && s.isa.bands.count == 10)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
        for (b, r) in zip(s.isa.bands, ref) {
            #expect(close(b.distance, Double(r["distance"]!)!), "distance \(b.distance) vs \(r["distance"]!)")
            #expect(close(b.i, Double(r["I"]!)!), "I at \(b.distance): \(b.i) vs \(r["I"]!)")
            #expect(close(b.expected, Double(r["EI"]!)!))
            #expect(close(b.variance, Double(r["VI_rand"]!)!), "Var at \(b.distance)")
            #expect(close(b.z, Double(r["z_rand"]!)!), "z at \(b.distance): \(b.z) vs \(r["z_rand"]!)")
            #expect(b.minNeighbours == Int(r["min_neighbours"]!)! && close(b.meanNeighbours, Double(r["mean_neighbours"]!)!))
        }
    }

    /// The outputs: the Gi* layer and CSV, isa.csv with the peaks marked, isa.svg, report.txt with every choice,
    /// and the same choices in metadata.json.
    @Test func writesEveryChoice() throws {
        let out = NSTemporaryDirectory() + "hotspot-opt-\(UUID().uuidString)"
        var r = OptimizedJob.Request(); r.cell = 100
        let p = request([try planted(radius: 300, seed: 8)], read: mapped, out: out) { $0.optimized = r }
        let res = try OptimizedJob.run(p, command: "test")
        for f in ["optimized.geojson", "optimized.gpkg", "optimized.qml", "optimized.csv", "isa.csv", "isa.svg", "report.txt", "metadata.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(f)")
        }
        let isa = try Self.csvRows(out + "/isa.csv")
        #expect(isa.count == 10 && isa.filter { $0["peak"]!.contains("first") }.count == 1 && isa.filter { $0["peak"]!.contains("max") }.count == 1)
        let report = try String(contentsOfFile: out + "/report.txt", encoding: .utf8)
        let meta = try String(contentsOfFile: out + "/metadata.json", encoding: .utf8)
        for ch in res.computed.choices {
            #expect(report.contains("\(ch.key): \(ch.value)\n  \(ch.reason)"), "report: \(ch.key)")
            #expect(meta.contains("\"\(ch.key)_reason\""), "metadata: \(ch.key)")
        }
        #expect(try String(contentsOfFile: out + "/isa.svg", encoding: .utf8).contains("first and maximum peak"))
    }
}

extension OptimizedTests {
    /// `optimized:` in a project file: the request `hotspot optimized` builds from its flags; --bands is checked.
    @Test func decodesFromAProjectFile() throws {
        let demo = Paths.repo.appendingPathComponent("Geodata/demo").path
        let p = try Project.load(try temporaryFile("inputs: {files: [\(demo)/incidents.csv]}\nproducts:\n  optimized: {cell: 150, hex: flat, bands: 8}\n"))
        let r = try #require(p.products.optimized)
        #expect(r.cell == 150 && r.hex == .flat && r.bands == 8 && r.on == nil && !r.clip)
        let bad = try temporaryFile("inputs: {files: [\(demo)/incidents.csv]}\nproducts:\n  optimized: {bands: 2}\n")
        do { _ = try Project.load(bad); Issue.record("loaded") } catch let e as Project.ProjectError { #expect(e.key == "products.optimized.bands") }
    }

    /// Without a peak (a smooth west–east trend: z only rises with distance), the distance is the mean distance to the
    /// k-th nearest location, k = 5 % of the locations (here 20 of 400).
    @Test func withoutAPeakTheDistanceIsTheMeanDistanceToTheKNearest() {
        var x: [Double] = [], y: [Double] = [], v: [Double] = []
        for r in 0..<20 { for c in 0..<20 { x.append(Double(c) * 100); y.append(Double(r) * 100); v.append(Double(c)) } }
        let s = OptimizedJob.findScale(x: x, y: y, values: v, bands: 10)
        #expect(s.isa.peaks.isEmpty && s.isa.firstPeak == nil && s.fallbackK == 20)
        #expect(s.chosen == PointSpacing.meanKthNearest(x: x, y: y, k: 20) && s.chosenBy == "no significant peak: mean distance to the 20 nearest")
    }
}

extension OptimizedTests {
    /// A locational outlier (an incident 30 km from the rest) is reported, left out of the cell size (which stays
    /// that of the others), and still counted in its cell: the counts sum to every incident.
    @Test func aLocationalOutlierIsReportedAndStillCounted() throws {
        let path = try planted(radius: 300, seed: 9)
        let text = try String(contentsOfFile: path, encoding: .utf8) + "2024-01-10,560000.0,170000.0,Burglary\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let p = request([path], read: mapped, out: NSTemporaryDirectory() + "unused") { $0.optimized = OptimizedJob.Request() }
        let job = try p.loadInputs()
        let c = try OptimizedJob.compute(OptimizedJob.Request(), inputs: job)
        let t = job.incidents.table
        #expect(t.count == 6000 + 9 * 250 + 1)
        #expect(Int(c.choices.first { $0.key == "locational_outliers" }!.value)! >= 1)
        #expect(c.locations.counts.reduce(0, +) == Double(t.count), "every incident counted, the outlier too")
        #expect(c.warnings.contains { $0.hasPrefix("1 location(s) have no neighbour within") && $0.hasSuffix("their Gi* uses only themselves") })
        let nn = PointSpacing.nearestDistinct(x: t.x, y: t.y), out = PointSpacing.outliers(nearest: nn)
        #expect(out.last == true)
        let without = OptimizedJob.cellFromData(x: Array(t.x.dropLast()), y: Array(t.y.dropLast()), nearest: Array(nn.dropLast()), outliers: Array(out.dropLast()))
        #expect(c.choices.first { $0.key == "cell_size" }!.value == "\(Fmt.number(without.cell)) m", "the cell of the others")
    }
}
