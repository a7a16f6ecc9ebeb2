import Foundation
import HotspotCore
import HotspotGeo
import HotspotTestSupport
import Testing
import HotspotIO
@testable import HotspotCartography

/// Labels, context layers, stacked points and emerging symbols of the print maps (issue 18).
@Suite struct MapLabelTests {
    func noOverlaps(_ boxes: [PageRect], file: String = #fileID, line: Int = #line) -> Bool {
        for i in boxes.indices { for j in boxes.indices where j > i { if boxes[i].intersects(boxes[j]) { return false } } }
        return true
    }

    @Test func crowdedLabelsNeverOverlapAndStayInTheFrame() {
        // 60 labels asking for the same few places on a small frame: each placed one is free, the rest dropped.
        let frame = PageRect(x: 10, y: 10, w: 80, h: 50)
        let arrow = PageRect(x: 75, y: 12, w: 9, h: 17)
        let placer = LabelPlacer(frame: frame, obstacles: [arrow])
        var requests: [LabelPlacer.Request] = []
        for k in 0..<60 {
            let at = XY(20 + Double(k % 5) * 15, 20 + Double(k % 4) * 10)
            let high = k % 3 == 0
            requests.append(LabelPlacer.Request(text: "Area number \(k)", size: 2.4, priority: high ? 100 : 60, anchor: .area([at]), leader: high, layer: "areas"))
        }
        let (placed, dropped) = placer.place(requests)
        #expect(placed.count + dropped.count == 60)
        #expect(!placed.isEmpty && !dropped.isEmpty)
        #expect(noOverlaps(placed.map(\.box)))
        #expect(placed.allSatisfy { frame.inset(placer.margin).contains($0.box) && !$0.box.intersects(arrow) })
        // Priority first: every high-priority label that was dropped had no free place; low ones give way to them.
        let placedHigh = placed.filter { $0.request % 3 == 0 }.count, droppedHigh = dropped.filter { $0 % 3 == 0 }.count
        #expect(placedHigh > 0 && placedHigh >= droppedHigh)
        // A label moved away from its feature carries a leader line to it.
        #expect(placed.filter { $0.leader != nil }.allSatisfy { requests[$0.request].leader })
    }

    @Test func aLabelNearTheFrameIsMovedInsideNotCut() {
        // A point symbol at the right edge: the right-hand positions would cross the frame, so the label goes left.
        let frame = PageRect(x: 0, y: 0, w: 100, h: 60)
        let r = LabelPlacer.Request(text: "Crofton Park", size: 2.4, priority: 40, anchor: .point(XY(99, 30), clearance: 0.9), layer: "stations")
        let (placed, _) = LabelPlacer(frame: frame).place([r])
        #expect(placed.count == 1)
        #expect(placed[0].box.maxX < 99 && frame.contains(placed[0].box))
    }

    @Test func hotspotIdsSitBesideTheirPolygon() {
        let b = PageRect(x: 40, y: 20, w: 10, h: 8)
        let r = LabelPlacer.Request(text: "h1", size: 3, bold: true, priority: 80, anchor: .beside(b), leader: true, layer: "hotspots")
        let (placed, _) = LabelPlacer(frame: PageRect(x: 0, y: 0, w: 100, h: 60)).place([r])
        // First choice: east of the polygon, touching it (0.5 mm gap), vertically centred.
        #expect(abs(placed[0].box.x - (b.maxX + 0.5)) < 1e-9)
        #expect(abs(placed[0].box.centre.y - b.centre.y) < 1e-9)
        #expect(placed[0].leader == nil)
    }

    @Test func roadNamesFollowTheLineUpright() {
        let line = [XY(10, 50), XY(40, 20), XY(70, -10)].map { XY($0.x, $0.y + 20) }
        let r = LabelPlacer.Request(text: "Rushey Green", size: 2, priority: 30, anchor: .line([line]), layer: "roads")
        let (placed, _) = LabelPlacer(frame: PageRect(x: 0, y: 0, w: 100, h: 100)).place([r])
        #expect(placed.count == 1)
        #expect(abs(placed[0].rotation - -45) < 1e-6)
        // A line too short for its name gets no label.
        let short = LabelPlacer.Request(text: "Rushey Green", size: 2, priority: 30, anchor: .line([[XY(10, 10), XY(12, 10)]]), layer: "roads")
        #expect(LabelPlacer(frame: PageRect(x: 0, y: 0, w: 100, h: 100)).place([short]).placed.isEmpty)
    }

