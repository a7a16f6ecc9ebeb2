import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import Testing
@testable import HotspotServe

@Suite(.serialized) struct ServiceTests {
    let fx: Fixture
    let service: FeatureService
    let base = "http://test"

    init() throws {
        fx = try Fixture.make()
        service = try FeatureService(folder: fx.folder)
    }

    func info(_ q: String = "", accept: String? = nil) -> RequestInfo { RequestInfo(query: Percent.query(q), accept: accept, base: base) }

    func numbers(_ j: JSON?) -> [Double] { (j?.arrayValue ?? []).compactMap { $0.doubleValue } }
    func features(_ j: JSON) -> [JSON] { j["features"]?.arrayValue ?? [] }
    func ids(_ j: JSON) -> [String] { features(j).map { $0["id"]?.text ?? "" } }

    @Test func catalogueIdsAndWhatIsLeftOut() throws {
        defer { fx.remove() }
        let ids = Set(service.catalogue.current().entries.map(\.id))
        #expect(ids == ["layers.latest.points", "layers.latest.cells", "layers.latest.layers.points", "layers.latest.layers.cells", "demo.wards"])
        // cells.gpkg is beside cells.geojson: served once, as the GeoJSON; hidden folders and links leading outside are not served.
        #expect(!ids.contains("layers.latest.cells.cells"))
        #expect(!ids.contains { $0.contains("hidden") || $0.contains("outside") })
        let e = try #require(service.catalogue.current().entry("layers.latest.layers.points"))
        #expect(e.source == .geopackage(table: "points"))
        #expect(e.fieldsSidecar?.hasSuffix("points.fields.csv") == true)
        #expect(Catalogue.safe("a b/ü?x") == "a_b___x")
    }

