import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// How well a hotspot product (polygons: hotspots.geojson, hot cells or an emerging category from emerging.geojson)
/// predicted the incidents of a later period: hit rate, PAI and the Recapture Rate Index.
public enum AccuracyJob {
    public struct Result {
        public var accuracy: HotspotAccuracy
        public var later: LoadedIncidents
        public var selected: Int
        public var written: [String]
    }

    /// - Parameters:
    ///   - hotspots: a GeoJSON of polygons; `whereProperty` = (name, value) keeps only features whose property equals
    ///     the value (e.g. category = "New Hot Spot", or hot = 1).
    ///   - earlier: the incidents the product was made from (for the RRI), optional.
    /// `p.files` are the later incidents; `p.products.accuracy` names the product and the earlier incidents.
    public static func run(_ req: Project, command: String) throws -> Result {
        guard let a = req.products.accuracy else { throw InputError.unusable("accuracy needs --hotspots FILE") }
        let hotspots = a.hotspots, whereProperty = a.whereProperty, earlier = a.earlier, read = req.read
        let gridDirectories = req.gridDirectories, out = req.out
        var keep: Set<String> = []
        if let (file, layer) = PolygonLayerReader.ogrSource(hotspots) {
            // A Shapefile, FlatGeobuf, MapInfo, GeoPackage layer or PostGIS table: features by their id field.
            let g = try OGRSource.read(file, layer: layer)
            let idc = g.fields.firstIndex(of: "id"), wc = whereProperty.flatMap { w in g.fields.firstIndex(of: w.0) }
            if whereProperty != nil && wc == nil { throw PolygonLayerReader.LayerError.noField(hotspots, whereProperty!.0, g.fields) }
            for i in g.values.indices {
                if let (_, v) = whereProperty, let c = wc { guard g.values[i][c] == v || g.values[i][c].flatMap(Double.init).map({ Fmt.number($0) }) == v else { continue } }
                keep.insert(idc.flatMap { g.values[i][$0] } ?? "\(i + 1)")
            }
        } else if hotspots.lowercased().hasSuffix(".gpkg") {
            // A GeoPackage product (hotspot's own, or edited in QGIS): features by their id column.
            let g = try GeoPackageReader.read(path: hotspots)
            for i in g.geometries.indices {
                if let (k, v) = whereProperty {
                    let pv = g.text[k]?[i] ?? g.columns[k]?[i].map { Fmt.number($0) }
                    guard pv == v else { continue }
                }
                keep.insert(g.text["id"]?[i] ?? "\(i + 1)")
            }
        } else {
            let data = try InputFile.contents(hotspots)
            guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let features = root["features"] as? [[String: Any]] else { throw PolygonLayerReader.LayerError.notGeoJSON(hotspots, "no features") }
            for (i, f) in features.enumerated() {
                let props = f["properties"] as? [String: Any] ?? [:]
                // `id` is the property, else the feature's `id` member (RFC 7946 §3.2; where ogr2ogr writes it).
                func property(_ k: String) -> Any? { props[k] ?? (k == "id" ? f["id"] : nil) }
                if let (k, v) = whereProperty { guard let pv = property(k), "\(pv)" == v else { continue } }
                keep.insert(property("id").map { "\($0)" } ?? "\(i)")
            }
        }
        guard !keep.isEmpty else { throw InputError.unusable("\(hotspots): no feature matches \(whereProperty.map { "\($0.0)=\($0.1)" } ?? "")") }
        let layer = try Pipeline.loadLayer(LayerSpec(name: "hotspots", path: hotspots, idField: "id", nameField: "id"),
                                           gridDirectories: gridDirectories, keep: { keep.contains($0.id) })
        let job = try req.loadInputs(layers: false)
        let b = job.boundary, inc = job.incidents
        let n2 = layer.index.assign(x: inc.table.x, y: inc.table.y).filter { $0 >= 0 }.count
        var n1: Int?, N1: Int?
        if !earlier.isEmpty {
            let e = try Pipeline.loadIncidents(files: earlier, options: read, gridDirectories: gridDirectories, boundary: b)
            n1 = layer.index.assign(x: e.table.x, y: e.table.y).filter { $0 >= 0 }.count
            N1 = e.table.count
        }
        let area = layer.areas.reduce(0) { $0 + $1.geometry.area }
        let study = b.map { $0.areas.reduce(0) { $0 + $1.geometry.area } } ?? inc.table.extent.map { $0.width * $0.height } ?? 0
        let acc = hotspotAccuracy(capturedLater: n2, totalLater: inc.table.count, areaM2: area, studyAreaM2: study,
                                  capturedEarlier: n1, totalEarlier: N1)
        let set = try OutputSet(directory: out, database: req.database)
        var t = Table(columns: ["hotspot_features", "area_km2", "study_area_km2", "later_incidents", "captured", "hit_rate", "pai", "earlier_incidents", "earlier_captured", "rri"])
        t.rows = [[.int(layer.areas.count), .double(area / 1e6, decimals: 6), .double(study / 1e6, decimals: 6), .int(inc.table.count), .int(n2),
                   .double(acc.hitRate, decimals: 6), .double(acc.pai, decimals: 4), N1.map { Value.int($0) } ?? .null, n1.map { Value.int($0) } ?? .null,
                   acc.rri.map { Value.double($0, decimals: 4) } ?? .null]]
        try set.write("accuracy.csv", t.csv())
        try set.finish(command: command, parameters: ["job": "accuracy", "hotspots": hotspots,
                                                      "where": whereProperty.map { "\($0.0)=\($0.1)" } ?? "",
                                                      "study_area": req.boundary?.path ?? "extent of the later incidents"],
                       inputs: job, extraLayers: [layer], warnings: job.warnings)
        return Result(accuracy: acc, later: inc, selected: layer.areas.count, written: set.written.map(\.path) + ["metadata.json"])
    }
}
