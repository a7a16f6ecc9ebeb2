import Foundation
import HotspotGeo
import HotspotIO
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
