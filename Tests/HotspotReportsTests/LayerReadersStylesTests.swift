import CSQLite
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Issue 18 items 6, 9 and 10 on real data: the rasters' own style, GeoPackages with their own srs_id, feature ids,
/// and field aliases in every style.
@Suite struct LayerReadersStylesTests {
    static let lewisham = "geodata/lewisham/"
    static func out() -> String { NSTemporaryDirectory() + "hotspot-lrs-\(UUID().uuidString)" }
    static func burglary(_ year: String) -> [String] {
        (3...9).map { Paths.sharedFile("data/policeuk/met-burglary-lewisham/\(year)-0\($0)-metropolitan-street.csv") }
    }

    /// The real Lewisham wards as ArcGIS/MapInfo write a GeoPackage: srs_id 100000 (organization NONE) with British
    /// National Grid in `gpkg_spatial_ref_sys.definition`. Read as EPSG:27700, the March–September counts equal
    /// those from the EPSG:27700 GeoJSON of the same wards and the geopandas reference.
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: the real GeoPackage with srs_id 100000 is skipped"),
          arguments: ["2018", "2022"])
    func geoPackageWithItsOwnSrsIDReadsAsBritishNationalGrid(year: String) throws {
        let gpkg = Paths.sharedFile(Self.lewisham + "lbl_wd22_proposed.gpkg")
        let raw = try GeoPackageReader.read(path: gpkg)
        #expect(raw.srs?.srsID == 100000 && raw.srs?.organization == "NONE")
        #expect(raw.epsg == 27700)
        let inc = try Pipeline.loadIncidents(files: Self.burglary(year), options: ReadOptions())
        let fromGpkg = try Pipeline.loadLayer(LayerSpec(name: "wards", path: gpkg))
        let fromGeoJSON = try Pipeline.loadLayer(LayerSpec(name: "wards", path: Paths.sharedFile(Self.lewisham + "lbl_wd22_proposed_bng.geojson")))
        #expect(fromGpkg.source.epsg == 27700)  // recorded so in metadata.json
        let a = AreaCounts.compute(inc.table, layer: fromGpkg), b = AreaCounts.compute(inc.table, layer: fromGeoJSON)
        let got = Dictionary(uniqueKeysWithValues: a.rows.map { ($0.id, $0.count) })
        #expect(got.count == 19)
        #expect(got == Dictionary(uniqueKeysWithValues: b.rows.map { ($0.id, $0.count) }))
        let text = try String(contentsOfFile: Paths.sharedFile("reference/lewisham-burglary/marsep-\(year)/polygons_wards.csv"), encoding: .utf8)
        var want: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            want[f[1]] = Int(f[3])
        }
        #expect(got == want)
    }

    /// A definition OSR cannot identify as an EPSG code is refused with the srs_id and the flag that fixes it;
    /// declared, the layer reads.
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: the real GeoPackage with srs_id 100000 is skipped"))
    func anUnidentifiableDefinitionIsAClearError() throws {
        let p = NSTemporaryDirectory() + "hotspot-srs-\(UUID().uuidString).gpkg"
        try FileManager.default.copyItem(atPath: Paths.sharedFile(Self.lewisham + "lbl_wd22_proposed.gpkg"), toPath: p)
        defer { try? FileManager.default.removeItem(atPath: p) }
        var db: OpaquePointer?
        #expect(sqlite3_open(p, &db) == SQLITE_OK)
        // A local engineering CRS: no EPSG code matches it.
        let sql = "UPDATE gpkg_spatial_ref_sys SET definition = 'LOCAL_CS[\"site grid\",LOCAL_DATUM[\"site\",0],UNIT[\"metre\",1],AXIS[\"X\",EAST],AXIS[\"Y\",NORTH]]' WHERE srs_id = 100000"
        #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
        #expect(try GeoPackageReader.read(path: p).epsg == 0)
        do {
            _ = try PolygonLayerReader.read(path: p)
            Issue.record("an unidentifiable srs_id was accepted")
        } catch {
            let m = "\(error)"
            #expect(m.contains("srs_id 100000") && m.contains("--area-epsg") && !m.contains("PROJ"), "\(m)")
        }
        #expect(try PolygonLayerReader.read(path: p, declaredEPSG: 27700).areas.count == 19)
    }

    /// GeoJSON written by GDAL/ogr2ogr carries `id` as the feature's `id` member, not a property (RFC 7946 §3.2):
    /// a polygon layer's id detection, `pspo --from-hotspots` (id and name `id`) and `accuracy --where id=…` read it.
    @Test func featureIDsStandForTheIdProperty() throws {
        // What `ogr2ogr -f GeoJSON h1.geojson hotspots.geojson -where "id='h1'"` writes (GDAL 3.6), in BNG.
        let doc = """
            {
            "type": "FeatureCollection",
            "name": "hotspots",
            "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::27700" } },
            "features": [
            { "type": "Feature", "id": "h1", "properties": { "area_m2": 40000.0, "incidents": 9, "in_wards_n": "Ashdown" }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 533000.0, 170000.0 ], [ 533200.0, 170000.0 ], [ 533200.0, 170200.0 ], [ 533000.0, 170200.0 ], [ 533000.0, 170000.0 ] ] ] } }
            ]
            }
            """
        let p = NSTemporaryDirectory() + "hotspot-fid-\(UUID().uuidString).geojson"
        try doc.write(toFile: p, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: p) }
        let detected = try PolygonLayerReader.read(path: p, nameField: "in_wards_n")
        #expect(detected.idField == "id" && detected.areas.map(\.id) == ["h1"])
        let asHotspots = try PolygonLayerReader.read(path: p, idField: "id", nameField: "id")
        #expect(asHotspots.areas.map(\.id) == ["h1"] && asHotspots.areas.map(\.name) == ["h1"])
    }

    /// A real kde run: the rasters are `density-raster.tif/.asc/.prj` with their own `density-raster.qml`
    /// (singleband pseudocolour on the vector classes), nothing under the vector style's base name; every `.qml`
    /// and every GeoPackage `layer_styles` style gives every field of `NAME.fields.csv` its full name as alias.
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: the real kde run is skipped"))
    func realKDERunStylesRastersAndAliases() throws {
        let o = Self.out()
        defer { try? FileManager.default.removeItem(atPath: o) }
        let wards = LayerSpec(name: "wards", path: Paths.sharedFile(Self.lewisham + "lbl_wd22_proposed_bng.geojson"))
        var k = KDEOptions()
        k.cell = 100; k.clip = true; k.minIncidents = 3
        k.dualFiles = Self.burglary("2018")
        let r = try KDEJob.run(request(Self.burglary("2022"), boundary: wards, layers: [wards], out: o) { $0.kde = k }, command: "t")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: o))
        for f in ["density-raster.tif", "density-raster.asc", "density-raster.prj", "density-raster.qml", "dual-raster.asc", "dual-raster.prj", "dual-raster.qml"] {
            #expect(files.contains(f) && r.written.contains(f), "\(f)")
        }
        for f in ["density.tif", "density.asc", "density.prj", "dual.asc", "dual.prj"] { #expect(!files.contains(f), "\(f)") }
        // The raster style: the vector classes' colours, the top one open-ended.
        let raster = try XMLDocument(xmlString: String(contentsOfFile: o + "/density-raster.qml", encoding: .utf8))
        #expect((try raster.nodes(forXPath: "/qgis/pipe/rasterrenderer").first as? XMLElement)?.attribute(forName: "type")?.stringValue == "singlebandpseudocolor")
        let colours = try raster.nodes(forXPath: "//colorrampshader/item").compactMap { ($0 as? XMLElement)?.attribute(forName: "color")?.stringValue }
        #expect(Array(colours.dropFirst()) == MapStyle.ylOrRd5)
        let tif = try GeoTIFFWriter.read(o + "/density-raster.tif")
        #expect(tif.values.contains(-9999) && tif.noData == -9999, "the clipped raster has NoData cells")
        // Aliases in every .qml and every layer_styles row.
        let layers = files.filter { $0.hasSuffix(".fields.csv") }.map { String($0.dropLast(".fields.csv".count)) }.sorted()
        #expect(layers == ["density", "dual", "hotspots"])
        for name in layers {
            let rows = try CSVRows.read(o + "/\(name).fields.csv").dropFirst()
            let want = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
            func aliases(_ qml: String) throws -> [String: String] {
                let d = try XMLDocument(xmlString: qml)
                return Dictionary(uniqueKeysWithValues: try d.nodes(forXPath: "/qgis/aliases/alias").compactMap { n -> (String, String)? in
                    guard let e = n as? XMLElement, let f = e.attribute(forName: "field")?.stringValue, let a = e.attribute(forName: "name")?.stringValue else { return nil }
                    return (f, a)
                })
            }
            #expect(try aliases(String(contentsOfFile: o + "/\(name).qml", encoding: .utf8)) == want, "\(name).qml")
            let styles = try GeoPackageReader.styles(path: o + "/\(name).gpkg")
            #expect(styles.count == 1 && styles[0].isDefault, "\(name).gpkg")
            #expect(try aliases(styles.first?.qml ?? "") == want, "\(name).gpkg layer_styles")
        }
        #expect(try CSVRows.read(o + "/hotspots.fields.csv").contains { $0.first == "peak_km2" && $0.dropFirst().first == "peak_density_per_km2" })
    }
}