    @Test func landingConformanceAndAPI() async throws {
        defer { fx.remove() }
        let l = service.landing(info())
        let rels = (l.json["links"]?.arrayValue ?? []).compactMap { $0["rel"]?.stringValue }
        #expect(Set(rels).isSuperset(of: ["self", "service-desc", "conformance", "data"]))
        let c = service.conformanceDoc(info()).json["conformsTo"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(c.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"))
        #expect(c.contains("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"))
        #expect(c.contains { $0.hasSuffix("/conf/geojson") } && c.contains { $0.hasSuffix("/conf/html") } && c.contains { $0.hasSuffix("/conf/oas30") })
        let api = service.api(info())
        #expect(api.contentType.hasPrefix("application/vnd.oai.openapi+json"))
        #expect(api.json["openapi"]?.stringValue == "3.0.3")
        let items = api.json["paths"]?["/collections/{collectionId}/items"]?["get"]?["parameters"]?.arrayValue ?? []
        #expect(items.count == 8)
        let params = api.json["components"]?["parameters"]
        for p in ["bbox", "bbox-crs", "limit", "offset", "datetime", "crs", "f"] { #expect(params?[p] != nil, "\(p)") }
    }

    @Test func collectionsCarryExtentsCRSAndFullFieldNames() async throws {
        defer { fx.remove() }
        let r = await service.collections(info())
        let cs = r.json["collections"]?.arrayValue ?? []
        #expect(cs.count == 5)
        let points = try #require(cs.first { $0["id"]?.stringValue == "layers.latest.points" })
        let bbox = numbers(points["extent"]?["spatial"]?["bbox"]?.arrayValue?.first)
        #expect(bbox.count == 4 && bbox[0] > -0.2 && bbox[2] < 0.1 && bbox[1] > 51.3 && bbox[3] < 51.6)
        let interval = points["extent"]?["temporal"]?["interval"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue)
        #expect(interval == ["2025-10-01T00:00:00Z", "2025-11-01T00:00:00Z"])
        #expect(points["crs"]?.arrayValue?.compactMap(\.stringValue) == [ServedCRS.crs84.rawValue, ServedCRS.bng.rawValue])
        #expect(points["storageCrs"]?.stringValue == ServedCRS.crs84.rawValue)
        #expect(points["description"]?.stringValue?.contains("n_vehicle = count_vehicle_crime") == true)
        let gp = try #require(cs.first { $0["id"]?.stringValue == "layers.latest.layers.cells" })
        #expect(gp["storageCrs"]?.stringValue == ServedCRS.bng.rawValue)
        #expect(gp["extent"]?["temporal"] == nil)
        // A GeoJSON with an old-style `crs` member (EPSG:27700) is projected: its extent is lon/lat.
        let wards = try #require(cs.first { $0["id"]?.stringValue == "demo.wards" })
        let wb = numbers(wards["extent"]?["spatial"]?["bbox"]?.arrayValue?.first)
        #expect(wb.count == 4)
        #expect(wb[0] > -0.2 && wb[2] < 0.1 && wb[1] > 51.3 && wb[3] < 51.6)
        #expect(wards["storageCrs"]?.stringValue == ServedCRS.bng.rawValue)
        let html = await service.collections(info("f=html")).text
        #expect(html.contains("<a href=\"http://test/collections/layers.latest.points/items?f=html\">"))
        let one = await service.collection("layers.latest.points", info(accept: "text/html"))
        #expect(one.contentType.hasPrefix("text/html") && one.text.contains("count_vehicle_crime"))
    }

    @Test func pagingFollowsNextUntilExhausted() async throws {
        defer { fx.remove() }
        var url = "limit=37"
        var seen: [String] = [], pages = 0
        while true {
            let r = await service.items("layers.latest.points", info(url))
            #expect(r.status == 200)
            let j = r.json
            #expect(j["numberMatched"] == .int(250))
            #expect(j["numberReturned"] == .int(ids(j).count))
            #expect(j["timeStamp"]?.stringValue.flatMap(TimeParser.instant) != nil)
            seen += ids(j)
            pages += 1
            let links = j["links"]?.arrayValue ?? []
            if pages > 1 { #expect(links.contains { $0["rel"]?.stringValue == "prev" }) }
            guard let next = links.first(where: { $0["rel"]?.stringValue == "next" })?["href"]?.stringValue else { break }
            url = String(next.split(separator: "?", maxSplits: 1)[1])
            #expect(pages < 20)
        }
        #expect(pages == 7)
        #expect(seen == (1...250).map { "p-\($0)" })
        // Past the end: an empty page, no next.
        let past = await service.items("layers.latest.points", info("offset=1000")).json
        #expect(past["numberReturned"] == .int(0) && past["numberMatched"] == .int(250))
        // A limit above 10,000 is lowered, not refused.
        #expect(await service.items("layers.latest.points", info("limit=50000")).json["numberReturned"] == .int(250))
    }

    @Test func bboxFilterEqualsBruteForce() async throws {
        defer { fx.remove() }
        // Independent truth: the GeoJSON files read with JSONSerialization; cells tested with GEOS, points by hand.
        func load(_ name: String) throws -> [[String: Any]] {
            let d = try Data(contentsOf: URL(fileURLWithPath: fx.latest + "/\(name).geojson"))
            return (try JSONSerialization.jsonObject(with: d) as? [String: Any])?["features"] as? [[String: Any]] ?? []
        }
        let points = try load("points"), cells = try load("cells")
        let ctx = try GEOSContext()
        func ring(_ c: Any?) -> [XY] { (c as? [[Double]] ?? []).map { XY($0[0], $0[1]) } }
        let cellGeoms = try cells.map { f -> GEOSGeometry in
            let g = f["geometry"] as! [String: Any]
            let rings = (g["coordinates"] as! [Any]).map(ring)
            return try GEOSGeometry(ctx, MultiPolygon([Polygon(exterior: rings[0], holes: Array(rings.dropFirst()))]))
        }
        var seed: UInt64 = 7
        func rnd() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
        for _ in 0..<40 {
            let x0 = -0.13 + rnd() * 0.15, y0 = 51.40 + rnd() * 0.1
            let box = BBox(x0, y0, x0 + rnd() * 0.04, y0 + rnd() * 0.03)
            let q = "bbox=\(box.minX),\(box.minY),\(box.maxX),\(box.maxY)&limit=10000"
            let truthPoints = points.filter { f in
                let c = (f["geometry"] as! [String: Any])["coordinates"] as! [Double]
                return box.contains(c[0], c[1])
            }.map { $0["id"] as! String }
            #expect(ids(await service.items("layers.latest.points", info(q)).json) == truthPoints)
            let boxGeom = try GEOSGeometry(ctx, MultiPolygon([Polygon(exterior: [XY(box.minX, box.minY), XY(box.maxX, box.minY), XY(box.maxX, box.maxY), XY(box.minX, box.maxY), XY(box.minX, box.minY)], holes: [])]))
            let truthCells = zip(cells, cellGeoms).filter { $1.intersects(boxGeom) }.map { $0.0["id"] as! String }
            let served = await service.items("layers.latest.cells", info(q)).json
            #expect(ids(served) == truthCells)
            #expect(served["numberMatched"] == .int(truthCells.count))
        }
        // bbox-crs=27700 on the GeoPackage table: exactly the cells whose squares meet the box.
        let q = "bbox=531200,170600,532100,171400&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/27700&limit=100"
        let truth = fx.cellsBNG.enumerated().filter { _, m in
            let e = m.polygons[0].exterior
            return e.map(\.x).min()! <= 532100 && e.map(\.x).max()! >= 531200 && e.map(\.y).min()! <= 171400 && e.map(\.y).max()! >= 170600
        }.map { i, _ in "c\(i / 10)-\(i % 10)" }
        #expect(ids(await service.items("layers.latest.layers.cells", info(q)).json) == truth)
    }

    @Test func crs27700GivesTheGeoPackagesCoordinates() async throws {
        defer { fx.remove() }
        let r = await service.items("layers.latest.layers.points", info("limit=1000&crs=http://www.opengis.net/def/crs/EPSG/0/27700"))
        #expect(r.headers.contains { $0.0 == "Content-Crs" && $0.1 == "<http://www.opengis.net/def/crs/EPSG/0/27700>" })
        let coords = features(r.json).map { $0["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        #expect(coords.count == 250)
        #expect(coords == fx.pointsBNG.map { [$0.x, $0.y] })
        // Read back independently from the file as well.
        let gp = try GeoPackageReader.read(path: fx.latest + "/cells.gpkg")
        let cells = await service.items("layers.latest.layers.cells", info("limit=100&crs=%5BEPSG:27700%5D")).json
        let ring = features(cells).map { f in (f["geometry"]?["coordinates"]?.arrayValue?.first?.arrayValue?.first?.arrayValue ?? []).map { $0.arrayValue!.compactMap(\.doubleValue) } }
        #expect(ring == gp.geometries.map { $0.polygons[0].exterior.map { [$0.x, $0.y] } })
        // Default CRS84: the GeoJSON's lon/lat as written; and the GeoJSON projected to 27700 lands within 0.2 m.
        let lonlat = await service.items("layers.latest.points", info("limit=3"))
        #expect(lonlat.headers.contains { $0.1 == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>" })
        let file = try JSONParser.parse(Array(FileManager.default.contents(atPath: fx.latest + "/points.geojson")!))
        #expect(features(lonlat.json).map { numbers($0["geometry"]?["coordinates"]) } == features(file).prefix(3).map { numbers($0["geometry"]?["coordinates"]) })
        let projected = await service.items("layers.latest.points", info("limit=250&crs=http://www.opengis.net/def/crs/EPSG/0/27700")).json
        for (f, p) in zip(features(projected), fx.pointsBNG) {
            let c = f["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(abs(c[0] - p.x) < 0.2 && abs(c[1] - p.y) < 0.2)
        }
    }

    @Test func datetimeFiltersDatedLayersOnly() async throws {
        defer { fx.remove() }
        let day = await service.items("layers.latest.points", info("datetime=2025-10-05&limit=1000")).json
        let want = (0..<250).filter { fx.dates[$0] == "2025-10-05" }.map { "p-\($0 + 1)" }
        #expect(ids(day) == want && !want.isEmpty)
        let span = await service.items("layers.latest.points", info("datetime=2025-10-05T12:00:00Z/2025-10-07T00:00:00Z&limit=1000")).json
        #expect(ids(span) == (0..<250).filter { ["2025-10-05", "2025-10-06", "2025-10-07"].contains(fx.dates[$0]) }.map { "p-\($0 + 1)" })
        let openEnd = await service.items("layers.latest.points", info("datetime=2025-10-30/..&limit=1000")).json
        #expect(openEnd["numberMatched"] == .int((0..<250).filter { fx.dates[$0] >= "2025-10-30" }.count))
        // The next link keeps the filter.
        let paged = await service.items("layers.latest.points", info("datetime=../2025-10-10&limit=5")).json
        let next = paged["links"]?.arrayValue?.first { $0["rel"]?.stringValue == "next" }?["href"]?.stringValue
        #expect(next?.contains("datetime=..%2F2025-10-10") == true)
        let undated = await service.items("layers.latest.cells", info("datetime=2025-10-05"))
        #expect(undated.status == 400 && undated.contentType == "application/problem+json")
    }

    @Test func badQueriesAre400ProblemsAndUnknownsAre404() async throws {
        defer { fx.remove() }
        for q in ["bbox=1,2,3", "limit=0", "limit=x", "offset=-1", "datetime=soon", "crs=EPSG:3857", "bbox-crs=foo&bbox=1,2,3,4", "bogus=1"] {
            let r = await service.items("layers.latest.points", info(q))
            #expect(r.status == 400, "\(q)")
            #expect(r.contentType == "application/problem+json")
            #expect(r.json["status"] == .int(400) && r.json["detail"]?.stringValue?.isEmpty == false)
        }
        let nf = await service.items("no.such", info())
        #expect(nf.status == 404 && nf.json["title"]?.stringValue == "Not Found")
        #expect(await service.collection("no.such", info()).status == 404)
        #expect(await service.feature("layers.latest.points", "p-999", info()).status == 404)
        #expect(await service.feature("layers.latest.points", "p-7", info("crs=nope")).status == 400)
    }

    @Test func oneFeatureByItsGeoJSONId() async throws {
        defer { fx.remove() }
        let r = await service.feature("layers.latest.points", "p-7", info())
        #expect(r.status == 200 && r.contentType == "application/geo+json")
        #expect(r.json["id"]?.stringValue == "p-7")
        #expect(r.json["properties"]?["date"]?.stringValue == fx.dates[6])
        #expect(r.json["links"]?.arrayValue?.contains { $0["rel"]?.stringValue == "collection" } == true)
        // The GeoPackage table uses the same ids (its `id` column).
        let g = await service.feature("layers.latest.layers.points", "p-7", info("crs=http://www.opengis.net/def/crs/EPSG/0/27700"))
        #expect(g.json["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) == [fx.pointsBNG[6].x, fx.pointsBNG[6].y])
        let html = await service.feature("layers.latest.points", "p-7", info("f=html"))
        #expect(html.text.contains("count_vehicle_crime") && html.text.contains("p-7"))
        let page = await service.items("layers.latest.points", info("f=html&limit=5"))
        #expect(page.text.contains("count_vehicle_crime") && page.text.contains("rel=\"next\""))
    }

    @Test func newLayersAppearWithoutARestart() async throws {
        defer { fx.remove() }
        #expect(service.catalogue.current().entry("layers.2025-W44.points") == nil)
        try FileManager.default.createDirectory(atPath: fx.folder + "/layers/2025-W44", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fx.latest + "/points.geojson", toPath: fx.folder + "/layers/2025-W44/points.geojson")
        // Asked for by id: found at once (an unknown id re-scans).
        try await Task.sleep(for: .milliseconds(300))
        #expect(await service.items("layers.2025-W44.points", info()).status == 200)
        // Removed: 404.
        try FileManager.default.removeItem(atPath: fx.folder + "/layers/2025-W44")
        #expect(await service.items("layers.2025-W44.points", info()).status == 404)
    }
}

/// A folder swapped in (as `StagedFolder` does: a staging folder exchanged with the old one) while requests read it:
/// every answer is one whole version, never a mix.
@Suite struct SwapTests {
    func writeSet(_ target: String, version v: Int, count: Int) throws {
        let staged = try StagedFolder(target: target)
        try #"{"tool":"hotspot"}"#.write(toFile: staged.staging + "/metadata.json", atomically: false, encoding: .utf8)
        var s = "{\"type\":\"FeatureCollection\",\"name\":\"v\(v)\",\"features\":[\n"
        for i in 0..<count {
            if i > 0 { s += ",\n" }
            s += "{\"type\":\"Feature\",\"id\":\"f-\(i)\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(Double(i % 100) / 1000),51.\(i)]},\"properties\":{\"v\":\(v),\"i\":\(i)}}"
        }
        s += "\n]}\n"
        // Written in pieces, as a large file is: a reader of the staging folder would see it half-written.
        let fh = FileManager.default.createFile(atPath: staged.staging + "/layer.geojson", contents: nil)
        precondition(fh)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: staged.staging + "/layer.geojson"))
        let bytes = Array(s.utf8)
        var k = 0
        while k < bytes.count { let e = min(bytes.count, k + 8192); h.write(Data(bytes[k..<e])); k = e }
        try h.close()
        try staged.commit()
    }

    @Test func swapGivesOldOrNewNeverAMix() async throws {
        let root = NSTemporaryDirectory() + "hotspot-serve-swap-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/set"
        try writeSet(target, version: 1, count: 1500)
        let service = try FeatureService(folder: root)
        let versions = 12
        let done = Box(false)
        async let writer: Void = Task.detached {
            for v in 2...versions { try writeSet(target, version: v, count: 1500 + v) }
            done.withLock { $0 = true }
        }.value
        var answers = 0, seen: Set<Int> = []
        while !done.withLock({ $0 }) || answers < 5 {
            let r = await service.items("set.layer", RequestInfo(query: [("limit", "10000")], base: "http://t"))
            guard r.status == 200 else { Issue.record("status \(r.status): \(r.text)"); break }
            let j = try JSONParser.parse(r.body)
            let fs = j["features"]?.arrayValue ?? []
            let vs = Set(fs.compactMap { $0["properties"]?["v"]?.text }.compactMap { Int($0) })
            #expect(vs.count == 1, "a mix of versions \(vs)")
            let v = try #require(vs.first)
            #expect(fs.count == (v == 1 ? 1500 : 1500 + v), "version \(v) whole")
            #expect(j["numberMatched"] == .int(fs.count))
            seen.insert(v); answers += 1
        }
        try await writer
        #expect(seen.count >= 2)
        // After the last swap, the newest version, read once and then from the cache.
        let last = await service.items("set.layer", RequestInfo(query: [("limit", "1")], base: "http://t")).json
        #expect(last["numberMatched"] == .int(1500 + versions))
    }

    @Test func cacheReadsAFileOnceUntilItChanges() async throws {
        let root = NSTemporaryDirectory() + "hotspot-serve-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try writeSet(root + "/set", version: 1, count: 10)
        let reads = Box(0)
        let cache = LayerCache { e in reads.withLock { $0 += 1 }; return try LayerReader.read(e) }
        let service = try FeatureService(folder: root, cache: cache)
        await withTaskGroup(of: Void.self) { g in
            for _ in 0..<20 { g.addTask { _ = await service.items("set.layer", RequestInfo(base: "http://t")) } }
        }
        #expect(reads.withLock { $0 } == 1)
        try writeSet(root + "/set", version: 2, count: 11)
        let j = await service.items("set.layer", RequestInfo(base: "http://t")).json
        #expect(j["numberMatched"] == .int(11))
        #expect(reads.withLock { $0 } == 2)
    }
}

import Synchronization

/// A shared value for closures that outlive a scope (a `Mutex` itself cannot be captured by them).
final class Box<T: Sendable>: Sendable {
    let m: Mutex<T>
    init(_ v: T) { m = Mutex(v) }
    func withLock<R>(_ f: (inout T) -> R) -> R { m.withLock { f(&$0) } }
}
