import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import Testing
@testable import HotspotReports

/// Every output set with layers gets its web map (map.html) beside them, listed in metadata.json with its SHA-256.
@Suite struct WebMapSetTests {
    func cells(_ n: Int) -> [MultiPolygon] {
        (0..<n).map { i in
            let x = 533_000 + Double(i) * 100, y = 170_000.0
            return MultiPolygon([Polygon(exterior: [XY(x, y), XY(x + 100, y), XY(x + 100, y + 100), XY(x, y + 100), XY(x, y)])])
        }
    }

    @Test func aSetWithLayersWritesItsWebMapAndListsIt() throws {
        let out = NSTemporaryDirectory() + "hotspot-webset-\(UUID().uuidString)/kde"
        let set = try OutputSet(directory: out)
        let values: [Double] = [0, 10, 20, 40, 80, 160]
        var t = Table(columns: ["id", "count", "density_per_km2"])
        t.rows = values.enumerated().map { [.string("c\($0)"), .int($0), .double($1, decimals: 1)] }
        let c = MapStyle.meanMultiples(values, field: "density_per_km2", title: "Density (incidents per km²)", ramp: MapStyle.ylOrRd5, decimals: 1)
        try set.writeLayer("density", geometries: cells(values.count), properties: t, style: .classified(c))
        var h = Table(columns: ["id", "incidents"]); h.rows = [[.string("h1"), .int(5)]]
        try set.writeLayer("hotspots", geometries: [cells(1)[0]], properties: h, style: .outline(colour: "#08306b", widthMM: 0.6, labelField: "id"))
        var p = Table(columns: ["id", "category"]); p.rows = [[.string("i1"), .string("Burglary")]]
        try set.writePoints("incidents", x: [-0.1], y: [51.5], points: [], properties: p)
        // A layer in a sub-folder (a pack's exhibits) is not drawn.
        try set.writeLayer("restricted-area", geometries: [cells(1)[0]], properties: h, folder: "exhibits")
        var meta = RunMetadata(command: "test", parameters: ["job": "kde"], inputs: [],
                               counts: .init(read: 0, accepted: 0, quarantined: 0, quarantinedByReason: [:], duplicates: 0))
        meta.attribution = Attribution.lines(boundaries: false)
        try set.finish(meta)

        let html = try String(contentsOfFile: out + "/map.html", encoding: .utf8)
        #expect(html.contains("<script src=\"map-data.js\"></script>"))
        let js = try String(contentsOfFile: out + "/map-data.js", encoding: .utf8)
        let d = try #require(try JSONSerialization.jsonObject(with: Data(js.dropFirst(WebMap.dataPrefix.count).dropLast(2).utf8)) as? [String: Any])
        let layers = try #require(d["layers"] as? [[String: Any]])
        #expect(layers.map { $0["name"] as? String } == ["density", "hotspots", "incidents"])
        // The main layer and the hotspot outlines on; points off under polygons.
        #expect(layers.map { $0["visible"] as? Bool } == [true, true, false])
        #expect((layers[0]["symbols"] as? [[String: Any]])?.map { $0["fill"] as? String } == c.classes.map(\.fill))
        #expect((layers[0]["aliases"] as? [String: String])?["dens_km2"] == "density_per_km2")
        #expect((layers[1]["labels"] as? [[Any]])?.first?.last as? String == "h1")
        #expect(d["attribution"] as? [String] == Attribution.lines(boundaries: false))

        let m = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metadata.json"))) as? [String: Any])
        let outputs = Dictionary(uniqueKeysWithValues: ((m["outputs"] as? [[String: Any]]) ?? []).map { ($0["path"] as! String, $0["sha256"] as! String) })
        for f in ["map.html", "map-data.js"] {
            #expect(outputs[f] == Hashing.sha256(try Data(contentsOf: URL(fileURLWithPath: out + "/" + f))))
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/exhibits/map.html"))
        if WebMap.Leaflet.load() != nil {
            for f in ["leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/layers.png"] {
                #expect(outputs[f] == Hashing.sha256(try Data(contentsOf: URL(fileURLWithPath: out + "/" + f))), "\(f)")
            }
        } else {
            #expect(((m["warnings"] as? [String]) ?? []).contains { $0.contains(WebMap.installHint) })
        }
    }

    @Test func withoutLeafletTheSetIsWrittenWithAWarning() throws {
        let out = NSTemporaryDirectory() + "hotspot-webset-\(UUID().uuidString)/grid"
        let empty = NSTemporaryDirectory() + "hotspot-noleaflet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let set = try OutputSet(directory: out)
        set.web.environment = ["HOTSPOT_LEAFLET": empty]
        var t = Table(columns: ["id", "count"]); t.rows = [[.string("a"), .int(3)], [.string("b"), .int(1)]]
        try set.writeLayer("grid", geometries: cells(2), properties: t,
                           style: .classified(MapStyle.quantiles([3, 1], field: "count", title: "Incidents per cell", ramp: MapStyle.ylOrRd5, decimals: 0)))
        try set.finish(RunMetadata(command: "t", parameters: [:], inputs: [], counts: .init(read: 0, accepted: 0, quarantined: 0, quarantinedByReason: [:], duplicates: 0)))
        #expect(FileManager.default.fileExists(atPath: out + "/map.html") && FileManager.default.fileExists(atPath: out + "/map-data.js"))
        #expect(!FileManager.default.fileExists(atPath: out + "/leaflet"))
        let m = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metadata.json"))) as? [String: Any])
        #expect(((m["warnings"] as? [String]) ?? []).contains { $0.contains("install libjs-leaflet (apt-get install libjs-leaflet)") })
        #expect(try String(contentsOfFile: out + "/map.html", encoding: .utf8).contains("install libjs-leaflet (apt-get install libjs-leaflet)"))
    }

    /// A layer of more polygons than a browser draws (a national --sparse grid) is left off the web map, with a
    /// warning in metadata.json; the set's other layers are still drawn.
    @Test func aLayerTooLargeForABrowserIsLeftOffTheWebMap() throws {
        let out = NSTemporaryDirectory() + "hotspot-webbig-\(UUID().uuidString)/grid"
        let set = try OutputSet(directory: out)
        set.web.maxFeatures = 3
        var t = Table(columns: ["id", "count"]); t.rows = (0..<4).map { [.string("c\($0)"), .int($0)] }
        try set.writeLayer("grid", geometries: cells(4), properties: t)
        var h = Table(columns: ["id", "count"]); h.rows = [[.string("h1"), .int(5)]]
        try set.writeLayer("small", geometries: cells(1), properties: h)
        let meta = RunMetadata(command: "test", parameters: ["job": "grid"], inputs: [],
                               counts: .init(read: 0, accepted: 0, quarantined: 0, quarantinedByReason: [:], duplicates: 0))
        try set.finish(meta)
        let js = try String(contentsOfFile: out + "/map-data.js", encoding: .utf8)
        #expect(js.contains("\"small\"") && !js.contains("\"c3\""))
        let m = try String(contentsOfFile: out + "/metadata.json", encoding: .utf8)
        #expect(m.contains("leaves out grid: 4 polygons are more than a browser draws"))
        #expect(FileManager.default.fileExists(atPath: out + "/grid.gpkg"))
    }

    @Test func aSetWithoutLayersHasNoWebMap() throws {
        let out = NSTemporaryDirectory() + "hotspot-webset-\(UUID().uuidString)/none"
        let set = try OutputSet(directory: out)
        try set.write("x.csv", "a\n")
        try set.finish(RunMetadata(command: "t", parameters: [:], inputs: [], counts: .init(read: 0, accepted: 0, quarantined: 0, quarantinedByReason: [:], duplicates: 0)))
        #expect(!FileManager.default.fileExists(atPath: out + "/map.html"))
        #expect(try set.writeWebMap(attribution: []).isEmpty)
    }
}
