import Testing
@testable import HotspotServe

@Suite struct QueryTests {
    func parse(_ q: String, dated: Bool = true) throws(Problem) -> ItemsQuery {
        try ItemsQuery.parse(Percent.query(q), dated: dated, collection: "c")
    }

    func problem(_ q: String, dated: Bool = true) -> Problem? {
        do { _ = try parse(q, dated: dated); return nil } catch { return error }
    }

    @Test func defaults() throws {
        let q = try parse("")
        #expect(q.limit == 10 && q.offset == 0 && q.bbox == nil && q.datetime == nil && q.crs == .crs84 && q.format == .json)
    }

    @Test func limitIsCheckedAndClampedAt10000() throws {
        #expect(try parse("limit=250").limit == 250)
        #expect(try parse("limit=20000").limit == 10_000)
        for bad in ["limit=0", "limit=-3", "limit=abc", "limit=1.5", "limit="] {
            let p = problem(bad)
            #expect(p?.status == 400, "\(bad)")
            #expect(p?.detail.contains("send e.g. limit=100") == true)
        }
    }

    @Test func offset() throws {
        #expect(try parse("offset=30").offset == 30)
        #expect(problem("offset=-1")?.status == 400)
        #expect(problem("offset=x")?.detail.contains("follow the 'next' link") == true)
    }

    @Test func bbox() throws {
        #expect(try parse("bbox=-0.05,51.44,0.0,51.47").bbox == BBox(-0.05, 51.44, 0, 51.47))
        #expect(try parse("bbox=-0.05,51.44,0,0.0,51.47,10").bbox == BBox(-0.05, 51.44, 0, 51.47))
        #expect(try parse("bbox=1,2,3,4&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/27700").bboxCRS == .bng)
        for bad in ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=1,2,3,4,5", "bbox=2,2,1,3", "bbox=1,3,2,2", "bbox=-200,0,0,1", "bbox=0,-91,1,1", "bbox=nan,1,2,3", "bbox=1,2,3,4&bbox-crs=EPSG:4326"] {
            let p = problem(bad)
            #expect(p?.status == 400, "\(bad)")
            #expect(p?.title == "Bad Request")
        }
        #expect(problem("bbox=1,2,3")?.detail.contains("send e.g. bbox=") == true)
    }

    @Test func datetime() throws {
        let day = try #require(TimeParser.interval(of: "2025-10-14"))
        // An instant, a date (its whole day), intervals open at either end.
        let i = try #require(try parse("datetime=2025-10-14T12:00:00Z").datetime)
        #expect(i.start == day.lowerBound + 43200 && i.end == day.lowerBound + 43200)
        let d = try #require(try parse("datetime=2025-10-14").datetime)
        #expect(d.matches(day) && !d.matches(day.upperBound..<(day.upperBound + 86400)))
        let open = try #require(try parse("datetime=../2025-10-14").datetime)
        #expect(open.start == nil && open.matches(day))
        let open2 = try #require(try parse("datetime=2025-10-15T00:00:00Z/..").datetime)
        #expect(open2.end == nil && !open2.matches(day))
        #expect(try parse("datetime=2025-10-01T00:00:00%2B01:00/2025-10-02").datetime?.start == TimeParser.interval(of: "2025-10-01")!.lowerBound - 3600)
        for bad in ["datetime=yesterday", "datetime=2025-13-01", "datetime=2025-10-14/2025-10-01", "datetime=..", "datetime=a/b/c", "datetime=2025-10-14T25:00:00Z"] {
            #expect(problem(bad)?.status == 400, "\(bad)")
        }
        // On a collection with no date field: 400, saying to leave it out.
        let p = problem("datetime=2025-10-14", dated: false)
        #expect(p?.status == 400 && p?.detail.contains("leave datetime out") == true)
    }

    @Test func crsAndFormat() throws {
        #expect(try parse("crs=http://www.opengis.net/def/crs/EPSG/0/27700").crs == .bng)
        #expect(try parse("crs=%5BEPSG%3A27700%5D").crs == .bng)
        #expect(try parse("crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84").crs == .crs84)
        #expect(problem("crs=EPSG:3857")?.detail.contains("is not offered") == true)
        #expect(try parse("f=html").format == .html)
        #expect(problem("f=xml")?.status == 400)
        #expect(try Format.negotiate(f: nil, accept: "text/html,application/xhtml+xml,*/*;q=0.8") == .html)
        #expect(try Format.negotiate(f: nil, accept: "application/geo+json, application/json") == .json)
        #expect(try Format.negotiate(f: nil, accept: nil) == .json)
        #expect(try Format.negotiate(f: "json", accept: "text/html") == .json)
    }

    @Test func unknownAndRepeatedParametersAre400() {
        #expect(problem("bbbox=1,2,3,4")?.detail.contains("unknown query parameter 'bbbox'") == true)
        #expect(problem("limit=1&limit=2")?.detail.contains("more than once") == true)
    }

    @Test func problemJSONIsRFC7807() throws {
        let p = try #require(problem("limit=0"))
        let j = try JSONParser.parse(p.json)
        #expect(j["status"] == .int(400))
        #expect(j["title"]?.stringValue == "Bad Request")
        #expect(j["type"]?.stringValue != nil && j["detail"]?.stringValue != nil)
    }

    @Test func percentDecoding() {
        #expect(Percent.decode("a%20b") == "a b")
        #expect(Percent.decode("a+b", plusIsSpace: true) == "a b")
        #expect(Percent.decode("%zz") == nil)
        #expect(Percent.encode("a b/c") == "a%20b%2Fc")
    }

    @Test func timeFormatRoundTrips() {
        for s in ["1970-01-01T00:00:00Z", "2025-10-14T08:30:05Z", "2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z"] {
            #expect(TimeParser.format(TimeParser.instant(s)!) == s)
        }
        #expect(TimeParser.interval(of: "2025-10")!.upperBound - TimeParser.interval(of: "2025-10")!.lowerBound == 31 * 86400)
        #expect(TimeParser.interval(of: "2025-02-30") == nil)
    }
}

