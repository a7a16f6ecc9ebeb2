import Foundation
import Testing
@testable import HotspotIO

/// The zip reader on archives Python's zipfile writes (stored, deflated, ZIP64, a data descriptor), on damaged ones,
/// and over HTTP ranges (tools/fixture-server.py on loopback).
@Suite struct ZipReaderTests {
    /// Runs Python with `script` (argv[1] = a fresh folder) and returns that folder.
    func python(_ script: String) throws -> String {
        let dir = NSTemporaryDirectory() + "zipreader-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, dir]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return dir
    }

    static let makeZips = """
    import sys, zipfile, os, random
    d = sys.argv[1]
    rng = random.Random(7)
    text = b"".join(b"%d,row %d,E0100%04d\\r\\n" % (i, i, i % 9999) for i in range(20000))
    noise = rng.randbytes(70000)
    with zipfile.ZipFile(d + "/plain.zip", "w") as z:
        z.writestr(zipfile.ZipInfo("2022-03/2022-03-metropolitan-street.csv"), text, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("2022-03/2022-03-kent-street.csv"), noise, compress_type=zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("empty.csv"), b"", compress_type=zipfile.ZIP_DEFLATED)
    zipfile.ZIP64_LIMIT = 1000   # every member and the archive itself ZIP64 (as a > 4 GB archive would be)
    with zipfile.ZipFile(d + "/zip64.zip", "w", allowZip64=True) as z:
        for i in range(3):
            z.writestr(zipfile.ZipInfo("m%d.csv" % i), text[i * 5000:], compress_type=zipfile.ZIP_DEFLATED)
        with z.open("streamed.bin", "w", force_zip64=True) as f:
            f.write(noise)
    open(d + "/text.bin", "wb").write(text)
    open(d + "/noise.bin", "wb").write(noise)
    """

    @Test func storedDeflatedAndEmptyMembersAreByteIdentical() throws {
        let d = try python(ZipReaderTests.makeZips)
        let src = try FileRangeSource(path: d + "/plain.zip")
        let zip = try ZipReader(source: src)
        #expect(zip.members.map(\.name) == ["2022-03/2022-03-metropolitan-street.csv", "2022-03/2022-03-kent-street.csv", "empty.csv"])
        let text = try Data(contentsOf: URL(fileURLWithPath: d + "/text.bin"))
        let noise = try Data(contentsOf: URL(fileURLWithPath: d + "/noise.bin"))
        #expect(Data(try zip.data(zip.member("2022-03/2022-03-metropolitan-street.csv")!)) == text)
        #expect(zip.member("2022-03/2022-03-metropolitan-street.csv")!.method == 8)
        #expect(zip.member("2022-03/2022-03-kent-street.csv")!.method == 0)
        #expect(Data(try zip.data(zip.member("2022-03/2022-03-kent-street.csv")!)) == noise)
        #expect(try zip.data(zip.member("empty.csv")!).isEmpty)
        #expect(PoliceUKArchive.forces(zip.members) == ["kent", "metropolitan"])
    }

