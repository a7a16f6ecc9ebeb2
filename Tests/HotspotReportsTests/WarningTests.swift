import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// The analysis warnings and refusals the README promises (issue 7).
@Suite struct WarningTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path
    func out() -> String { NSTemporaryDirectory() + "hotspot-warn-\(UUID().uuidString)" }
    func csv(_ text: String) throws -> String {
        let p = NSTemporaryDirectory() + "hotspot-warn-\(UUID().uuidString).csv"
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    var mapped: ReadOptions {
        var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind"); return o
    }
    var lonLat: ReadOptions {
        var o = ReadOptions(); o.mapping = ColumnMapping(lon: "lon", lat: "lat", date: "when"); return o
    }

    /// Degrees given as x/y with the default EPSG:27700, and a quote never closed, are said on stderr (issue 21).
    @Test func degreesAsMetresAndAnUnclosedQuoteAreSaid() throws {
        let deg = try Pipeline.loadIncidents(files: [try csv("when,E,N,kind\n2024-01-05,-0.02,51.45,Burglary\n2024-01-06,-0.03,51.46,Burglary\n")], options: mapped)
        #expect(deg.warnings.contains { $0.contains("look like longitude and latitude, not EPSG:27700 metres") })
        let metres = try Pipeline.loadIncidents(files: [try csv("when,E,N,kind\n2024-01-05,538000,175000,Burglary\n")], options: mapped)
        #expect(!metres.warnings.contains { $0.contains("look like longitude") })
        let p = try csv("when,E,N,kind\n2024-01-05,538000,175000,Burglary\n2024-01-06,\"538100,175100,Burglary\n2024-01-07,538200,175200,Burglary\n")
        let quote = try Pipeline.loadIncidents(files: [p], options: mapped)
        #expect(quote.warnings.contains { $0.hasPrefix("\(p):3: a quoted field opened on line 3 is never closed") }, "\(quote.warnings)")
        #expect(quote.balances)
    }

    @Test func emptyTimeStepsAreNamed() throws {
        // Incidents in 2023-01..03 and 2023-07..08: April, May, June are empty.
        var text = "when,E,N,kind\n"
        for (m, n) in [(1, 30), (2, 25), (3, 20), (7, 30), (8, 22)] {
            for k in 0..<n { text += "2023-0\(m)-10,\(537000 + (k % 5) * 200),\(175000 + (k / 5) * 200),Burglary\n" }
        }
        var o = EmergingJobOptions(); o.cell = 200
        let r = try EmergingJob.run(request([try csv(text)], read: mapped, out: out()) { $0.emerging = o }, command: "t")
        let w = r.warnings.first { $0.contains("hold no incidents at all") }
        #expect(w?.contains("3 of 8 time steps") == true && w?.contains("2023-04 … 2023-06") == true, "\(r.warnings)")
        let c = try CompareJob.run(request([try csv(text)], read: mapped, out: out()) {
            $0.compare = .init(periods: [Period(parsing: "2023-01..2023-03")!, Period(parsing: "2023-05..2023-08")!])
        }, command: "t")
        #expect(c.warnings.contains { $0.contains("2023-05..2023-08: 2 of its 4 months hold no incidents (2023-05 … 2023-06)") }, "\(c.warnings)")
    }

    @Test func sparseGiStarWarns() throws {
        var text = "when,E,N,kind\n"
        for k in 0..<6 { text += "2023-01-10,\(537000 + k * 1500),\(175000 + k * 900),Burglary\n" }
        let r = try GiStarJob.run(request([try csv(text)], read: mapped, out: out()) {
            var g = Project.GiStarRequest(); g.cell = 50; g.seed = 1; $0.gistar = g
        }, command: "t")
        #expect(r.warnings.contains { $0.hasPrefix("sparse data: 6 incidents in 6 of") }, "\(r.warnings)")
        #expect(sparseWarnings(counts: [0, 0, 0], bins: [0, 0, 0]).first?.contains("undefined") == true)
        #expect(sparseWarnings(counts: Array(repeating: 3, count: 100), bins: Array(repeating: 0, count: 100)).isEmpty)
    }

    @Test func swappedLongitudeAndLatitudeWarn() throws {
        let p = try csv("when,lon,lat\n2024-01-05,51.45,-0.02\n2024-01-06,51.46,-0.03\n")
        let inc = try Pipeline.loadIncidents(files: [p], options: lonLat)
        #expect(inc.warnings.contains { $0.contains("2 of 2 incidents lie outside Great Britain") && $0.contains("swapped") }, "\(inc.warnings)")
        #expect(inc.warnings.contains { $0.contains("unknown accuracy") })
        let ok = try Pipeline.loadIncidents(files: [try csv("when,lon,lat\n2024-01-05,-0.02,51.45\n")], options: lonLat)
        #expect(ok.warnings.isEmpty)
    }

    @Test func aBoundaryThatHoldsNoIncidentIsAnError() throws {
        let p = try csv("when,E,N,kind\n2024-01-05,400000,300000,Burglary\n")
        let b = try Pipeline.loadLayer(LayerSpec(name: "boundary", path: Self.demo + "/boundary.geojson"))
        do { _ = try Pipeline.loadIncidents(files: [p], options: mapped, boundary: b); Issue.record("no error") } catch {
            #expect("\(error)".contains("none of the 1 incidents lies inside the boundary") && "\(error)".contains("--area-epsg boundary=27700"))
        }
    }

    @Test func aLayerThatMissesTheIncidentsWarns() throws {
        let p = try csv("when,E,N,kind\n2024-01-05,400000,300000,Burglary\n")
        let r = try AreasJob.run(request([p], read: mapped, layers: [LayerSpec(name: "wards", path: Self.demo + "/wards.geojson")], out: out()), command: "t")
        #expect(r.warnings.contains { $0.contains("layer wards") && $0.contains("does not overlap the incidents") }, "\(r.warnings)")
    }

    @Test func extentSetsTheGridButKeepsIncidents() throws {
        var o = KDEOptions(); o.cell = 100; o.bandwidth = 400
        o.extent = Extent(minX: 537000, minY: 173000, maxX: 539000, maxY: 175000)
        let r = try KDEJob.run(request([Self.demo + "/incidents.csv"], out: out()) { $0.kde = o }, command: "t")
        #expect(r.surface.grid.x0 == 537000 && r.surface.grid.ncols == 21)
        #expect(r.incidents.quarantine.allSatisfy { $0.reason != .outsideStudyArea })
        // Densities near the edge include incidents outside the extent: equal to the same cells of a wider grid.
        var w = o; w.extent = Extent(minX: 535000, minY: 171000, maxX: 541000, maxY: 177000)
        let wide = try KDEJob.run(request([Self.demo + "/incidents.csv"], out: out()) { $0.kde = w }, command: "t")
        let g = r.surface.grid, gw = wide.surface.grid
        let k = 0, kw = gw.index(x: g.centre(index: k).x, y: g.centre(index: k).y)!
        #expect(abs(r.surface.values[k] - wide.surface.values[kw]) < 1e-9 * max(1, wide.surface.values[kw]))
        #expect(r.surface.values[k] > 0)
    }

    @Test func quarantineKeepsTheRowForEveryReason() throws {
        let b = try Pipeline.loadLayer(LayerSpec(name: "boundary", path: Self.demo + "/boundary.geojson"))
        let inc = try Pipeline.loadIncidents(files: [Self.demo + "/incidents.csv"], options: ReadOptions(), boundary: b)
        let outside = inc.quarantine.filter { $0.reason == .outsideStudyArea }
        #expect(!outside.isEmpty)
        let lines = try String(contentsOfFile: Self.demo + "/incidents.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        for q in outside { #expect(q.raw == String(lines[q.line - 1]), "line \(q.line)") }
        #expect(inc.quarantine.allSatisfy { !$0.raw.isEmpty })
    }

    @Test func categoriesDifferingInCaseGetDistinctColumns() throws {
        let p = try csv("when,E,N,kind\n2024-01-05,537500,175500,Burglary\n2024-01-05,537500,175500,burglary\n")
        let r = try AreasJob.run(request([p], read: mapped, layers: [LayerSpec(name: "wards", path: Self.demo + "/wards.geojson")], out: out()), command: "t")
        let cols = r.layers[0].table.columns
        #expect(cols.contains("count_burglary") && cols.contains("count_burglary_2"))
        #expect(Set(cols.map { $0.lowercased() }).count == cols.count)
    }

    @Test func impossibleWorkIsRefusedBeforeAllocating() throws {
        let g = SquareGrid(x0: 0, y0: 0, cellSize: 1, ncols: 5000, nrows: 1000)
        let binned = KDEPlan(count: 1000, grid: g, parameters: KDEParameters(bandwidth: 100_000, kernel: .quartic, unit: .perKm2, mode: .binned))
        #expect(binned.refusal(cellLimit: 5_000_000) != nil)
        let exact = KDEPlan(count: 10_000_000, grid: g, parameters: KDEParameters(bandwidth: 100_000, kernel: .quartic, unit: .perKm2, mode: .exact))
        #expect(exact.refusal(cellLimit: 5_000_000)?.contains("hours") == true)
        #expect(throws: GridError.self) { _ = try SquareGrid(covering: Extent(minX: -1e30, minY: 0, maxX: 1e30, maxY: 1), cellSize: 1) }
        #expect(throws: GridError.self) { _ = try HexGrid(covering: Extent(minX: -1e30, minY: 0, maxX: 1e30, maxY: 1), size: 1, orientation: .flat) }
        do { _ = try SquareGrid(covering: Extent(minX: 0, minY: 0, maxX: 1e6, maxY: 1e6), cellSize: 1, cellLimit: 1000) } catch {
            #expect("\(error)".contains("use a larger --cell"))
        }
    }

    @Test func aSinglePointWithoutACellSizeSaysWhatToGive() throws {
        let p = try csv("when,E,N,kind\n2024-01-05,537500,175500,Burglary\n")
        do {
            _ = try GridJob.run(request([p], read: mapped, out: out()), command: "t")
            Issue.record("no error")
        } catch { #expect("\(error)".contains("give --cell")) }
    }

    @Test func tooManyStepsAreRefused() throws {
        let p = try csv("when,E,N,kind\n1900-01-05,537500,175500,Burglary\n2099-01-05,537600,175500,Burglary\n")
        var o = EmergingJobOptions(); o.cell = 100; o.step = .days(1)
        do {
            _ = try EmergingJob.run(request([p], read: mapped, out: out()) { $0.emerging = o }, command: "t")
            Issue.record("no error")
        } catch { #expect("\(error)".contains("above \(TimeSteps.maxSteps)")) }
    }
}
