import Foundation
import Testing
import HotspotTestSupport
@testable import HotspotIO

/// The stop-and-search and residents-by-group readers on damaged input (issue 23 part 7): every row accounted for
/// (kept + unreadable date = read, each left-out row with its line and reason), unusable coordinates kept as no
/// location and counted, one clear error for what cannot be read.
@Suite struct StopSearchHostileTests {
    static let header = "Type,Date,Latitude,Longitude,Outcome,Officer-defined ethnicity\n"

    @Test func everyRowIsKeptOrLeftOutWithItsLineAndReason() throws {
        let path = try temporaryFile(Self.header + "Person search,2018-06-01T10:00:00+01:00,51.45,-0.02,Arrest,White\n"
            + "Person search,not a date,51.45,-0.02,Arrest,White\n"
            + "Vehicle search,2018-06-02,95,-0.02,Martian outcome,Martian\n"
            + "Person search,2018-06-03,nan,inf,,\n"
            + "Person search,2018-06-04,,,,\n", named: "2018-06-metropolitan-stop-and-search.csv")
        let t = try StopSearchReader.read(files: [path])
        #expect(t.read == 5 && t.count == 4 && t.unreadableDates == 1 && t.count + t.unreadableDates == t.read)
        #expect(t.rejected.count == 1 && t.rejected[0].line == 3 && t.rejected[0].reason.contains("not a date"))
        // Latitude 95 and nan/inf: kept without a location and counted; blank coordinates are simply no location.
        #expect(t.badLocations == 2 && (0..<t.count).filter { !t.hasLocation($0) }.count == 3)
        // Unknown spellings are kept under their own text.
        #expect(t.column("Outcome").values.contains("Martian outcome") && t.column("Officer-defined ethnicity").values.contains("Martian"))
    }

    @Test func textThatIsNotUTF8IsRefusedNamingTheLine() throws {
        let dir = NSTemporaryDirectory() + "hotspot-stops-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/s.csv"
        try (Data(Self.header.utf8) + Data("Person search,2018-06-01,51.45,-0.02,Arr".utf8) + Data([0xE9]) + Data("t,White\n".utf8)).write(to: URL(fileURLWithPath: path))
        #expect(throws: InputError.self) { try StopSearchReader.read(files: [path]) }
        do { _ = try StopSearchReader.read(files: [path]) } catch { #expect("\(error)".contains("line 2") && "\(error)".contains("UTF-8")) }
    }

    @Test func residentsByGroupRefuseInfiniteCountsAndAnAreaGivenTwice() throws {
        let inf = try temporaryFile("code,White,Black,Asian,Mixed,Other\nW1,1000,500,1e400,100,100\n", named: "e.csv")
        #expect(throws: InputError.self) { try GroupPopulationReader.read(inf) }
        let twice = try temporaryFile("code,White,Black,Asian,Mixed,Other\nW1,1,2,3,4,5\nW1,1,2,3,4,5\n", named: "e.csv")
        do { _ = try GroupPopulationReader.read(twice); Issue.record("an area given twice was read") } catch { #expect("\(error)".contains("twice")) }
    }
}