@Suite struct JSONTests {
    @Test func keepsOrderAndNumberText() throws {
        let j = try JSONParser.parse(Array(#"{"b":1,"a":0.000230,"c":[true,null,"x\"y\u00e9"],"d":-1.5e3}"#.utf8))
        #expect(String(decoding: JSONWriter.encode(j), as: UTF8.self) == #"{"b":1,"a":0.000230,"c":[true,null,"x\"yé"],"d":-1.5e3}"#)
    }

    @Test func rejectsBrokenJSON() {
        for bad in ["{", "[1,]", "{\"a\" 1}", "01x", "\"abc", "{\"a\":1} x", "[" + String(repeating: "[", count: 600)] {
            #expect(throws: JSONParser.ParseError.self) { try JSONParser.parse(Array(bad.utf8)) }
        }
    }

    @Test func fixedNeverNegativeZero() {
        var o: [UInt8] = []
        JSONWriter.fixed(-0.0000001, 3, into: &o)
        #expect(String(decoding: o, as: UTF8.self) == "0.000")
        o = []
        JSONWriter.fixed(-12.3456, 2, into: &o)
        #expect(String(decoding: o, as: UTF8.self) == "-12.35")
    }
}

@Suite struct GeometryTests {
    @Test func intersectsMatchesEdgeCases() {
        let square = Geometry(kind: .polygon, x: [0, 10, 10, 0, 0], y: [0, 0, 10, 10, 0], rings: [5])
        #expect(square.intersects(BBox(2, 2, 3, 3)))        // box inside the polygon
        #expect(square.intersects(BBox(-5, -5, 0, 0)))      // touching a corner
        #expect(square.intersects(BBox(-1, 4, 11, 5)))      // crossing, no vertex inside
        #expect(!square.intersects(BBox(11, 0, 12, 10)))
        let holed = Geometry(kind: .polygon, x: [0, 10, 10, 0, 0, 3, 7, 7, 3, 3], y: [0, 0, 10, 10, 0, 3, 3, 7, 7, 3], rings: [5, 5])
        #expect(!holed.intersects(BBox(4, 4, 6, 6)))         // inside the hole
        let line = Geometry(kind: .lineString, x: [0, 10], y: [0, 10], rings: [2])
        #expect(line.intersects(BBox(4, 4, 6, 6)) && !line.intersects(BBox(6, 0, 10, 3)))
    }
}
