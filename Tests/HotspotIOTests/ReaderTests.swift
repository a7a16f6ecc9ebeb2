import Foundation
import HotspotCore
import HotspotTestSupport
import Testing
@testable import HotspotIO

@Suite struct ReaderTests {
    @Test func everyQuarantineReasonIsAccountedFor() throws {
        let r = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv")])
        let f = r.files[0]
        #expect(f.read == 13)
        #expect(r.accepted == 7)
        #expect(r.accepted + r.quarantine.count == r.read)
        #expect(f.balances)
        let byReason = Dictionary(grouping: r.quarantine, by: \.reason).mapValues { $0.map(\.line) }
        #expect(byReason[.missingCoordinate] == [6])
        #expect(byReason[.unparsableCoordinate] == [7])
        #expect(byReason[.coordinateOutOfRange] == [8])
        #expect(byReason[.badDate] == [9])
        #expect(byReason[.wrongFieldCount] == [10])
        #expect(byReason[.invalidUTF8] == [14])
        #expect(f.duplicates == 1)  // the repeated ASB row has no Crime ID: not a duplicate
        #expect(r.table.sourceLine == [2, 3, 4, 5, 11, 13, 15])
        #expect(r.table.categories.contains("Vehicle crime"))
        #expect(r.quarantine.allSatisfy { !$0.raw.isEmpty && $0.file.hasSuffix("hostile-policeuk.csv") })
    }

    @Test func droppedDuplicatesGoToQuarantine() throws {
        var o = ReadOptions(); o.dropDuplicates = true
        let r = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv")], options: o)
        #expect(r.accepted == 6)
        #expect(r.quarantine.filter { $0.reason == .duplicateRow }.map(\.line) == [3])
        #expect(r.accepted + r.quarantine.count == r.read)
    }

    @Test func coordinatesAndMonthsAreRead() throws {
        let r = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv")])
        #expect(r.table.epsg == 4326)
        #expect(r.table.x[0] == -0.02 && r.table.y[0] == 51.45)
        #expect(r.table.resolution == .month)
        #expect(CivilDate.dayLabel(Int(r.table.day[0])) == "2022-03-01")
    }

    @Test func wrongHeaderNamesTheMissingColumns() throws {
        let p = NSTemporaryDirectory() + "hotspot-badheader-\(UUID().uuidString).csv"
        try "Crime ID,Month,Longitude\nx,2022-03,0.1\n".write(toFile: p, atomically: true, encoding: .utf8)
        var o = ReadOptions(); o.format = .policeuk
        #expect(throws: InputError.badHeader(file: p, format: "police.uk street-level", missing: ["Latitude", "Crime type"])) {
            try IncidentReader.read(files: [p], options: o)
        }
        do { _ = try IncidentReader.read(files: [p], options: o) } catch {
            #expect("\(error)".contains("formats understood"))
        }
    }

    @Test func genericCSVWithMappingAndWeights() throws {
        let p = NSTemporaryDirectory() + "hotspot-generic-\(UUID().uuidString).csv"
        try "ref,when,E,N,kind,harm\n1,2024-01-05,537000.5,175000.25,Assault,3\n2,2024-01-06T10:00:00Z,537100,175100,Theft,1\n3,2024-02,537200,175200,Theft,x\n"
            .write(toFile: p, atomically: true, encoding: .utf8)
        var o = ReadOptions()
        o.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind", id: "ref", weight: "harm")
        let r = try IncidentReader.read(files: [p], options: o)
        #expect(r.table.epsg == 27700)
        #expect(r.accepted == 2 && r.quarantine.count == 1)
        #expect(r.table.weight == [3, 1])
        #expect(r.table.resolution == .day)
        #expect(r.table.x == [537000.5, 537100])
    }

    @Test func stopAndSearchHasLatitudeFirst() throws {
        let p = NSTemporaryDirectory() + "hotspot-ss-\(UUID().uuidString).csv"
        try """
            Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing
            Person search,2018-05-31T23:01:00+00:00,False,,51.45,-0.02,Male,18-24,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,,False

            """.write(toFile: p, atomically: true, encoding: .utf8)
        let r = try IncidentReader.read(files: [p])
        #expect(r.files[0].format == "stopsearch")
        #expect(r.table.x == [-0.02] && r.table.y == [51.45])
        #expect(CivilDate.dayLabel(Int(r.table.day[0])) == "2018-06-01")
        #expect(r.table.categories == ["Controlled drugs"])
    }

    /// Real files: every row accounted for, and the known quirks (CRLF, blank ASB ids, no-location rows).
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: real police.uk files skipped"))
    func realCityOfLondonMonth() throws {
        let r = try IncidentReader.read(files: [Paths.sharedFile("data/policeuk/city-of-london/2016-07-city-of-london-street.csv")])
        #expect(r.read == 536)
        #expect(r.accepted + r.quarantine.count == 536)
        #expect(r.quarantine.filter { $0.reason == .missingCoordinate }.count == 27)
        #expect(r.table.categories.contains("Anti-social behaviour"))
    }
}

