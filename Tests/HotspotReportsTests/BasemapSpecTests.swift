import Foundation
import HotspotGeo
import HotspotCore
import HotspotIO
import HotspotCartography
import Testing
@testable import HotspotReports

/// `--basemap` as the README states it: XYZ with {z}/{x}/{y} or WMTS:, attribution known for OSM and OS, required
/// otherwise (issue 18).
@Suite struct BasemapSpecTests {
    @Test func attributionIsKnownForOSMAndOSAndRequiredOtherwise() throws {
        let osm = try BasemapSpec(url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
        #expect(osm.attribution.contains("OpenStreetMap contributors") && osm.maxTiles == 256 && osm.scheme == .webMercator)
        let os = try BasemapSpec(url: "https://api.os.uk/maps/raster/v1/zxy/Light_27700/{z}/{x}/{y}.png?key=K", scheme: .britishNationalGrid)
        #expect(os.attribution.contains("OS data"))
        #expect(throws: InputError.self) { try BasemapSpec(url: "https://tiles.example.org/{z}/{x}/{y}.png") }
        #expect(try BasemapSpec(url: "https://tiles.example.org/{z}/{x}/{y}.png", attribution: "Tiles: Example").attribution == "Tiles: Example")
        #expect(throws: InputError.self) { try BasemapSpec(url: "https://tiles.example.org/tile.png", attribution: "x") }
        #expect(try BasemapSpec(url: "WMTS:https://example.org/wmts?SERVICE=WMTS,layer=base", attribution: "x").url.hasPrefix("WMTS:"))
    }
}

/// A study boundary of several areas is drawn as its outer outline (README, "Maps").
@Suite struct BoundaryOutlineTests {
    @Test func adjacentAreasDissolveToOneOutline() throws {
        func square(_ x: Double) -> MultiPolygon { MultiPolygon([Polygon(exterior: [XY(x, 0), XY(x + 100, 0), XY(x + 100, 100), XY(x, 100), XY(x, 0)])]) }
        let areas = [Area(id: "a", name: "A", geometry: square(0)), Area(id: "b", name: "B", geometry: square(100))]
        let o = MapJob.outline(areas, try GEOSContext())
        #expect(o.count == 1 && o[0].polygons.count == 1 && o[0].polygons[0].holes.isEmpty)
        #expect(abs(o[0].area - 20_000) < 1e-6)
        let e = try #require(o[0].extent)
        #expect(e.minX == 0 && e.maxX == 200 && e.minY == 0 && e.maxY == 100)
    }
}