    @Test func textWidthsAreDejaVuSans() {
        // Advance widths from the font (units per em 2048): space 651, 'a' 1255, 'W' 2025; bold 'W' 2272.
        #expect(abs(FontMetrics.width(" ", size: 1) - 651.0 / 2048) < 1e-4)
        #expect(abs(FontMetrics.width("a", size: 1) - 1255.0 / 2048) < 1e-4)
        #expect(abs(FontMetrics.width("W", size: 10) - 10 * 2025.0 / 2048) < 1e-3)
        #expect(FontMetrics.width("W", size: 1, bold: true) > FontMetrics.width("W", size: 1))
    }

    @Test func stackedPointsSumToTheIncidents() {
        var pts = Array(repeating: XY(1, 1), count: 7) + Array(repeating: XY(2, 2), count: 3) + [XY(3, 3)]
        pts.shuffle()
        let s = StackedPoints(pts)
        #expect(s.symbols.count == 3 && s.total == 11)
        #expect(s.symbols.map(\.count) == [7, 3, 1])
        #expect(StackedPoints.radius(4) == 2 * StackedPoints.radius(1))
        #expect(s.legendCounts == [1, 2, 7])
    }

    @Test func emergingCategoriesAreDistinctAndNoPatternIsAnOutline() {
        let symbols = MapStyle.emergingSymbols
        #expect(symbols.count == 17 && Set(symbols.map(\.code)).count == 17)
        // No two categories look alike: fill and hatching together differ.
        #expect(Set(symbols.map { "\($0.fill)\($0.hatch ?? "")\($0.outlineOnly)" }).count == 17)
        let new = symbols.first { $0.code == 1 }!
        #expect(new.fill == "#cb0800" && new.outline == "#cb0800")
        #expect(symbols.first { $0.code == 0 }!.outlineOnly)
        let c = MapStyle.codes([1, 6, 0], table: MapStyle.emerging, field: "category_code", title: "E")
        var doc = MapDocument(page: MapPage(), extent: Extent(minX: 0, minY: 0, maxX: 300, maxY: 100), title: "t", subtitle: "s", details: [], attribution: [])
        let sq = { (x: Double) in MultiPolygon([Polygon(exterior: [XY(x, 0), XY(x + 100, 0), XY(x + 100, 100), XY(x, 100), XY(x, 0)])]) }
        doc.fill = .init(classification: c, shapes: c.classes.indices.map { k in [0: sq(0), 5: sq(100), 16: sq(200)][k] })
        let svg = doc.svg()
        #expect(svg.contains("<pattern id=\"hatch-5\""))
        #expect(svg.contains("fill=\"#cb0800\" stroke=\"#cb0800\""))
        // No Pattern Detected: no fill path drawn for it (class 16), and the legend says so.
        #expect(!svg.contains("fill=\"#b2b2b2\" d="))
        #expect(svg.contains("No Pattern Detected (1): not filled"))
    }

