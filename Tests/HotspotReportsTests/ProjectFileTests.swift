import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Project files (issue 9): strict decoding with file, line and key; one read for every product.
@Suite struct ProjectFileTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    func write(_ text: String) throws -> String { try temporaryFile(text) }
    func error(_ text: String) throws -> Project.ProjectError? {
        do { _ = try Project.load(try write(text)); return nil } catch let e as Project.ProjectError { return e }
    }
    var base: String {
        """
        inputs:
          files: [\(Self.demo)/incidents.csv]
        areas:
          wards: {file: \(Self.demo)/wards.geojson, population: \(Self.demo)/wards_population.csv}
        products:
          areas: {}
          grid: {cell: 500}
        """
    }

    @Test func theShippedDemoProjectAndTheInitExampleLoad() throws {
        let p = try Project.load(Self.demo + "/project.yaml")
        #expect(p.products.names == ["areas", "grid", "kde", "gistar", "emerging", "compare", "pspo"])
        #expect(p.files == [Self.demo + "/incidents.csv"] && p.layers.map(\.name) == ["wards", "lsoa"])
        let dir = NSTemporaryDirectory() + "hotspot-init-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ProjectJob.example(data: Self.demo).write(toFile: dir + "/h.yaml", atomically: true, encoding: .utf8)
        #expect(try Project.load(dir + "/h.yaml").products.names.count == 6)
    }

    /// A project for `hotspot weekly` alone: neither `weekly:` nor `products:`, or an empty `weekly:` (docs/how-to/weekly-layers.md).
    @Test func aWeeklyProjectNeedsNeitherProductsNorAWeeklySection() throws {
        let minimal = "inputs:\n  files: [\(Self.demo)/incidents.csv]\nboundary: \(Self.demo)/boundary.geojson\n"
        let p = try Project.load(try write(minimal))
        #expect(p.products.names.isEmpty && p.weekly.kdeCell == WeeklyJob.Options().kdeCell)
        let empty = try Project.load(try write(minimal + "weekly:\n"))
        #expect(empty.products.names.isEmpty && empty.weekly.gistarCell == WeeklyJob.Options().gistarCell)
        // An empty products section is a mistake, not a weekly project.
        #expect(try error(minimal + "products: {}\n")?.key == "products")
    }

    @Test func mistakesNameTheLineAndTheKey() throws {
        let unknown = try error(base + "\n  kde: {cel: 100}\n")
        #expect(unknown?.line == 8 && unknown?.key == "products.kde.cel" && unknown?.message.contains("takes") == true)
        let type = try error(base.replacingOccurrences(of: "cell: 500", with: "cell: big"))
        #expect(type?.line == 7 && type?.key == "products.grid.cell" && type?.message.contains("number from 1 to 100000") == true)
        let missing = try error(base.replacingOccurrences(of: "wards_population.csv", with: "nope.csv"))
        #expect(missing?.line == 4 && missing?.key == "areas.wards.population" && missing?.message.contains("no such file") == true)
        let noGlob = try error(base.replacingOccurrences(of: "incidents.csv", with: "none-*.csv"))
        #expect(noGlob?.key == "inputs.files")
        let syntax = try error("inputs:\n  files: [a.csv\n")
        #expect(syntax?.key == "(syntax)")
        #expect(try error(base + "\nextra: 1\n")?.key == "extra")
    }

    /// `kde: {recency: …}` spells `kde --recency` (a prospective surface); a window that is not one names its key.
    @Test func kdeRecencyIsSpelledInAProjectFile() throws {
        let p = try Project.load(try write(base + "\n  kde: {cell: 100, recency: 6months}\n"))
        #expect(p.products.kde?.recency == .months(6))
        let bad = try error(base + "\n  kde: {recency: 3fortnights}\n")
        #expect(bad?.key == "products.kde.recency" && bad?.message.contains("2months") == true)
    }

    /// `sparse: true` (issue 26): grid, kde and gistar take it and write the occupied cells only; moran refuses it,
    /// and so does a clipped grid, each saying why.
    @Test func sparseIsSpelledInAProjectFile() throws {
        var p = try Project.load(try write(base.replacingOccurrences(of: "grid: {cell: 500}", with: "grid: {cell: 100, sparse: true}")
                                           + "\n  gistar: {cell: 100, sparse: true}\n  kde: {cell: 100, bandwidth: 300, sparse: true}\n  emerging: {cell: 100, sparse: true}\n"))
        #expect(p.products.grid?.sparse == true && p.products.gistar?.sparse == true && p.products.kde?.sparse == true)
        #expect(p.products.emerging?.grid.sparse == true)
        p.out = NSTemporaryDirectory() + "hotspot-sparse-\(UUID().uuidString)"
        _ = try ProjectJob.run(p, command: "t", log: { _ in })
        for n in ["grid", "gistar", "kde", "emerging"] {
            let m = try String(contentsOfFile: p.out + "/\(n)/metadata.json", encoding: .utf8)
            #expect(m.contains("sparse (occupied cells only)"), "\(n)")
        }
        let grid = try String(contentsOfFile: p.out + "/grid/grid.csv", encoding: .utf8)
        #expect(!grid.contains(",0,0\n") && grid.split(separator: "\n").count > 100)
        for bad in ["\n  moran: {cell: 100, sparse: true}\n", "\n  optimized: {sparse: true}\n"] {
            #expect(throws: (any Error).self) { try Project.load(try write(base + bad)) }
            do { _ = try Project.load(try write(base + bad)) } catch { #expect("\(error)".contains("grid, kde, gistar and emerging"), "\(error)") }
        }
        do { _ = try Project.load(try write(base.replacingOccurrences(of: "grid: {cell: 500}", with: "grid: {cell: 100, sparse: true, clip: true}"))); Issue.record("sparse with clip loaded") }
        catch { #expect("\(error)".contains("without clip")) }
        do { _ = try Project.load(try write(base + "\n  emerging: {cell: 100, sparse: true, clip: true}\n")); Issue.record("emerging sparse with clip loaded") }
        catch { #expect("\(error)".contains("without clip")) }
    }

    @Test func oneRunReadsOnceAndWritesEveryProduct() throws {
        let out = NSTemporaryDirectory() + "hotspot-run-\(UUID().uuidString)"
        var p = try Project.load(try write(base + "\n  compare: {periods: [2024-03..2024-09, 2025-03..2025-09]}\n"))
        p.out = out
        let (inc, names, _) = try ProjectJob.run(p, command: "t", log: { _ in })
        #expect(names == ["areas", "grid", "compare"])
        #expect(inc.balances)
        for n in names { #expect(FileManager.default.fileExists(atPath: out + "/\(n)/metadata.json")) }
        // Same counts as the separate command.
        let alone = try AreasJob.run(request(p.files, read: p.read, layers: p.layers, out: out + "-alone") { $0.areas = .init() }, command: "t")
        let fromRun = try String(contentsOfFile: out + "/areas/areas-wards.csv", encoding: .utf8)
        #expect(fromRun == (try String(contentsOfFile: out + "-alone/areas-wards.csv", encoding: .utf8)))
        #expect(alone.layers[0].rows.reduce(0) { $0 + $1.count } > 0)
    }

    @Test func aPspoProductDecodesEveryKeyAndRefusesMistakes() throws {
        let p = try Project.load(try write(base + """

          pspo:
            area: \(Self.demo)/restricted-area.geojson
            name: The Parade
            types: [Anti-social behaviour, Public order]
            rings: [100, 300, 600]
            window: 04..10
            change: 2025-01
            enforcement: \(Self.demo)/enforcement.csv
            sources: {demo police: \(Self.demo)/incidents.csv}
            as_of: 2026-01-31
            pdf: false
        """))
        let r = try #require(p.products.pspo)
        #expect(r.area?.path.hasSuffix("restricted-area.geojson") == true && r.name == "The Parade")
        #expect(r.types == ["Anti-social behaviour", "Public order"] && r.rings == [100, 300, 600])
        #expect(r.windowFirstMonth == 4 && r.windowLastMonth == 10 && r.change == CivilDate.days(year: 2025, month: 1, day: 1))
        #expect(r.sources["\(Self.demo)/incidents.csv"] == "demo police" && r.asOf == "2026-01-31" && !r.pdf)
        #expect(p.products.names.last == "pspo" && Project.Products.written(p.products.names).contains("pspo.zip"))
        let e = try error(base + "\n  pspo: {area: \(Self.demo)/restricted-area.geojson, rings: [500, 250]}\n")
        #expect(e?.key == "products.pspo.rings" && e?.message.contains("increasing") == true)
        let e2 = try error(base + "\n  pspo: {types: [Drugs]}\n")
        #expect(e2?.key == "products.pspo" && e2?.message.contains("restricted area") == true)
    }

    @Test func theWeeklySectionSetsTheWindows() throws {
        let text = """
        inputs:
          files: [\(Self.demo)/incidents.csv]
        boundary: \(Self.demo)/boundary.geojson
        weekly:
          hotspot_weeks: 2
          emerging_weeks: 8
          gistar_cell: 300
          suppress_below: 4
          map: false
        """
        let p = try Project.load(try write(text))
        #expect(p.products.names.isEmpty)
        #expect(p.weekly.hotspot == 2 && p.weekly.emerging == 8 && p.weekly.gistarCell == 300 && p.weekly.suppressBelow == 4)
        #expect(p.weekly.map == nil && p.weekly.gistar == 4 && p.weekly.kdeCell == 100)
        #expect(try error(text.replacingOccurrences(of: "hotspot_weeks: 2", with: "hotspot_weeks: 99"))?.key == "weekly.hotspot_weeks")
        // Months: the unit's defaults (3, 3, 12) unless set; *_periods is the neutral name.
        var monthly = p.weekly
        monthly.unit = .month
        #expect(monthly.hotspot == 2 && monthly.gistar == 3 && monthly.emerging == 8)
        let q = try Project.load(try write(text.replacingOccurrences(of: "emerging_weeks: 8", with: "emerging_periods: 0\n  baseline: 2023-W01..2023-W52\n  track_from: 2024-W01")))
        #expect(q.weekly.emerging == 0 && q.weekly.baseline == WeeklyJob.PeriodRange(from: "2023-W01", to: "2023-W52") && q.weekly.trackFrom == "2024-W01")
        // Fewer than 5 emerging steps can never show a significant trend; a baseline that is not FROM..TO is refused.
        #expect(try error(text.replacingOccurrences(of: "emerging_weeks: 8", with: "emerging_weeks: 3"))?.message.contains("at least 5") == true)
        #expect(try error(text.replacingOccurrences(of: "emerging_weeks: 8", with: "baseline: 2023-W01"))?.message.contains("FROM..TO") == true)
    }
}