    @Test func zip64RecordsAndExtraFields() throws {
        let d = try python(ZipReaderTests.makeZips)
        let zip = try ZipReader(source: try FileRangeSource(path: d + "/zip64.zip"))
        let text = [UInt8](try Data(contentsOf: URL(fileURLWithPath: d + "/text.bin")))
        #expect(zip.members.count == 4)
        for i in 0..<3 { #expect(try zip.data(zip.member("m\(i).csv")!) == Array(text[(i * 5000)...])) }
        #expect(Data(try zip.data(zip.member("streamed.bin")!)) == (try Data(contentsOf: URL(fileURLWithPath: d + "/noise.bin"))))
    }

    @Test func readsOnlyTheTailAndTheMemberAskedFor() throws {
        let d = try python(ZipReaderTests.makeZips)
        let src = try FileRangeSource(path: d + "/plain.zip")
        let zip = try ZipReader(source: src)
        let afterDirectory = src.bytesRead
        #expect(afterDirectory < 70_000)  // the last 64 KiB + 42 bytes at most: not the members
        _ = try zip.data(zip.member("2022-03/2022-03-metropolitan-street.csv")!)
        let m = zip.member("2022-03/2022-03-metropolitan-street.csv")!
        #expect(src.bytesRead - afterDirectory == m.compressedSize + 30)
    }

    @Test func damagedArchivesSayWhatIsWrong() throws {
        let d = try python(ZipReaderTests.makeZips)
        let zip = try Data(contentsOf: URL(fileURLWithPath: d + "/plain.zip"))
        // Cut short: no end of central directory.
        try zip.prefix(zip.count / 2).write(to: URL(fileURLWithPath: d + "/cut.zip"))
        #expect { try ZipReader(source: try FileRangeSource(path: d + "/cut.zip")) } throws: { e in
            "\(e)".contains("no end of central directory") && "\(e)".contains("cut.zip") && "\(e)".contains("download it again")
        }
        // A flipped byte inside the deflated member: a CRC or deflate error naming the member.
        var bad = [UInt8](zip)
        let src = try FileRangeSource(path: d + "/plain.zip")
        let reader = try ZipReader(source: src)
        let m = reader.member("2022-03/2022-03-metropolitan-street.csv")!
        let at = Int(try reader.dataOffset(m)) + Int(m.compressedSize) / 2
        bad[at] ^= 0x5A
        try Data(bad).write(to: URL(fileURLWithPath: d + "/flipped.zip"))
        let z2 = try ZipReader(source: try FileRangeSource(path: d + "/flipped.zip"))
        #expect { try z2.data(z2.member(m.name)!) } throws: { e in
            "\(e)".contains("2022-03-metropolitan-street.csv is damaged") && "\(e)".contains("download the archive again")
        }
        // Not a zip at all.
        try Data(repeating: 0x41, count: 100).write(to: URL(fileURLWithPath: d + "/text.zip"))
        #expect(throws: ArchiveError.self) { try ZipReader(source: try FileRangeSource(path: d + "/text.zip")) }
    }

    @Test func overHTTPRangesFromTheFixtureServer() throws {
        let d = try python(ZipReaderTests.makeZips)
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", root.appendingPathComponent("tools/fixture-server.py").path, d, d + "/log.txt", "60"]
        let pipe = Pipe()
        server.standardOutput = pipe
        try server.run()
        // SIGKILL: a test runner may leave SIGTERM ignored in its children.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let port = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let client = try HTTPClient(settings: HTTPSettings(userAgent: "hotspot-tests"))
        let src = try HTTPRangeSource(url: "http://127.0.0.1:\(port)/plain.zip", client: client)
        #expect(src.etag != nil && src.lastModified != nil)
        let zip = try ZipReader(source: src)
        let text = try Data(contentsOf: URL(fileURLWithPath: d + "/text.bin"))
        #expect(Data(try zip.data(zip.member("2022-03/2022-03-metropolitan-street.csv")!)) == text)
        let whole = try FileRangeSource(path: d + "/plain.zip").size
        #expect(client.bytesReceived < whole)  // not the whole archive
        // A missing archive: 404, named.
        #expect { try HTTPRangeSource(url: "http://127.0.0.1:\(port)/nope.zip", client: client) } throws: { e in
            "\(e)".contains("nope.zip") && "\(e)".contains("404")
        }
        // A cut transfer: the .part resumes and the result is byte-identical.
        let out = d + "/out"
        var job = PoliceUKFetch(request: .init(archives: ["http://127.0.0.1:\(port)/cut/plain.zip"], archiveBase: "", force: "metropolitan",
                                               months: YearMonth("2022-03")!...YearMonth("2022-03")!, kinds: ["street"], newest: true, out: out, offline: false),
                                settings: HTTPSettings(userAgent: "hotspot-tests"), progress: { _ in })
        let o = try job.run()
        #expect(o.written == ["2022-03-metropolitan-street.csv"])
        #expect(o.notes.contains { $0.contains("resumed a cut transfer") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/2022-03-metropolitan-street.csv")) == text)
        let entry = try FetchManifest.load(folder: out).entry("2022-03-metropolitan-street.csv")!
        #expect(entry.rows == 19_999 && entry.lsoaCodes == nil && entry.anonymisation == "before-2022-07")
    }

    @Test func archiveChoiceAndVintages() {
        let v = [YearMonth("2018-09")!, YearMonth("2021-09")!, YearMonth("2022-09")!]
        let newest = PoliceUKArchive.choose(months: YearMonth("2018-03")!...YearMonth("2019-12")!, vintages: v, newest: true)
        #expect(PoliceUKArchive.held(by: YearMonth("2021-09")!).lowerBound == YearMonth("2018-10")!)
        #expect(newest.first { $0.0 == YearMonth("2018-03")! }!.1 == YearMonth("2018-09")!)
        #expect(newest.first { $0.0 == YearMonth("2019-12")! }!.1 == YearMonth("2022-09")!)
        let first = PoliceUKArchive.choose(months: YearMonth("2019-12")!...YearMonth("2019-12")!, vintages: v, newest: false)
        #expect(first[0].1 == YearMonth("2021-09")!)
        #expect(PoliceUKArchive.choose(months: YearMonth("2015-01")!...YearMonth("2015-01")!, vintages: v, newest: true)[0].1 == nil)
        #expect(PoliceUKArchive.parse(member: "2022-03/2022-03-city-of-london-stop-and-search.csv")!.force == "city-of-london")
        #expect(PoliceUKArchive.listed(in: #"<a href="2022-09.zip">x</a> <a href="https://x/y/2018-01.zip">"#) == ["2018-01.zip", "2022-09.zip"])
        #expect(PoliceUKVintage.lsoaCodes(["E01033768"], month: YearMonth("2022-03")!) == "2011")
        #expect(PoliceUKVintage.lsoaCodes(["E01033768", "E01034391"], month: YearMonth("2022-03")!) == "2021")
        #expect(PoliceUKVintage.lsoaCodes(["W01001959"], month: YearMonth("2022-03")!) == "2021")
        #expect(PoliceUKVintage.lsoaCodes(["E01000001"], month: YearMonth("2023-06")!) == "2021")
        // The real 2022-09 Lewisham file: 2011 codes retired in 2021 beside one 2021 code.
        #expect(PoliceUKVintage.lsoaCodes(["E01003317", "E01034391", "E01000001"], month: YearMonth("2022-09")!) == "mixed")
        #expect(PoliceUKVintage.lsoaCodes(["E01003317", "E01000001"], month: YearMonth("2023-07")!) == "2011")
        #expect(PoliceUKVintage.anonymisation(YearMonth("2022-07")!) == "from-2022-07")
    }

    @Test func readersTakeAnArchivesStreetFilesInPlace() throws {
        let d = try python("""
        import sys, zipfile
        d = sys.argv[1]
        h = b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\\r\\n"
        def rows(m, n):
            return h + b"".join(b"id%d,%s,Metropolitan Police Service,Metropolitan Police Service,-0.02%d,51.45%d,On or near X,E01003189,Lewisham 001A,Burglary,Under investigation,\\r\\n" % (i, m.encode(), i, i) for i in range(n))
        with zipfile.ZipFile(d + "/2022-09.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for m, n in (("2022-03", 5), ("2022-04", 7)):
                z.writestr(f"{m}/{m}-metropolitan-street.csv", rows(m, n))
                open(f"{d}/{m}-metropolitan-street.csv", "wb").write(rows(m, n))
            z.writestr("2022-03/2022-03-kent-street.csv", rows("2022-03", 2))
            z.writestr("2022-03/2022-03-metropolitan-stop-and-search.csv", b"Type,Date\\r\\n")
        """)
        let zip = d + "/2022-09.zip"
        let members = try ArchiveInput.expand([zip], force: "metropolitan")
        #expect(members == ["\(zip)#2022-03/2022-03-metropolitan-street.csv", "\(zip)#2022-04/2022-04-metropolitan-street.csv"])
        #expect(try ArchiveInput.expand([zip + "#metropolitan"], force: nil) == members)
        let inPlace = try IncidentReader.read(files: members)
        let extracted = try IncidentReader.read(files: [d + "/2022-03-metropolitan-street.csv", d + "/2022-04-metropolitan-street.csv"])
        #expect(inPlace.read == 12 && inPlace.accepted == 12)
        #expect(inPlace.files.map(\.sha256) == extracted.files.map(\.sha256))
        #expect(inPlace.files.map(\.read) == [5, 7])
        #expect(IncidentReader.detectFormat(members[0], options: ReadOptions()) == .policeuk)
        #expect { try ArchiveInput.expand([zip], force: "surrey") } throws: { e in "\(e)".contains("it holds: kent, metropolitan") }
        #expect { try ArchiveInput.expand([zip], force: nil) } throws: { e in "\(e)".contains("--force") }
        #expect(throws: InputError.notAFile(zip + "#2022-05/2022-05-metropolitan-street.csv",
                                            "\(zip) has no member 2022-05/2022-05-metropolitan-street.csv; its members are named like 2022-03/2022-03-metropolitan-street.csv")) {
            try IncidentReader.read(files: [zip + "#2022-05/2022-05-metropolitan-street.csv"])
        }
        #expect { try ArchiveInput.expand([zip + "#"], force: nil) } throws: { e in "\(e)".contains("nothing after '#'") }
    }
}
