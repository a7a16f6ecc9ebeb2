import Foundation
import HotspotCore
import Testing
@testable import HotspotIO
import HotspotTestSupport

@Suite struct LeakyBucketTests {
    /// Sends `n` requests as fast as the bucket lets them, on a simulated clock; returns their send times.
    func sendTimes(_ n: Int, rate: Double, burst: Double, askedAt: (Int) -> Double = { _ in 0 }) -> [Double] {
        var bucket = LeakyBucket(rate: rate, burst: burst)
        var now = 0.0, times: [Double] = []
        for i in 0..<n {
            now = max(now, askedAt(i))
            now += bucket.reserve(now: now)  // the caller sleeps the wait
            times.append(now)
        }
        return times
    }

    @Test func aBurstGoesAtOnceThenTheRate() {
        let t = sendTimes(60, rate: 15, burst: 30)
        #expect(t.prefix(30).allSatisfy { $0 == 0 })
        #expect(abs(t[30] - 1.0 / 15) < 1e-9)
        #expect(abs(t[59] - 30.0 / 15) < 1e-9)
    }

    @Test func noWindowHoldsMoreThanTheBurstPlusTheRate() {
        // Requests asked in irregular clumps: in every window [t_i, t_j], at most burst + rate·(t_j − t_i) are sent.
        let t = sendTimes(300, rate: 15, burst: 30, askedAt: { i in Double(i / 50) * 1.7 })
        for i in t.indices { for j in i..<t.count {
            #expect(Double(j - i + 1) <= 30 + 15 * (t[j] - t[i]) + 1e-6)
        } }
        // and the long-run rate is 15/s: 300 requests take (300 − 30)/15 s at least
        #expect(t.last! >= 270.0 / 15 - 1e-9)
    }

    @Test func anIdleBucketDrains() {
        var b = LeakyBucket(rate: 15, burst: 30)
        for _ in 0..<30 { #expect(b.reserve(now: 0) == 0) }
        #expect(b.reserve(now: 0) > 0)
        var c = LeakyBucket(rate: 15, burst: 30)
        for _ in 0..<30 { _ = c.reserve(now: 0) }
        #expect(c.reserve(now: 2) == 0)  // two seconds later the bucket is empty again
    }
}

@Suite struct PoliceAPITests {
    @Test func everyCategorySlugHasItsCSVName() {
        let expected = ["anti-social-behaviour": "Anti-social behaviour", "bicycle-theft": "Bicycle theft", "burglary": "Burglary",
                        "criminal-damage-arson": "Criminal damage and arson", "drugs": "Drugs", "other-theft": "Other theft",
                        "possession-of-weapons": "Possession of weapons", "public-order": "Public order", "robbery": "Robbery",
                        "shoplifting": "Shoplifting", "theft-from-the-person": "Theft from the person",
                        "vehicle-crime": "Vehicle crime", "violent-crime": "Violence and sexual offences", "other-crime": "Other crime"]
        for (slug, name) in expected { #expect(PoliceCrimeCategory.csvName(slug, month: "2024-01") == name) }
        #expect(PoliceCrimeCategory.csvName("violent-crime", month: "2013-04") == "Violent crime")
        #expect(PoliceCrimeCategory.csvName("public-disorder-weapons", month: "2012-01") == "Public disorder and weapons")
        #expect(PoliceCrimeCategory.csvName("new-slug", month: "2024-01") == "new-slug")
    }

    @Test func theRealAPIAnswerDecodes() throws {
        // An API answer as police.uk gives it (shared data: 2014-08 near the Isle of Dogs), when available.
        let path = Paths.sharedFile("data/policeuk/api-json/all-crime_1.json")
        guard FileManager.default.fileExists(atPath: path) else { return }
        let crimes = try JSONDecoder().decode([APICrime].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(crimes.count == 376)
        let unknown = Set(crimes.map(\.category)).filter { PoliceCrimeCategory.names[$0] == nil }
        #expect(unknown.isEmpty)
    }

    @Test func apiRecordsBecomeStreetRows() throws {
        let json = """
            [{"category":"violent-crime","location_type":"Force","location":{"latitude":"51.450000","street":{"id":1,"name":"On or near High Street"},"longitude":"-0.020000"},
              "context":"","outcome_status":{"category":"Under investigation","date":"2024-01"},"persistent_id":"abc","id":11,"location_subtype":"","month":"2024-01"},
             {"category":"anti-social-behaviour","location_type":"BTP","location":{"latitude":"51.460000","street":{"id":2,"name":"On or near Station"},"longitude":"-0.030000"},
              "context":"note","outcome_status":null,"persistent_id":"","id":12,"location_subtype":"","month":"2024-01"}]
            """
        let rows = try PoliceAPIFetcher.rows(json: Array(json.utf8), forceName: "Metropolitan Police Service")
        #expect(rows.map(\.fields) == [
            ["abc", "2024-01", "Metropolitan Police Service", "Metropolitan Police Service", "-0.020000", "51.450000",
             "On or near High Street", "", "", "Violence and sexual offences", "Under investigation", ""],
            ["", "2024-01", "British Transport Police", "British Transport Police", "-0.030000", "51.460000",
             "On or near Station", "", "", "Anti-social behaviour", "", "note"],
        ])
        #expect(rows.map(\.apiID) == [11, 12])
        // police.uk's own answer (shared data): every record a row, ASB without Crime ID, every type a CSV name.
        let path = Paths.sharedFile("data/policeuk/api-json/all-crime_1.json")
        guard FileManager.default.fileExists(atPath: path) else { return }
        let real = try PoliceAPIFetcher.rows(json: Array(try Data(contentsOf: URL(fileURLWithPath: path))), forceName: "Metropolitan Police Service")
        #expect(real.count == 376)
        #expect(real.filter { $0.crimeType == "Anti-social behaviour" }.allSatisfy { $0.crimeID.isEmpty })
        #expect(real.allSatisfy { PoliceCrimeCategory.names.values.contains($0.crimeType) && !$0.location.isEmpty })
        // Its British Transport Police records (at stations, named as such) are labelled so.
        #expect(real.filter { $0.reportedBy == "British Transport Police" }.allSatisfy { !$0.location.hasPrefix("On or near") })
        #expect(real.contains { $0.reportedBy == "British Transport Police" })
    }