    @Test func contextKindsFromTheClassFieldsUsersHave() {
        let line = FeatureGeometry.lines([[XY(0, 0), XY(1, 1)]])
        #expect(ContextStyle.kind(geometry: line, classes: ["roadclassification": "A Road"]) == .aRoad)
        #expect(ContextStyle.kind(geometry: line, classes: ["roadclassification": "B Road"]) == .bRoad)
        #expect(ContextStyle.kind(geometry: line, classes: ["roadclassification": "Unclassified"]) == .minorRoad)
        #expect(ContextStyle.kind(geometry: line, classes: ["function": "Motorway"]) == .motorway)
        #expect(ContextStyle.kind(geometry: line, classes: ["highway": "primary"]) == .aRoad)
        #expect(ContextStyle.kind(geometry: line, classes: ["highway": "residential"]) == .minorRoad)
        #expect(ContextStyle.kind(geometry: line, classes: ["railway": "rail"]) == .railway)
        #expect(ContextStyle.kind(geometry: line, classes: [:]) == .road)
        #expect(ContextStyle.kind(geometry: .points([XY(0, 0)]), classes: ["railway": "station"]) == .station)
        #expect(ContextStyle.kind(geometry: .points([XY(0, 0)]), classes: [:]) == .point)
    }

    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: real Lewisham context layers skipped"))
    func realLewishamContextLayersReadAndLabelWithoutCollisions() throws {
        let dir = Paths.sharedFile("geodata/lewisham/context")
        let stations = try ContextLayerReader.read(.init(name: "stations", source: dir + "/stations-osm-2024-11.geojson"))
        #expect(stations.layer.features.count == 51 && stations.layer.features.allSatisfy { $0.kind == .station && $0.label != nil })
        #expect(stations.layer.attribution == ContextLayerReader.osmAttribution)
        // Catford station, British National Grid metres (OSM node at 51.4446 N, 0.0262 W).
        let catford = try #require(stations.layer.features.first { $0.label == "Catford" })
        guard case .points(let p) = catford.geometry else { Issue.record("not a point"); return }
        #expect(abs(p[0].x - 537_300) < 300 && abs(p[0].y - 173_600) < 300)
        let roads = try ContextLayerReader.read(.init(name: "roads", source: dir + "/major-roads-dft-mrn-2018.gpkg", attribution: "DfT"))
        #expect(roads.layer.features.count == 205 && roads.layer.features.allSatisfy { $0.kind == .road && $0.label == nil })
        let towns = try ContextLayerReader.read(.init(name: "towns", source: dir + "/town-centres.geojson"))
        #expect(towns.labelField == "sitename" && towns.layer.features.count == 9 && towns.layer.features.allSatisfy { $0.kind == .area })
        #expect(!towns.warnings.isEmpty)  // no known licence: the user is asked for --context-attribution
        // The whole borough on A4: every context label placed is free of every other and of the frame's furniture.
        var doc = MapDocument(page: MapPage(), extent: Extent(minX: 532_000, minY: 168_500, maxX: 542_000, maxY: 179_000),
                              title: "t", subtitle: "s", details: ["d"], attribution: [])
        doc.contexts = [roads.layer, towns.layer, stations.layer]
        let pl = doc.placement()
        #expect(pl.labels.count > 30)
        #expect(noOverlaps(pl.labels.map(\.placed.box)))
        #expect(pl.labels.allSatisfy { pl.frame.contains($0.placed.box) && !$0.placed.box.intersects(pl.northArrow) && !$0.placed.box.intersects(pl.scaleBar) })
        #expect(doc.svg().contains("© OpenStreetMap contributors"))
    }
}

/// Tiled basemaps: the zoom of the print scale and the tiles a map needs (issue 18).
@Suite struct BasemapTests {
    @Test func theZoomPrintsTilePixelsAt96dpi() {
        // Lewisham (≈ 10 km across, ≈ 16 km in Web Mercator units at 51.5° N) on a 212 mm frame: 801 px at 96 dpi,
        // ≈ 20 units per pixel → zoom 13 (19.1 units per pixel at zoom 13).
        let px = Basemap.pixels(widthMM: 212, heightMM: 170)
        #expect(px.w == 801 && px.h == 642)
        #expect(Basemap.zoom(unitsPerPixel: 16_000.0 / Double(px.w), scheme: .webMercator) == 13)
        // Two wards (3 km, ≈ 4.8 km in Web Mercator) → zoom 15; OS's EPSG:27700 matrix: 896 m/px at zoom 0.
        #expect(Basemap.zoom(unitsPerPixel: 4_800.0 / 801, scheme: .webMercator) == 15)
        #expect(Basemap.zoom(unitsPerPixel: 3.5, scheme: .britishNationalGrid) == 8)
        #expect(Basemap.zoom(unitsPerPixel: 1e-6, scheme: .britishNationalGrid) == 13)
        #expect(Basemap.zoom(unitsPerPixel: 1e9, scheme: .webMercator) == 0)
    }

