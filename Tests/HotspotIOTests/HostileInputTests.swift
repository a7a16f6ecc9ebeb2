import Foundation
import HotspotCore
import HotspotTestSupport
import Testing
@testable import HotspotIO

/// Hostile inputs (issue 7): every class fails loudly with the file named, or is quarantined row by row; nothing is
/// read silently wrong.
@Suite struct HostileInputTests {
    func temp(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = NSTemporaryDirectory() + "hotspot-hostile-\(UUID().uuidString)-\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
    func temp(_ name: String, _ text: String) throws -> String { try temp(name, Array(text.utf8)) }

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    static let header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
    static func row(_ id: String, _ month: String, _ lon: String, _ lat: String, _ type: String = "Burglary") -> String {
        "\(id),\(month),Met,Met,\(lon),\(lat),On or near X,E01000001,Lewisham 001A,\(type),,\n"
    }

    @Test func truncatedGzipFailsNamingTheFile() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("hostile-policeuk.csv.gz")))
        for cut in [whole.count - 8, whole.count - 1, whole.count / 2, 20] {  // no CRC trailer, one byte short, mid-stream
            let p = try temp("cut\(cut).csv.gz", Array(whole.prefix(cut)))
            let m = message { _ = try IncidentReader.read(files: [p]) }
            #expect(m?.contains(p) == true && (m?.contains("truncated") == true || m?.contains("corrupt") == true), "cut at \(cut): \(m ?? "read without error")")
        }
        // The whole file still reads.
        #expect(try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv.gz")]).read == 13)
    }

    @Test func crOnlyLineEndingsReadLikeLF() throws {
        let text = Self.header + Self.row("a", "2022-03", "-0.02", "51.45") + Self.row("b", "2022-04", "-0.03", "51.46")
        let lf = try IncidentReader.read(files: [try temp("lf.csv", text)])
        let cr = try IncidentReader.read(files: [try temp("cr.csv", text.replacingOccurrences(of: "\n", with: "\r"))])
        #expect(lf.accepted == 2 && cr.accepted == 2)
        #expect(cr.table.x == lf.table.x && cr.table.sourceLine == [2, 3])
    }

    @Test func onlyPlainDecimalsAreCoordinates() throws {
        let bad = ["51\u{0}.999", "0x10", "1e-400", "inf", "nan", "-", ".", "1e", "1e+", "51.4.5", "+-1", "1,5", "١٢"]
        var text = Self.header
        for (k, v) in bad.enumerated() { text += Self.row("b\(k)", "2022-03", "-0.02", "\"\(v)\"") }
        let good = ["51.45", " 51.45 ", "5.145e1", "+51.45", "51.450", "0.5145E+2"]
        for (k, v) in good.enumerated() { text += Self.row("g\(k)", "2022-03", "-0.02", "\"\(v)\"") }
        let r = try IncidentReader.read(files: [try temp("numbers.csv", text)])
        #expect(r.quarantine.map(\.reason) == Array(repeating: .unparsableCoordinate, count: bad.count))
        #expect(r.accepted == good.count)
        #expect(r.table.y.allSatisfy { abs($0 - 51.45) < 1e-12 })
        #expect(FastDouble.parse(Array("1e-310".utf8).withUnsafeBufferPointer { $0 }) == nil)  // subnormal: underflow
    }

    @Test func implausibleDatesAreQuarantinedWithTheRange() throws {
        var text = Self.header
        for m in ["0000-01", "1899-12", "2100-01", "9999-12"] { text += Self.row("x\(m)", m, "-0.02", "51.45") }
        text += Self.row("ok", "1900-01", "-0.02", "51.45") + Self.row("ok2", "2099-12", "-0.02", "51.45")
        let r = try IncidentReader.read(files: [try temp("dates.csv", text)])
        #expect(r.accepted == 2)
        #expect(r.quarantine.allSatisfy { $0.reason == .badDate && $0.detail.contains("1900–2099") })
        #expect(r.quarantine.count == 4)
    }

    @Test func duplicatesNeedAnIdColumn() throws {
        let p = try temp("noid.csv", "when,E,N\n2024-01-05,537000,175000\n2024-01-05,537000,175000\n")
        var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when"); o.dropDuplicates = true
        let r = try IncidentReader.read(files: [p], options: o)
        #expect(r.accepted == 2 && r.files[0].duplicates == 0)
        let q = try temp("id.csv", "ref,when,E,N\n7,2024-01-05,537000,175000\n7,2024-01-05,537000,175000\n")
        o.mapping.id = "ref"
        let s = try IncidentReader.read(files: [q], options: o)
        #expect(s.accepted == 1 && s.files[0].duplicates == 1 && s.quarantine.map(\.reason) == [.duplicateRow])
    }

    @Test func tooManyCategoriesIsAnErrorNotATrap() throws {
        var text = "when,E,N,kind\n"
        for k in 0..<(IncidentTable.maxCategories + 10) { text += "2024-01-05,537000,175000,k\(k)\n" }
        let p = try temp("cats.csv", text)
        var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind")
        let m = message { _ = try IncidentReader.read(files: [p], options: o) }
        #expect(m?.contains("distinct categories") == true)
    }

    @Test func unbalancedQuoteSaysWhereItStarts() throws {
        let text = Self.header + Self.row("a", "2022-03", "-0.02", "51.45") + "b,2022-03,Met,Met,-0.02,51.45,\"On or near,E01,L,Burglary,,\n"
            + Self.row("c", "2022-03", "-0.02", "51.45")
        let r = try IncidentReader.read(files: [try temp("quote.csv", text)])
        #expect(r.accepted == 1 && r.read == 2 && r.accepted + r.quarantine.count == r.read)
        #expect(r.quarantine.first?.reason == .unbalancedQuote)
        #expect(r.quarantine.first?.detail.contains("opened on line 3") == true)
    }

    /// A quote still open where a CR ends the input (a header that is the whole file, the first line as the format
    /// is sniffed from it, a small CSV's last row): the field stops before the CR, as the record does. It ran one
    /// byte past the record and trapped in a debug build (issue 20: the fuzz run's "UnsafeBufferPointer.swift:1961").
    @Test func quoteOpenUpToAFinalCarriageReturn() throws {
        let open = try temp("open.csv", "Month,Longitude,Latitude,\"Crime type\nx\r")
        #expect(throws: InputError.self) { _ = try IncidentReader.read(files: [open]) }
        // The format is sniffed from the first line alone: here it ends inside the quotes, after a CR.
        let crlf = try temp("crlf.csv", "Crime ID,Month,Longitude,Latitude,\"Crime\r\ntype\"\r\n1,2022-03,-0.02,51.45,Burglary\r\n")
        #expect(IncidentReader.detectFormat(crlf, options: ReadOptions()) == nil)
        #expect(try CSVRows.read(try temp("pop.csv", "code,population\nE01,\"12\r")) == [["code", "population"], ["E01", "12"]])
    }

    @Test func aRowThatNeverEndsIsRefusedWithItsLine() throws {
        var text = Self.header + Self.row("a", "2022-03", "-0.02", "51.45")
        text += "b,2022-03,Met,Met,-0.02,51.45,\"never closed" + String(repeating: "\nmore text,more", count: 3000)
        var o = ReadOptions(); o.blockSize = 4096; o.maxRecordBytes = 16 << 10
        let m = message { _ = try IncidentReader.read(files: [try temp("runon.csv", text)], options: o) }
        #expect(m?.contains("line 3: one row runs on for more than 16 KiB") == true, "\(m ?? "")")
    }

    @Test func projectedCoordinatesMustBeOnEarth() throws {
        let p = try temp("xy.csv", "when,E,N\n2024-01-05,1e30,175000\n2024-01-05,537000,175000\n")
        var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when")
        let r = try IncidentReader.read(files: [p], options: o)
        #expect(r.quarantine.map(\.reason) == [.projectedOutOfRange] && r.accepted == 1)
    }

    @Test func nonNumericWeightHasItsOwnReason() throws {
        let p = try temp("w.csv", "when,E,N,harm\n2024-01-05,537000,175000,x\n2024-01-05,537000,175000,2\n")
        var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when", weight: "harm")
        let r = try IncidentReader.read(files: [p], options: o)
        #expect(r.quarantine.map(\.reason) == [.badWeight] && r.accepted == 1)
    }

    @Test func filesThatAreNotDataFilesSayWhy() throws {
        let dir = NSTemporaryDirectory() + "hotspot-dir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(message { _ = try IncidentReader.read(files: [dir]) }?.contains("a folder") == true)
        #expect(message { _ = try IncidentReader.read(files: ["/dev/zero"]) }?.contains("device") == true)
        let loop = dir + "/loop"
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        #expect(message { _ = try IncidentReader.read(files: [loop]) }?.contains("loop of symbolic links") == true)
        #expect(message { _ = try IncidentReader.read(files: [dir + "/none.csv"]) }?.contains("no such file") == true)
        let utf16 = try temp("utf16.csv", [0xFF, 0xFE] + Array(Self.header.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(message { _ = try IncidentReader.read(files: [utf16]) }?.contains("UTF-16") == true)
        let noBOM = try temp("utf16nobom.csv", Array(Self.header.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(message { _ = try IncidentReader.read(files: [noBOM]) }?.contains("NUL") == true)
        let long = try temp("long.csv", String(repeating: "x", count: 100_000))
        #expect(message { _ = try IncidentReader.read(files: [long]) }?.contains("KiB") == true)
    }

    @Test func theSameFileTwiceIsRefused() throws {
        let text = Self.header + Self.row("a", "2022-03", "-0.02", "51.45")
        let a = try temp("a.csv", text), b = try temp("b.csv", text)
        #expect(message { _ = try IncidentReader.read(files: [a, a]) }?.contains("named twice") == true)
        #expect(message { _ = try IncidentReader.read(files: [a, b]) }?.contains("identical contents") == true)
        let link = a + ".link.csv"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: a)
        #expect(message { _ = try IncidentReader.read(files: [a, link]) }?.contains("same file under two names") == true)
        // Months with no crime (a header alone) are alike without counting anything twice: read, not refused.
        let e1 = try temp("2022-04-empty.csv", Self.header), e2 = try temp("2022-05-empty.csv", Self.header)
        let r = try IncidentReader.read(files: [e1, a, e2])
        #expect(r.table.count == 1 && r.files.count == 3)
    }
}

@Suite struct HostileLayerTests {
    func layer(_ coords: String, crs: String = "") throws -> String {
        let p = NSTemporaryDirectory() + "hotspot-layer-\(UUID().uuidString).geojson"
        try """
        {"type":"FeatureCollection",\(crs)"features":[{"type":"Feature","properties":{"code":"A","name":"A"},
        "geometry":{"type":"Polygon","coordinates":[\(coords)]}}]}
        """.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    func message(_ p: String, epsg: Int? = nil) -> String? {
        do { _ = try PolygonLayerReader.read(path: p, declaredEPSG: epsg); return nil } catch { return "\(error)" }
    }
    let bngCRS = "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},"

    @Test func unclosedRingsAreRefused() throws {
        let p = try layer("[[537000,175000],[539000,175000],[539000,177300],[537000,177300]]", crs: bngCRS)
        #expect(message(p)?.contains("not closed") == true)
        let q = try layer("[[537000,175000],[539000,175000],[537000,175000]]", crs: bngCRS)
        #expect(message(q)?.contains("at least 4") == true)
        let r = try layer("[[537000,175000],[539000,\"x\"],[539000,177300],[537000,175000]]", crs: bngCRS)
        #expect(message(r)?.contains("position 2 is not a pair of numbers") == true)
    }

    @Test func coordinatesMustFitTheCRS() throws {
        let bngSquare = "[[537000,175000],[539000,175000],[539000,177300],[537000,177300],[537000,175000]]"
        let lonlatSquare = "[[-0.02,51.45],[0.0,51.45],[0.0,51.47],[-0.02,51.47],[-0.02,51.45]]"
        // BNG metres without a crs member are read as lon/lat: say so and name the flag.
        #expect(message(try layer(bngSquare))?.contains("--area-epsg NAME=27700") == true)
        // lon/lat declared as BNG.
        #expect(message(try layer(lonlatSquare, crs: bngCRS))?.contains("--area-epsg NAME=4326") == true)
        #expect(message(try layer(lonlatSquare), epsg: 27700)?.contains("look like WGS84") == true)
        // Absurd coordinates.
        #expect(message(try layer("[[1e30,1e30],[2e30,1e30],[2e30,2e30],[1e30,1e30]]", crs: bngCRS)) != nil)
        // The right ones read.
        #expect(message(try layer(bngSquare, crs: bngCRS)) == nil)
        #expect(message(try layer(lonlatSquare)) == nil)
    }

    @Test func unreadableLayersSayWhy() throws {
        let p = NSTemporaryDirectory() + "hotspot-layer-\(UUID().uuidString).geojson"
        try Data([0xFF, 0xFE, 0x7B, 0x00]).write(to: URL(fileURLWithPath: p))
        #expect(message(p)?.contains("UTF-16") == true)
        #expect(message(NSTemporaryDirectory())?.contains("a folder") == true)
        let latin1 = NSTemporaryDirectory() + "hotspot-pop-\(UUID().uuidString).csv"
        try Data("code,pop\nA\u{E9},1\n".data(using: .isoLatin1)!).write(to: URL(fileURLWithPath: latin1))
        do { _ = try PopulationReader.read(path: latin1); Issue.record("Latin-1 read") } catch {
            #expect("\(error)".contains("not UTF-8"))
        }
    }

    /// Populations of −5, inf, nan or 1e400 are refused with the line (issue 21: they were taken, giving rates of 0).
    @Test func impossiblePopulationsAreRefusedWithTheirLine() throws {
        for bad in ["-5", "inf", "nan", "1e400"] {
            let p = NSTemporaryDirectory() + "hotspot-pop-\(UUID().uuidString).csv"
            try "code,name,pop\nE1,A,100\nE2,B,\(bad)\n".write(toFile: p, atomically: true, encoding: .utf8)
            do { _ = try PopulationReader.read(path: p); Issue.record("\(bad) accepted") } catch {
                #expect("\(error)".contains("\(p):3: population '\(bad)' of E2"), "\(error)")
            }
        }
        let ok = NSTemporaryDirectory() + "hotspot-pop-\(UUID().uuidString).csv"
        try "code,name,pop\nE1,A,100\nE2,B,0\n".write(toFile: ok, atomically: true, encoding: .utf8)
        #expect(try PopulationReader.read(path: ok) == ["E1": 100, "E2": 0])
    }
}
