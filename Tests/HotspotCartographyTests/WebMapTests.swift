import Foundation
import HotspotCore
import Testing
import HotspotIO
@testable import HotspotCartography

/// The web map (map.html, map-data.js): classes and colours of the layer's QGIS style, full field names in popups,
/// nothing fetched from outside the folder, byte-identical files.
@Suite struct WebMapTests {
    /// A small polygon layer: square cells with a density and a count, written as the product jobs write layers.
    func layer(values: [Double]) -> (table: Table, fields: FieldNames.Layer, geojson: String) {
        var t = Table(columns: ["id", "count", "density_per_km2", "peak_density_per_km2"])
        t.rows = values.enumerated().map { i, v in [.string("c\(i)"), .int(i), .double(v, decimals: 1), .double(v * 2, decimals: 1)] }
        let f = FieldNames.layer(t)
        let g = values.indices.map { i -> MultiPolygon in
            let x = -0.05 + Double(i) * 0.001, y = 51.45
            return MultiPolygon([Polygon(exterior: [XY(x, y), XY(x + 0.001, y), XY(x + 0.001, y + 0.001), XY(x, y + 0.001), XY(x, y)])])
        }
        return (t, f, GeoJSONWriter.featureCollection(name: "density", geometries: g, properties: f.table, idColumn: "id"))
    }

    func page(_ c: Classification, values: [Double], attribution: [String] = ["Contains public sector information licensed under the Open Government Licence v3.0."]) -> WebMap.Page {
        let l = layer(values: values)
        let k = WebMap.classified(c, properties: l.fields.table)
        return WebMap.Page(title: c.title, layers: [WebMap.Layer(name: "density", title: c.title, geojson: l.geojson, geometry: .polygon,
                                                                 symbols: k.symbols, symbolOf: k.symbolOf, aliases: l.fields.aliases)],
                           attribution: attribution)
    }

    /// map-data.js as JSON.
    func data(_ p: WebMap.Page) throws -> [String: Any] {
        let s = WebMap.dataScript(p)
        #expect(s.hasPrefix(WebMap.dataPrefix) && s.hasSuffix(";\n"))
        let json = s.dropFirst(WebMap.dataPrefix.count).dropLast(2)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }
    func symbols(_ d: [String: Any], layer: Int = 0) -> [[String: Any]] {
        ((d["layers"] as? [[String: Any]])?[layer]["symbols"] as? [[String: Any]]) ?? []
    }

    @Test func legendClassesAreTheClassificationsBreaksAndColours() throws {
        let values: [Double] = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]
        let c = MapStyle.meanMultiples(values, field: "density_per_km2", title: "Density (incidents per km²)", ramp: MapStyle.ylOrRd5, decimals: 1)
        let d = try data(page(c, values: values))
        let s = symbols(d)
        #expect(s.map { $0["label"] as? String } == c.classes.map(\.label))
        #expect(s.map { $0["fill"] as? String } == c.classes.map(\.fill))
        #expect(s.map { $0["count"] as? Int } == c.classes.map(\.count))
        // The labels carry the breaks as the .qml does.
        guard case let .graduated(lower, _) = c.kind else { Issue.record("not graduated"); return }
        for (k, cls) in c.classes.enumerated() where k > 0 { #expect(cls.label.contains(Fmt.fixed(lower[k], 1))) }
        let layer = try #require((d["layers"] as? [[String: Any]])?.first)
        let of = try #require(layer["symbolOf"] as? [Any])
        #expect(of.map { $0 as? Int } == c.classOf)
        // Zero density: not drawn.
        #expect(of[0] is NSNull)
    }

    @Test func emergingCategoriesKeepHatchAndOutlines() throws {
        let codes = [1, 6, 7, 0, 0, -1, 4]
        let c = MapStyle.codes(codes, table: MapStyle.emerging, field: "category_code", title: "Emerging hot spots")
        let s = symbols(try data(page(c, values: codes.map(Double.init))))
        #expect(s.count == MapStyle.emergingSymbols.count)
        for (sym, e) in zip(s, MapStyle.emergingSymbols) {
            #expect(sym["label"] as? String == e.label)
            #expect(sym["hatch"] as? String == e.hatch)
            if e.outlineOnly {
                // No Pattern Detected: an outline in its colour, no fill (as the .qml).
                #expect(sym["fill"] == nil && sym["stroke"] as? String == e.fill)
            } else {
                #expect(sym["fill"] as? String == e.fill)
                #expect(sym["stroke"] as? String == e.outline)
            }
        }
    }