    @Test func streetCSVLayout() {
        let r = StreetRow(apiID: 7, crimeID: "abc", month: "2024-01", reportedBy: "Metropolitan Police Service",
                          fallsWithin: "Metropolitan Police Service", longitude: "-0.020000", latitude: "51.450000",
                          location: "On or near A, B", crimeType: "Burglary", lastOutcome: "Under investigation", context: "")
        #expect(StreetRow.csv([r]) == """
            Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
            abc,2024-01,Metropolitan Police Service,Metropolitan Police Service,-0.020000,51.450000,"On or near A, B",,,Burglary,Under investigation,

            """)
        var b = r; b.apiID = 3; b.month = "2024-02"
        var c = r; c.apiID = 2
        #expect(StreetRow.sorted([b, r, c]).map(\.apiID) == [2, 7, 3])
    }

    @Test func polyParameterIsLatLonWithSixDecimals() {
        let ring = [XY(-0.1, 51.5), XY(0.2, 51.5), XY(0.2, 51.6), XY(-0.1, 51.5)]
        #expect(PoliceAPIFetcher.polyParameter(ring) == "51.500000,-0.100000:51.500000,0.200000:51.600000,0.200000")
    }

    @Test func splittingLosesNothingAndHalvesTheLongerSide() throws {
        // An L-shaped ring, wider than tall: cut at its middle longitude; every point of it is in a part.
        let ring = [XY(0, 0), XY(4, 0), XY(4, 1), XY(1, 1), XY(1, 2), XY(0, 2), XY(0, 0)]
        let parts = try PolygonSplit.halves(ring)
        #expect(parts.count == 2)
        let xs = parts.map { $0.map(\.x) }
        #expect(abs(xs[0].max()! - 2) < 1e-5 && abs(xs[1].min()! - 2) < 1e-5)
        let area = parts.map { abs(Polygon.signedArea2($0)) / 2 }.reduce(0, +)
        #expect(abs(area - 5) < 1e-4)  // the ring's area, plus the thin overlap only
        var lost = 0
        for i in 0...80 { for j in 0...40 {
            let p = XY(Double(i) * 0.05, Double(j) * 0.05)
            let inRing = pointInRing(p, ring)
            if inRing && !parts.contains(where: { pointInRing(p, $0) }) { lost += 1 }
        } }
        #expect(lost == 0)
        // A point on the cut is in both halves (the caller merges by record id).
        #expect(parts.allSatisfy { pointInRing(XY(2, 0.5), $0) })
        // Taller than wide: cut across latitude.
        let tall = try PolygonSplit.halves([XY(0, 0), XY(1, 0), XY(1, 3), XY(0, 3), XY(0, 0)])
        #expect(tall.count == 2 && tall.allSatisfy { abs(($0.map(\.y).max()! - $0.map(\.y).min()!) - 1.5) < 1e-5 })
    }
}

@Suite struct ArcGISTests {
    @Test func esriRingsBecomePolygonsWithHoles() {
        // Two clockwise outer rings, one anticlockwise hole inside the second.
        let g: [String: Any] = ["rings": [
            [[0.0, 0.0], [0.0, 10.0], [10.0, 10.0], [10.0, 0.0], [0.0, 0.0]],
            [[20.0, 0.0], [20.0, 10.0], [30.0, 10.0], [30.0, 0.0], [20.0, 0.0]],
            [[22.0, 2.0], [28.0, 2.0], [28.0, 8.0], [22.0, 8.0], [22.0, 2.0]],
        ]]
        let mp = ArcGISLayer.polygons(g)
        #expect(mp.polygons.count == 2)
        #expect(mp.polygons[0].holes.isEmpty && mp.polygons[1].holes.count == 1)
        #expect(abs(mp.area - (100 + 100 - 36)) < 1e-9)
    }

    @Test func formValuesArePercentEncoded() {
        #expect(ArcGISLayer.encode("LAD24CD = 'E09000023'") == "LAD24CD%20%3D%20%27E09000023%27")
    }
}

/// A stand-in police.uk API: crimes at given points, 503 above `limit` in a polygon, 429 on chosen request numbers.
final class FakeAPI: HTTPTransport {
    var points: [(id: Int64, lat: Double, lon: Double)]
    var limit: Int
    var throttle: (Int) -> String?? = { _ in nil }  // request number → nil (answer), .some(nil) 429 without Retry-After, .some(v) with
    var requests = 0, posts = 0
    init(points: [(id: Int64, lat: Double, lon: Double)], limit: Int) { self.points = points; self.limit = limit }

    func getURL(_ url: String) throws -> HTTPResponse { answer(url, query: String(url.split(separator: "?", maxSplits: 1)[1])) }
    func postForm(_ url: String, body: String) throws -> HTTPResponse { posts += 1; return answer(url, query: body) }

    func answer(_ url: String, query: String) -> HTTPResponse {
        requests += 1
        if let t = throttle(requests) { return HTTPResponse(status: 429, headers: t.map { ["retry-after": $0] } ?? [:], body: [], url: url) }
        let params = Dictionary(uniqueKeysWithValues: query.split(separator: "&").map { kv -> (String, String) in
            let p = kv.split(separator: "=", maxSplits: 1); return (String(p[0]), String(p[1])) })
        var ring = params["poly"]!.split(separator: ":").map { pair -> XY in
            let v = pair.split(separator: ",").map { Double($0)! }; return XY(v[1], v[0]) }
        ring.append(ring[0])
        let inside = points.filter { pointInRing(XY($0.lon, $0.lat), ring) }
        if inside.count > limit { return HTTPResponse(status: 503, headers: [:], body: [], url: url) }
        let json = "[" + inside.map { p in
            #"{"category":"burglary","location_type":"Force","location":{"latitude":"\#(Fmt.fixed(p.lat, 6))","longitude":"\#(Fmt.fixed(p.lon, 6))","street":{"name":"On or near X"}},"context":"","outcome_status":null,"persistent_id":"p\#(p.id)","id":\#(p.id),"month":"2024-01"}"#
        }.joined(separator: ",") + "]"
        return HTTPResponse(status: 200, headers: [:], body: Array(json.utf8), url: url)
    }
}

@Suite struct PoliceAPIFetcherTests {
    /// A 20 × 20 grid of crimes in a square of 0.1°, a column 0.0001° from the first cut.
    static let grid: [(id: Int64, lat: Double, lon: Double)] = (0..<400).map { (k: Int) -> (id: Int64, lat: Double, lon: Double) in
        let row = Double(k / 20), column = Double(k % 20)
        let lat: Double = 51.4001 + row * 0.005
        let lon: Double = -0.0999 + column * 0.005
        return (id: Int64(1000 + k), lat: lat, lon: lon)
    }
    static let square = [(lat: 51.4, lon: -0.1), (lat: 51.4, lon: 0.0), (lat: 51.5, lon: 0.0), (lat: 51.5, lon: -0.1)]

    /// A fetcher on a simulated clock that only the sleeps advance; returns it and the sleeps made.
    func fetcher(_ api: FakeAPI, rate: LeakyBucket = LeakyBucket()) -> (PoliceAPIFetcher, () -> [Double]) {
        final class Clock { var now = 0.0; var sleeps: [Double] = [] }
        let c = Clock()
        let f = PoliceAPIFetcher(client: api, base: "http://fake/api", rate: rate, forceName: "Metropolitan Police Service",
                                 clock: { c.now }, sleep: { c.sleeps.append($0); c.now += $0 })
        return (f, { c.sleeps })
    }

    @Test func a503SplitsTheAreaAndNothingIsLostOrDoubled() throws {
        let api = FakeAPI(points: Self.grid, limit: 45)
        let (f, _) = fetcher(api)
        let rows = try f.fetchMonth(polygon: Self.square, month: "2024-01")
        #expect(rows.count == 400)
        #expect(Set(rows.map(\.apiID)).count == 400)
        #expect(rows.map(\.apiID) == rows.map(\.apiID).sorted())
        #expect(f.splits >= 7)  // 400 crimes, at most 45 a part: at least 9 parts
        #expect(api.posts == 0)
    }

    @Test func a429IsWaitedOutAndRetriesAreBounded() throws {
        let api = FakeAPI(points: Self.grid, limit: 1000)
        api.throttle = { n in n == 1 ? .some("3") : (n == 2 ? .some(nil) : nil) }
        let (f, sleeps) = fetcher(api)
        #expect(try f.fetchMonth(polygon: Self.square, month: "2024-01").count == 400)
        #expect(sleeps() == [3, 2])  // Retry-After: 3, then 2^1 s for the second 429 in a row
        // A server that answers 429 forever: 1 + maxRetries requests, waits 1, 2, 4 … 32 s, then one error.
        let always = FakeAPI(points: Self.grid, limit: 1000)
        always.throttle = { _ in .some(nil) }
        let (g, gs) = fetcher(always)
        #expect(throws: PoliceAPIError.self) { try g.fetchMonth(polygon: Self.square, month: "2024-01") }
        #expect(always.requests == 7)
        #expect(gs() == [1, 2, 4, 8, 16, 32])
    }

    @Test func requestsKeepToTheRate() throws {
        // Many splits at a tiny burst: the fetcher sleeps so that no window holds more than burst + rate × seconds.
        let api = FakeAPI(points: Self.grid, limit: 10)
        let (f, sleeps) = fetcher(api, rate: LeakyBucket(rate: 2, burst: 3))
        #expect(try f.fetchMonth(polygon: Self.square, month: "2024-01").count == 400)
        let total = sleeps().reduce(0, +)
        #expect(api.requests > 40)
        #expect(total >= Double(api.requests - 3) / 2 - 1e-9)
    }

    @Test func aLongRingGoesByPost() throws {
        // A circle of 400 vertices: its URL passes 4,000 characters.
        let ring = (0..<400).map { k -> (lat: Double, lon: Double) in
            let a: Double = Double(k) / 400 * 2 * Double.pi
            let lat: Double = 51.45 + 0.06 * sin(a), lon: Double = -0.05 + 0.06 * cos(a)
            return (lat: lat, lon: lon)
        }
        let api = FakeAPI(points: Self.grid, limit: 1000)
        let (f, _) = fetcher(api)
        let rows = try f.fetchMonth(polygon: ring, month: "2024-01")
        #expect(api.posts == 1 && api.requests == 1)
        let closed = ring.map { XY($0.lon, $0.lat) } + [XY(ring[0].lon, ring[0].lat)]
        #expect(rows.count == Self.grid.filter { pointInRing(XY($0.lon, $0.lat), closed) }.count)
    }
}