@Suite struct GzipReaderTests {
    /// A .csv.gz streams through zlib and gives exactly the rows, lines and reasons of the plain file; its SHA-256 is
    /// the compressed file's own.
    @Test func gzipEqualsPlain() throws {
        let plain = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv")])
        let gz = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv.gz")])
        #expect(gz.table.x == plain.table.x && gz.table.sourceLine == plain.table.sourceLine)
        #expect(gz.quarantine.map(\.line) == plain.quarantine.map(\.line))
        #expect(gz.files[0].format == "policeuk+gzip")
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("hostile-policeuk.csv.gz")))
        #expect(gz.files[0].sha256 == Hashing.sha256(data) && gz.files[0].bytes == data.count)
    }

    /// Two gzip members back to back (as `cat a.gz b.gz` makes) are both read; tiny blocks make records straddle
    /// block boundaries. The fixture has no final newline, so its last row and the second copy's header run together
    /// into one 23-field row, quarantined as such — the bytes are what they are, and every row is accounted for.
    @Test func concatenatedMembersAndSmallBlocks() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("hostile-policeuk.csv.gz")))
        let p = NSTemporaryDirectory() + "hotspot-gz-\(UUID().uuidString).csv.gz"
        try (data + data).write(to: URL(fileURLWithPath: p))
        var o = ReadOptions(); o.blockSize = 64
        let a = try IncidentReader.read(files: [p], options: o)
        let one = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv")])
        #expect(a.read == 2 * one.read)
        #expect(a.accepted == 2 * one.accepted - 1)
        #expect(a.accepted + a.quarantine.count == a.read)
        #expect(a.quarantine.contains { $0.reason == .wrongFieldCount && $0.line == 15 && $0.detail.hasPrefix("23 fields") })
    }

    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: real gzip files skipped"))
    func realWestYorkshireMonth() throws {
        let r = try IncidentReader.read(files: [Paths.sharedFile("data/policeuk/west-yorkshire/2018-07-west-yorkshire-street.csv.gz")])
        #expect(r.read == 31_635)
        #expect(r.accepted + r.quarantine.count == r.read)
        #expect(r.quarantine.filter { $0.reason == .missingCoordinate }.count == 883)
        let full = try IncidentReader.read(files: [Paths.sharedFile("data/policeuk/met-burglary-full/2018-06-metropolitan-street.csv.gz")])
        #expect(full.read == 6_099 && full.quarantine.filter { $0.reason == .missingCoordinate }.count == 18)
    }
}

@Suite struct HostileBytesTests {
    /// Random damage to a valid file (flipped, inserted and deleted bytes, quotes, NULs, CRs, high bytes) never
    /// crashes the reader, and every data row it sees is accepted or quarantined.
    @Test(arguments: 0..<40)
    func damagedFilesBalance(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("hostile-policeuk.csv"))))
        let headerEnd = bytes.firstIndex(of: 10)! + 1
        let specials: [UInt8] = [0, 10, 13, 34, 44, 0xFF, 0xC3, 0x80, 45, 46]
        for _ in 0..<(1 + Int(rng.next() % 30)) {
            let pos = headerEnd + Int(rng.next() % UInt64(max(1, bytes.count - headerEnd)))
            let b = rng.next() % 2 == 0 ? specials[Int(rng.next() % UInt64(specials.count))] : UInt8(truncatingIfNeeded: rng.next())
            switch rng.next() % 3 {
            case 0: if pos < bytes.count { bytes[pos] = b }
            case 1: bytes.insert(b, at: min(pos, bytes.count))
            default: if pos < bytes.count { bytes.remove(at: pos) }
            }
        }
        let p = NSTemporaryDirectory() + "hotspot-fuzz-\(seed)-\(UUID().uuidString).csv"
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        var results: [ReadResult] = []
        for block in [64, 1 << 22] {
            var o = ReadOptions(); o.blockSize = block
            let r = try IncidentReader.read(files: [p], options: o)
            #expect(r.accepted + r.quarantine.count == r.read)
            #expect(r.files[0].balances)
            #expect(r.table.x.allSatisfy { $0 >= -180 && $0 <= 180 })
            results.append(r)
        }
        // The block size changes nothing: same rows, same lines, same reasons.
        #expect(results[0].table.sourceLine == results[1].table.sourceLine)
        #expect(results[0].quarantine.map(\.line) == results[1].quarantine.map(\.line))
        #expect(results[0].quarantine.map(\.reason) == results[1].quarantine.map(\.reason))
    }
}

@Suite struct SegmentedParsingTests {
    /// A file large enough to be cut into one segment per core gives exactly what a tiny-block, one-segment read
    /// gives: rows, physical line numbers (quoted newlines included) and quarantine reasons.
    @Test func segmentsEqualSequential() throws {
        let text = try String(contentsOfFile: Paths.fixture("hostile-policeuk.csv"), encoding: .isoLatin1)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var body = ""
        for k in 0..<600 {
            for l in lines.dropFirst() where !l.isEmpty { body += l.replacingOccurrences(of: "aaa", with: "r\(k)x") + "\n" }
            body += "q\(k),2022-05,M,M,-0.01,51.46,\"two\nlines, with a comma\",E01003254,Lewisham 036C,Drugs,x,\n"
        }
        let p = NSTemporaryDirectory() + "hotspot-seg-\(UUID().uuidString).csv"
        try Data((String(lines[0]) + "\n" + body).utf8).write(to: URL(fileURLWithPath: p))
        var big = ReadOptions(); big.blockSize = 1 << 22
        var tiny = ReadOptions(); tiny.blockSize = 300
        let a = try IncidentReader.read(files: [p], options: big), b = try IncidentReader.read(files: [p], options: tiny)
        #expect(a.read > 7000 && a.accepted + a.quarantine.count == a.read)
        #expect(a.table.sourceLine == b.table.sourceLine)
        #expect(a.table.x == b.table.x && a.table.category == b.table.category)
        #expect(a.quarantine.map(\.line) == b.quarantine.map(\.line))
        #expect(a.files[0].duplicates == b.files[0].duplicates && a.files[0].sha256 == b.files[0].sha256)
        // The file ends with a row whose quoted field spans two lines: it starts on the second-to-last line.
        let newlines = (String(lines[0]) + "\n" + body).utf8.filter { $0 == 10 }.count
        #expect(a.table.sourceLine.last == UInt32(newlines - 1))
    }
}