    @Test func giStarBinsAreTheQGISCategories() throws {
        let bins = [-3, -2, -1, 0, 1, 2, 3, 3]
        let c = MapStyle.codes(bins, table: MapStyle.giBins, field: "gi_bin", title: "Gi*")
        let s = symbols(try data(page(c, values: bins.map(Double.init))))
        #expect(s.map { $0["fill"] as? String } == MapStyle.giBins.map(\.1))
        #expect(s.map { $0["label"] as? String } == MapStyle.giBins.map(\.2))
        #expect(s.map { $0["count"] as? Int } == [1, 1, 1, 1, 1, 1, 2])
    }

    @Test func classesAreAssignedAsQGISReadsTheStyleWhenTheClassificationIsNotPerRow() {
        let c = MapStyle.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], field: "count", title: "n", ramp: MapStyle.puBu5, decimals: 0)
        guard case let .graduated(lower, _) = c.kind else { Issue.record("not graduated"); return }
        // lower ≤ v < next lower; the outer classes open (any positive value; above the top break); 0 and null undrawn.
        let v: [Value] = [.int(0), .null, .double(0.5, decimals: 1), .double(lower[1], decimals: nil), .int(1000), .double(lower[2] - 1e-9, decimals: nil)]
        #expect(WebMap.classify(v, c) == [nil, nil, 0, 1, c.classes.count - 1, 1])
        var cat = MapStyle.codes([1, 2, 3], table: [(1, "#fc9272", "new"), (2, "#cb181d", "continuing"), (3, "#bdbdbd", "ended")], field: "status", title: "Hotspots")
        cat.kind = .categorized(values: ["new", "continuing", "ended"])
        #expect(WebMap.classify([.string("ended"), .string("new"), .string("other"), .null], cat) == [2, 0, nil, nil])
        // A classification with another number of rows than the layer (not per row): assigned from the field's values.
        let t = Table(columns: ["id", "count"], rows: [[.string("a"), .int(10)], [.string("b"), .int(1)]])
        let k = WebMap.classified(c, properties: t)
        #expect(k.symbolOf == [c.classes.count - 1, 0])
        #expect(k.symbols.map(\.count).reduce(0, +) == 2)
    }

    @Test func popupsShowFullFieldNames() throws {
        let values: [Double] = [1, 2, 3]
        let c = MapStyle.meanMultiples(values, field: "density_per_km2", title: "Density", ramp: MapStyle.ylOrRd5, decimals: 1)
        let d = try data(page(c, values: values))
        let layer = try #require((d["layers"] as? [[String: Any]])?.first)
        let aliases = try #require(layer["aliases"] as? [String: String])
        #expect(aliases["dens_km2"] == "density_per_km2")
        #expect(aliases["peak_km2"] == "peak_density_per_km2")
        // Every property of the layer has its full name.
        let props = try #require((((layer["data"] as? [String: Any])?["features"] as? [[String: Any]])?.first?["properties"]) as? [String: Any])
        #expect(Set(props.keys) == Set(aliases.keys))
        // The popup lists every property under its alias.
        let html = WebMap.html(title: "t", periods: nil)
        #expect(html.contains("a.textContent = l.aliases[k] || k;"))
        #expect(html.contains("Object.keys(p).forEach"))
    }

    /// Every `src=`/`href=` of the page is relative (inside its folder), and no http(s) URL appears in the page or
    /// its data except in the attribution lines.
    @Test func nothingOutsideTheFolder() throws {
        let values: [Double] = [1, 2, 3]
        let c = MapStyle.meanMultiples(values, field: "density_per_km2", title: "Density", ramp: MapStyle.ylOrRd5, decimals: 1)
        let link = "Context: © OpenStreetMap contributors, https://www.openstreetmap.org/copyright (ODbL)."
        let p = page(c, values: values, attribution: ["Contains public sector information licensed under the Open Government Licence v3.0.", link])
        let fake = WebMap.Leaflet(files: [("leaflet/leaflet.js", Data("var L={};".utf8)), ("leaflet/leaflet.css", Data())], source: "test")
        let files = WebMap.files(p, leaflet: fake)
        #expect(files.map(\.path) == ["map.html", "map-data.js", "leaflet/leaflet.js", "leaflet/leaflet.css"])
        for (path, data) in files where path.hasPrefix("map") {
            var text = String(decoding: data, as: UTF8.self)
            text = text.replacingOccurrences(of: Fmt.jsonString(link), with: "")
            #expect(!text.contains("http://") && !text.contains("https://"), "\(path) names a URL")
            #expect(!text.contains("//cdn") && !text.contains("tile"), "\(path) refers to a CDN or tiles")
            let refs = try NSRegularExpression(pattern: "(?:src|href)\\s*=\\s*[\"']([^\"']*)[\"']")
                .matches(in: text, range: NSRange(text.startIndex..., in: text))
                .map { String(text[Range($0.range(at: 1), in: text)!]) }
            // (The icon is an empty data: URL, so that a browser asks no server for /favicon.ico.)
            for r in refs where r != "data:," {
                #expect(!r.contains(":") && !r.hasPrefix("/") && !r.contains(".."), "\(path): \(r) is not inside the folder")
            }
            if path == "map.html" { #expect(Set(refs) == ["data:,", "leaflet/leaflet.css", "leaflet/leaflet.js", "map-data.js"]) }
        }
        // The index page loads periods' data scripts from their sub-folders only.
        let index = WebMap.periodIndex(title: "Weekly", periods: [("2025-W42", "2025-W42"), ("latest", "latest")], leaflet: nil)
        let html = String(decoding: try #require(index.first { $0.path == "map.html" }).data, as: UTF8.self)
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("[[\"2025-W42\",\"2025-W42\"],[\"latest\",\"latest\"]]"))
        #expect(html.contains("'/map-data.js'") && !html.contains("<script src=\"map-data.js\">"))
    }

    @Test func theSameInputGivesByteIdenticalFiles() {
        let values: [Double] = [0, 1, 2, 3, 5, 8]
        func make() -> [(path: String, data: Data)] {
            let c = MapStyle.meanMultiples(values, field: "density_per_km2", title: "Density", ramp: MapStyle.ylOrRd5, decimals: 1)
            var p = page(c, values: values)
            p.layers.append(WebMap.Layer(name: "reference-wards", title: "Ward boundaries", geojson: p.layers[0].geojson, geometry: .polygon, role: .reference,
                                         symbols: [.init(label: "Ward boundaries", fill: nil, stroke: "#555555", count: values.count)],
                                         aliases: ["id": "id", "name": "name", "a": "b", "c": "d", "e": "f"],
                                         labels: [.init(lon: -0.0512345678, lat: 51.4512345678, text: "Millpond")]))
            return WebMap.files(p, leaflet: nil)
        }
        let a = make(), b = make()
        #expect(a.map(\.path) == b.map(\.path))
        #expect(a.map(\.data) == b.map(\.data))
        let js = String(decoding: a[1].data, as: UTF8.self)
        // Label positions with 6 decimals; no time anywhere.
        #expect(js.contains("[51.451235,-0.051235,\"Millpond\"]"))
        #expect(!js.contains("T00:") && !String(decoding: a[0].data, as: UTF8.self).contains("Date("))
    }

    @Test func leafletIsCopiedFromTheFolderGivenOrMissing() throws {
        let dir = NSTemporaryDirectory() + "hotspot-leaflet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        #expect(WebMap.Leaflet.load(environment: ["HOTSPOT_LEAFLET": dir]) == nil)
        try "L = {};\n//# sourceMappingURL=leaflet.js.map\n".write(toFile: dir + "/leaflet.js", atomically: true, encoding: .utf8)
        try ".leaflet-container {}".write(toFile: dir + "/leaflet.css", atomically: true, encoding: .utf8)
        try Data([0x89]).write(to: URL(fileURLWithPath: dir + "/images/layers.png"))
        let l = try #require(WebMap.Leaflet.load(environment: ["HOTSPOT_LEAFLET": dir]))
        #expect(l.files.map(\.path) == ["leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/layers.png"])
        // The source-map comment goes (the map is not copied: no request for a file that is not there).
        #expect(String(decoding: l.files[0].data, as: UTF8.self) == "L = {};\n")
        // Without Leaflet the page still comes, and says what to install.
        let html = WebMap.html(title: "t", periods: nil)
        #expect(html.contains(WebMap.installHint) && WebMap.installHint == "install libjs-leaflet (apt-get install libjs-leaflet)")
    }

    @Test func periodIsLeftOutOfLayerKeys() {
        #expect(WebMap.periodless("wards-2025-W41") == "wards")
        #expect(WebMap.periodless("hotspots-2025-10") == "hotspots")
        #expect(WebMap.periodless("areas-wards") == "areas-wards")
    }
}
