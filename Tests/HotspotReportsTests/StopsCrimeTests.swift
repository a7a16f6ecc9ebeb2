import Foundation
import Testing
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotTestSupport
@testable import HotspotReports

/// Searches beside street crime (`hotspot stops … --crime`): planted wards where searches are proportional to crime
/// (ρ = 1) or its reverse (ρ = −1), the points layer, the map and what metadata records. The real Lewisham figures
/// are recomputed in Python by tools/check_stops.py (tools/e2e).
@Suite struct StopsCrimeTests {
    /// Five square wards W0…W4 side by side around (−0.025, 51.45); ward k holds 10(k+1) burglaries and 7 drug
    /// crimes in W0 (left out by --type Burglary), and `searches(k)` person searches, all at the ward's centre.
    static func planted(searches: (Int) -> Int) throws -> (Project, String) {
        let dir = NSTemporaryDirectory() + "hotspot-stops-crime-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func lon(_ k: Int) -> String { String(format: "%.6f", -0.045 + 0.01 * Double(k)) }
        var crimes = ["Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"]
        var stops = ["Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing"]
        var features: [String] = []
        for k in 0..<5 {
            for i in 0..<(10 * (k + 1)) { crimes.append("c\(k)-\(i),2018-06,Met,Met,\(lon(k)),51.450000,On or near X,,,Burglary,,") }
            for i in 0..<searches(k) {
                stops.append("Person search,2018-06-10T12:00:00+00:00,False,,51.450000,\(lon(k)),Male,18-24,,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,\(i % 2 == 0 ? "Arrest" : "A no further action disposal"),,")
            }
            let x0 = -0.05 + 0.01 * Double(k), x1 = x0 + 0.01
            features.append(#"{"type":"Feature","properties":{"code":"W\#(k)","name":"Ward \#(k)"},"geometry":{"type":"Polygon","coordinates":[[[\#(x0),51.44],[\#(x1),51.44],[\#(x1),51.46],[\#(x0),51.46],[\#(x0),51.44]]]}}"#)
        }
        for i in 0..<7 { crimes.append("d\(i),2018-06,Met,Met,\(lon(0)),51.450000,On or near X,,,Drugs,,") }
        try (crimes.joined(separator: "\n") + "\n").write(toFile: dir + "/2018-06-metropolitan-street.csv", atomically: true, encoding: .utf8)
        try (stops.joined(separator: "\n") + "\n").write(toFile: dir + "/2018-06-metropolitan-stop-and-search.csv", atomically: true, encoding: .utf8)
        try (#"{"type":"FeatureCollection","features":["# + features.joined(separator: ",") + "]}").write(toFile: dir + "/wards.geojson", atomically: true, encoding: .utf8)
        try "code,population\nW0,1000\nW1,1000\nW2,2000\nW3,2000\nW4,4000\n".write(toFile: dir + "/pop.csv", atomically: true, encoding: .utf8)
        var read = ReadOptions(); read.useStore = false; read.selection = Selection(types: ["Burglary"], from: nil, to: nil)
        let wards = LayerSpec(name: "wards", path: dir + "/wards.geojson", idField: "code", nameField: "name", population: dir + "/pop.csv")
        let p = request([dir + "/2018-06-metropolitan-street.csv"], read: read, boundary: wards, layers: [wards], out: dir + "/out") {
            $0.stops = .init(); $0.stops?.files = [dir + "/2018-06-metropolitan-stop-and-search.csv"]
        }
        return (p, dir)
    }

    static func rows(_ t: Table, scope: String) -> [[Value]] { t.rows.filter { $0[0] == .string(scope) } }

    @Test func searchesProportionalToCrimeGiveRhoOneAndEqualRates() throws {
        let (p, dir) = try Self.planted { 2 * ($0 + 1) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try StopsJob.run(p, command: "test")
        let c = try #require(r.crime)
        #expect(c.crimes == 150, "the 7 drug crimes are left out by --type Burglary")
        #expect(r.inScope == 30, "--type selects crime types: every object of search is kept")
        let wards = Self.rows(c.table, scope: "wards")
        #expect(wards.count == 7)  // five wards, no_location, outside
        for (k, row) in wards.prefix(5).enumerated() {
            #expect(row[3] == .int(2 * (k + 1)) && row[4] == .int(10 * (k + 1)))
            #expect(row[5] == .double(20, decimals: 2), "searches per 100 crimes")
            #expect(row[9] == .double(Double(5 - k), decimals: 1) && row[10] == .double(Double(5 - k), decimals: 1), "ranks, 1 = most")
        }
        // Residents 1,000 in W0: 2 searches and 10 crimes per 1,000.
        #expect(wards[0][6] == .double(1000, decimals: nil) && wards[0][7] == .double(2, decimals: 3) && wards[0][8] == .double(10, decimals: 3))
        let rho = try #require(c.correlations.first { $0.scope == "wards" }).r
        #expect(rho.rho == 1 && rho.n == 5 && rho.p == 0 && rho.low == 1)
        #expect(r.summary.contains("wards: Spearman's rank correlation of searches and crimes over 5 areas ρ = 1.00"))
        #expect(r.summary.hasSuffix(StopsRatios.caveat + "\n"), "the caveat stays the last line")
        let summary = try String(contentsOfFile: p.out + "/searches-vs-crime-summary.csv", encoding: .utf8)
        #expect(summary.contains("\nwards,5,30,150,1.0000,1.0000,1.0000,0.0000\n"))
        let meta = try String(contentsOfFile: p.out + "/metadata.json", encoding: .utf8)
        #expect(meta.contains("Fieller, Hartley & Pearson 1957") && meta.contains("2018-06-metropolitan-stop-and-search.csv") && meta.contains("\"crimes_analysed\" : \"150\""))
    }

    @Test func searchesReversedAgainstCrimeGiveRhoMinusOne() throws {
        let (p, dir) = try Self.planted { 2 * (5 - $0) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try StopsJob.run(p, command: "test")
        let rho = try #require(r.crime?.correlations.first { $0.scope == "wards" }).r
        #expect(rho.rho == -1 && rho.high == -1)
    }

    @Test func searchesAndCrimesOfDifferentMonthsAreWarned() throws {
        let (p, dir) = try Self.planted { 2 * ($0 + 1) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let crimes = try String(contentsOfFile: p.files[0], encoding: .utf8).replacingOccurrences(of: ",2018-06,Met,", with: ",2018-05,Met,")
        try crimes.write(toFile: p.files[0], atomically: true, encoding: .utf8)
        let r = try StopsJob.run(p, command: "test")
        #expect(r.warnings.contains("the searches cover 2018-06 and the crimes 2018-05: searches and crimes are compared over different months (use --from/--to)"))
    }

    @Test func pointsLayerHasOneFeaturePerMapPointWithItsCounts() throws {
        let (p, dir) = try Self.planted { 2 * ($0 + 1) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try StopsJob.run(p, command: "test")
        let data = try #require(FileManager.default.contents(atPath: p.out + "/stops-points.geojson"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.count == 5)
        let first = try #require(features.first)
        let props = try #require(first["properties"] as? [String: Any])
        // W0: 2 searches, one arrest (found), one no further action; both person searches; linked not recorded.
        #expect(props["searches"] as? Int == 2 && props["found"] as? Int == 1 && props["n_outcome"] as? Int == 2 && props["linked"] as? Int == 0)
        #expect(props["person"] as? Int == 2 && props.count == 6, "\(props)")
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"coordinates\":[-0.045000,51.450000]"), "RFC 7946 lon/lat to 6 decimals")
        #expect(FileManager.default.fileExists(atPath: p.out + "/stops-points.gpkg") && FileManager.default.fileExists(atPath: p.out + "/stops-points.qml"))
        let qml = try String(contentsOfFile: p.out + "/stops-points.qml", encoding: .utf8)
        #expect(qml.contains("GraduatedSize"))
    }

    @Test func mapDrawsSearchesOverTheCrimeDensity() throws {
        var (p, dir) = try Self.planted { 2 * ($0 + 1) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var mo = MapOptions(); mo.formats = [.svg]
        p.products.stops?.map = mo
        let r = try StopsJob.run(p, command: "test")
        let svg = try String(contentsOfFile: p.out + "/stops-map.svg", encoding: .utf8)
        #expect(svg.contains("Street crime density (crimes per km²)"))
        #expect(svg.contains("Searches (30) at 5 map points:") && svg.contains("10 searches at one anonymous map point"))
        #expect(svg.contains("bandwidth") && svg.contains("ArcGIS rule"))
        #expect(svg.contains(">Ward 2</text>"))
        #expect(svg.contains("fill=\"#2166ac\""))
        #expect(r.written.contains("stops-map.svg") && !r.written.contains("stops-map.png"))
        let meta = try String(contentsOfFile: p.out + "/metadata.json", encoding: .utf8)
        #expect(meta.contains("map_kde_bandwidth_m"))
    }

    /// The project-file spelling of `hotspot stops STOPS --crime CRIME --map --map-format svg`: the crimes as the
    /// inputs, the searches as `stops: {files}`, the map from the project's `map:` section.
    @Test func aProjectFileSpellsCrimeAsInputsAndSearchesAsStopsFiles() throws {
        let (q, dir) = try Self.planted { 2 * ($0 + 1) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = "inputs: {files: [2018-06-metropolitan-street.csv], types: [Burglary]}\nboundary: wards.geojson\nout: out2\n"
            + "map: {formats: [svg]}\nproducts:\n  stops: {files: [2018-06-*-stop-and-search.csv], map: true}\n"
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let p = try Project.load(dir + "/p.yaml")
        #expect(p.files == q.files && p.products.stops?.files == q.products.stops?.files)
        #expect(p.products.stops?.map?.formats == [.svg] && p.inputPaths.contains(q.products.stops!.files[0]))
        let r = try StopsJob.run(p, command: "test")
        #expect(r.crime?.crimes == 150 && FileManager.default.fileExists(atPath: p.out + "/stops-map.svg"))
    }

    @Test func withoutCrimeTheMapShowsSearchesPerWardAndNoComparisonIsWritten() throws {
        var (p, dir) = try Self.planted { 2 * ($0 + 1) }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The searches as the project's inputs (no crime): as `hotspot stops FILES --map`.
        p.files = p.products.stops!.files; p.products.stops?.files = []; p.read.selection = Selection(types: [], from: nil, to: nil)
        var mo = MapOptions(); mo.formats = [.svg]
        p.products.stops?.map = mo
        let r = try StopsJob.run(p, command: "test")
        #expect(r.crime == nil && !FileManager.default.fileExists(atPath: p.out + "/searches-vs-crime.csv"))
        let svg = try String(contentsOfFile: p.out + "/stops-map.svg", encoding: .utf8)
        #expect(svg.contains("Searches per ward") && !svg.contains("Street crime"))
    }
}