    @Test func tileRangesCountTheTilesCovered() {
        // Web Mercator zoom 1: four tiles of 20,037,508 units; a box straddling the origin touches all four.
        let r = Basemap.tileRange(Extent(minX: -10, minY: -10, maxX: 10, maxY: 10), zoom: 1, scheme: .webMercator)
        #expect(r == (0, 0, 1, 1))
        // OS matrix zoom 5 (28 m/px, 7,168 m tiles) from origin (−238375, 1376256): Lewisham 532–542 km E, 168–179 km N.
        let o = Basemap.tileRange(Extent(minX: 532_000, minY: 168_000, maxX: 542_000, maxY: 179_000), zoom: 5, scheme: .britishNationalGrid)
        #expect(o.x0 == Int((532_000.0 + 238_375) / 7_168) && o.x1 == Int((542_000.0 + 238_375) / 7_168))
        #expect(o.y0 == Int((1_376_256.0 - 179_000) / 7_168) && o.y1 == Int((1_376_256.0 - 168_000) / 7_168))
    }

    @Test func anXYZURLBecomesAGDALWMSDescription() {
        let r = Basemap.Request(url: "http://127.0.0.1:1/{z}/{x}/{y}.png?key=secret&a=b", cache: "/tmp/c", userAgent: "hotspot/test")
        let xml = Basemap.wmsXML(r, zoom: 13)
        #expect(xml.contains("<ServerUrl>http://127.0.0.1:1/${z}/${x}/${y}.png?key=secret&amp;a=b</ServerUrl>"))
        #expect(xml.contains("<TileLevel>13</TileLevel>") && xml.contains("<UserAgent>hotspot/test</UserAgent>") && xml.contains("<ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes>"))
        #expect(Basemap.redacted(r.url) == "http://127.0.0.1:1/{z}/{x}/{y}.png?…")
    }
}

/// Context layer options as the README states them (issue 18).
@Suite struct ContextOptionTests {
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: real Lewisham context layers skipped"))
    func anEmptyLabelFieldNamesNothingAndAnUnknownOneIsRefused() throws {
        let stations = Paths.sharedFile("geodata/lewisham/context/stations-osm-2024-11.geojson")
        let none = try ContextLayerReader.read(.init(name: "stations", source: stations, labelField: ""))
        #expect(none.labelField == nil && none.layer.features.allSatisfy { $0.label == nil })
        let byNetwork = try ContextLayerReader.read(.init(name: "stations", source: stations, labelField: "network"))
        #expect(byNetwork.labelField == "network")
        #expect(throws: InputError.self) { try ContextLayerReader.read(.init(name: "stations", source: stations, labelField: "nosuch")) }
        // An explicit attribution replaces the OSM default.
        let credited = try ContextLayerReader.read(.init(name: "stations", source: stations, attribution: "Stations: OSM"))
        #expect(credited.layer.attribution == "Stations: OSM")
    }
}

/// Road names: along the road on maps of 1:20,000 and larger only (README, "Context layers").
@Suite struct RoadNameScaleTests {
    func doc(across metres: Double) -> MapDocument {
        let road = ContextLayer.Feature(geometry: .lines([[XY(0, metres / 2), XY(metres, metres / 2)]]), kind: .aRoad, label: "Rushey Green")
        var d = MapDocument(page: MapPage(), extent: Extent(minX: 0, minY: 0, maxX: metres, maxY: metres), title: "t", subtitle: "s", details: [], attribution: [])
        d.contexts = [ContextLayer(name: "roads", features: [road], attribution: nil)]
        return d
    }

    @Test func roadsAreNamedAtLargeScalesOnly() {
        // A 2 km square on A4 (≈ 12 m per mm): named; a 20 km square (≈ 120 m per mm): not.
        let large = doc(across: 2_000).placement(), small = doc(across: 20_000).placement()
        #expect(large.metresPerMM < 20 && small.metresPerMM > 20)
        #expect(large.labels.map(\.label.text) == ["Rushey Green"] && large.labels[0].placed.rotation == 0)
        #expect(small.labels.isEmpty)
    }
}
