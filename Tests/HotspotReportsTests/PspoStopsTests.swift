import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Stop and search as a PSPO pack's enforcement section (issue 23 part 6): the searches inside the restricted area
/// in the pack's period, by object of search and outcome, their find rates (Wilson) with small counts suppressed.
@Suite struct PspoStopsTests {
    /// Planted searches for `PspoTests.planted`'s 200 m square (centre −0.013637, 51.458040): inside, in 2024, 10
    /// Controlled drugs (4 arrests, 6 no further action) and 2 Stolen goods (1 arrest, 1 no further action); outside
    /// the square 7 searches; inside but dated 2023 (before the pack's period) 5; one without a location.
    static func stops(_ dir: String) throws -> String {
        var rows = ["Type,Date,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search"]
        func add(_ n: Int, _ obj: String, _ outcome: String, date: String = "2024-05-10T12:00:00+00:00", lat: String = "51.458040", lon: String = "-0.013637") {
            for _ in 0..<n { rows.append("Person search,\(date),\(lat),\(lon),Male,18-24,,Black,Misuse of Drugs Act 1971 (section 23),\(obj),\(outcome),") }
        }
        add(4, "Controlled drugs", "Arrest"); add(6, "Controlled drugs", "A no further action disposal")
        add(1, "Stolen goods", "Arrest"); add(1, "Stolen goods", "A no further action disposal")
        add(7, "Controlled drugs", "Arrest", lat: "51.470277", lon: "0.007053")
        add(5, "Controlled drugs", "Arrest", date: "2023-05-10T12:00:00+00:00")
        add(1, "Controlled drugs", "Arrest", lat: "", lon: "")
        let path = dir + "/2024-05-metropolitan-stop-and-search.csv"
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func searchesInsideTheAreaAreTheEnforcementSectionWithFindRates() throws {
        var (p, area) = try PspoTests().planted()
        let dir = (area as NSString).deletingLastPathComponent
        p.products.pspo!.stops = [try Self.stops(dir)]
        p.read.selection.from = CivilDate.days(year: 2024, month: 1, day: 1)
        _ = try PspoJob.run(p, command: "hotspot pspo")
        let pt = PspoTests()
        let byObject = try pt.csv(p.out, "enforcement-by-restriction")
        #expect(byObject[0] == ["object_of_search", "A no further action disposal", "Arrest", "total"])
        // Stolen goods' 1, 1 and 2 are below 3, so Controlled drugs' cells are withheld too (each would give one away).
        #expect(byObject.contains(["Controlled drugs", "*", "*", "*"]) && byObject.contains(["Stolen goods", "<3", "<3", "<3"]))
        #expect(byObject.last == ["Total", "7", "5", "12"])
        let fr = try pt.csv(p.out, "enforcement-find-rates")
        // The find rate of Controlled drugs (4 of 10) would give those cells away: withheld too.
        #expect(fr.contains(["Controlled drugs", "found", "*", "*", "", "", ""]))
        #expect(fr.contains(["All", "found", "5", "12", Fmt.fixed(500.0 / 12, 1), Fmt.fixed(100 * WilsonInterval(k: 5, n: 12).low!, 1), Fmt.fixed(100 * WilsonInterval(k: 5, n: 12).high!, 1)]))
        // 1 found of 2: k, n and n − k below 3, no share.
        #expect(fr.contains(["Stolen goods", "found", "<3", "<3", "", "", ""]))
        let html = try String(contentsOfFile: p.out + "/index.html", encoding: .utf8)
        #expect(html.contains("Source: police.uk stop and search") && html.contains("12 search(es) inside the restricted area") && html.contains("1 search(es) of the period without a location"))
        let inputs = try String(contentsOfFile: p.out + "/exhibits/inputs.csv", encoding: .utf8)
        #expect(inputs.contains("stop and search (police.uk)"))
    }

    /// A project's `stops: {files}` is the pack's enforcement when the pack gives none.
    @Test func theProjectsStopAndSearchFilesAreThePacksEnforcement() throws {
        var (p, area) = try PspoTests().planted()
        var s = Project.StopsRequest(); s.files = [try Self.stops((area as NSString).deletingLastPathComponent)]
        p.products.stops = s
        p.read.selection.from = CivilDate.days(year: 2024, month: 1, day: 1)
        _ = try PspoJob.run(p, command: "hotspot pspo")
        #expect(try PspoTests().csv(p.out, "enforcement-by-restriction").last == ["Total", "7", "5", "12"])
    }

    @Test func recordsAndStopsTogetherAreRefused() throws {
        var (p, area) = try PspoTests().planted()
        let dir = (area as NSString).deletingLastPathComponent
        p.products.pspo!.stops = [try Self.stops(dir)]
        p.products.pspo!.enforcement = Paths.repo.appendingPathComponent("Geodata/demo/enforcement.csv").path
        #expect(throws: InputError.self) { try PspoJob.run(p, command: "hotspot pspo") }
    }
}
