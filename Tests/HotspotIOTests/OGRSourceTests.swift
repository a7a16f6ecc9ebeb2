import Foundation
import HotspotCore
@testable import HotspotGeo
import HotspotIO
import HotspotTestSupport
import Testing

/// Boundaries through OGR (issue 11): the same areas, ids and coordinates as hotspot's own GeoJSON reader on every
/// real Lewisham GeoJSON, and GeoTIFF density surfaces that read back.
@Suite struct OGRSourceTests {
    @Test(.enabled(if: Paths.sharedAvailable, "../shared is absent: real Lewisham boundaries not here"))
    func ogrReadsTheRealGeoJSONAsHotspotDoes() throws {
        let dir = Paths.sharedFile("geodata/lewisham")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".geojson") || ($0.hasSuffix(".json") && $0.contains("full")) }.sorted()
        #expect(files.count >= 2)
        for f in files {
            let ours = try PolygonLayerReader.read(path: dir + "/" + f)
            let ogr = try OGRSource.read(dir + "/" + f)
            let idc = try #require(ogr.fields.firstIndex(of: ours.idField), "\(f): \(ours.idField)")
            let byID = Dictionary(uniqueKeysWithValues: ogr.values.indices.map { (ogr.values[$0][idc] ?? "", ogr.geometries[$0]) })
            #expect(byID.count == ours.areas.count, "\(f)")
            #expect(ogr.epsg == ours.epsg, "\(f): OGR EPSG \(String(describing: ogr.epsg)), ours \(ours.epsg)")
            for a in ours.areas {
                let g = try #require(byID[a.id], "\(f): \(a.id)")
                #expect(g.polygons.count == a.geometry.polygons.count, "\(f): \(a.id)")
                for (p, q) in zip(g.polygons, a.geometry.polygons) {
                    #expect(p.exterior.count == q.exterior.count && p.holes.count == q.holes.count, "\(f): \(a.id)")
                    #expect(zip(p.exterior, q.exterior).allSatisfy { abs($0.x - $1.x) < 1e-9 && abs($0.y - $1.y) < 1e-9 }, "\(f): \(a.id)")
                }
            }
        }
    }

    @Test func geoTIFFHoldsTheSurfaceNorthUpWithNoData() throws {
        let g = SquareGrid(x0: 530000, y0: 170000, cellSize: 100, ncols: 3, nrows: 2)
        let v: [Double] = [1, 2, 3, 4, .nan, 6]   // row 0 (south) = 1 2 3, row 1 (north) = 4 NaN 6
        let p = NSTemporaryDirectory() + "hotspot-\(UUID().uuidString).tif"
        try GeoTIFFWriter.write(values: v, grid: g, epsg: 27700, to: p)
        let q = NSTemporaryDirectory() + "hotspot-\(UUID().uuidString).tif"
        try GeoTIFFWriter.write(values: v, grid: g, epsg: 27700, to: q)
        #expect(FileManager.default.contents(atPath: p) == FileManager.default.contents(atPath: q))
        let r = try GeoTIFFWriter.read(p)
        #expect(r.width == 3 && r.height == 2 && r.epsg == 27700 && r.noData == -9999)
        #expect(r.geoTransform == [530000, 100, 0, 170200, 0, -100])
        #expect(r.values == [4, -9999, 6, 1, 2, 3])
    }
}
