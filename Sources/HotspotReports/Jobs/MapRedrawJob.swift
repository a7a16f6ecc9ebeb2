import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// `hotspot map FOLDER`: redraws the maps of an existing output folder (new title, paper, focus, formats…) from
/// its GeoPackages and metadata.json, without reading or analysing the incidents again. The folder is rewritten as a
/// whole like any run: its other files are kept as they are, the maps replaced, and metadata.json lists them.
public enum MapRedrawJob {
    public struct Result {
        public var job: String
        public var written: [String]
        public var warnings: [String]
    }

    /// Options given to `hotspot map`, each overriding what the run's map drew (nil: as recorded).
    public struct Overrides: Sendable {
        public var title: String?, paper: MapPage.Paper?, orientation: MapPage.Orientation?, dpi: Int?
        public var formats: [MapRaster.Format]?, focus: [String]?, zoomFocus: Bool?, points: Bool?, outline: String?, asOf: String?
        public var context: [ContextLayerReader.Spec]?, basemap: BasemapSpec?
        public init() {}
        func apply(to base: MapOptions) -> MapOptions {
            var o = base
            if let title { o.title = title }
            if let paper { o.page.paper = paper }
            if let orientation { o.page.orientation = orientation }
            if let dpi { o.dpi = dpi }
            if let formats { o.formats = formats }
            if let focus { o.focus = focus }
            if let zoomFocus { o.zoomFocus = zoomFocus }
            if let points { o.showPoints = points }
            if let outline { o.outlineLayer = outline }
            if let asOf { o.asOf = asOf }
            if let context { o.context = context }
            if let basemap { o.basemap = basemap }
            return o
        }
    }

    public static func run(folder: String, overrides: Overrides, gridDirectories: [String] = []) throws -> Result {
        let metaPath = (folder as NSString).appendingPathComponent("metadata.json")
        let raw = try InputFile.contents(metaPath, limit: 64 << 20)
        guard var meta = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any], meta["tool"] as? String == "hotspot",
              let params = meta["parameters"] as? [String: String], let job = params["job"] else {
            throw InputError.unusable("\(folder): not a hotspot output folder (no hotspot metadata.json)")
        }
        guard ["kde", "gistar", "emerging", "grid", "areas"].contains(job), params["shape"] == nil else {
            throw InputError.unusable("\(folder): a \(params["shape"] ?? job) output; maps are drawn for square-grid or area products of kde, gistar, emerging, grid and areas")
        }
        var warnings: [String] = []
        // The layers the run used (boundary, wards…), reloaded from their files.
        var boundary: LoadedLayer?, layers: [LoadedLayer] = []
        for l in meta["layers"] as? [[String: Any]] ?? [] {
            guard let name = l["name"] as? String, let path = l["path"] as? String else { continue }
            guard FileManager.default.fileExists(atPath: path) else { warnings.append("layer \(name): \(path) is gone; drawn without it"); continue }
            let spec = LayerSpec(name: name, path: path, idField: l["id_field"] as? String, nameField: l["name_field"] as? String,
                                 epsg: l["epsg"] as? Int, population: l["population"] as? String)
            let loaded = try Pipeline.loadLayer(spec, gridDirectories: gridDirectories)
            if name == "boundary" { boundary = loaded } else { layers.append(loaded) }
        }
        let coverage = meta["coverage"] as? [String: Any] ?? [:]
        let counts = meta["counts"] as? [String: Any] ?? [:]
        let types = (coverage["types"] as? [String: Int] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        let ctxBase = MapJob.Context(period: period(first: coverage["first_date"] as? String, last: coverage["last_date"] as? String,
                                                    monthly: coverage["resolution"] as? String == "month"),
                                     types: types.count == 1 ? types[0] : types.count <= 4 ? types.joined(separator: ", ") : "All crime (\(types.count) types)",
                                     count: counts["analysed"] as? Int ?? counts["accepted"] as? Int ?? 0, points: [],
                                     boundary: boundary, layers: layers, parameters: params["map_parameters"] ?? "", product: params["map_product"] ?? job)
        // What each map drew, as recorded by the run (older folders: the defaults).
        var records: [String: MapRecord] = [:]
        if let maps = meta["maps"] as? [String: Any] {
            let d = JSONDecoder(); d.keyDecodingStrategy = .convertFromSnakeCase
            for (name, value) in maps {
                if let data = try? JSONSerialization.data(withJSONObject: value), let r = try? d.decode(MapRecord.self, from: data) { records[name] = r }
            }
        }
        func options(_ name: String) -> MapOptions { overrides.apply(to: records[name]?.options ?? MapOptions()) }
        for name in Set(records.keys).union(["map"]) {
            let o = options(name)
            guard o.zoomFocus else { continue }
            let found = layers.contains { l in l.areas.contains { a in o.focus.contains { $0.caseInsensitiveCompare(a.name) == .orderedSame || $0 == a.id } } }
            guard found else {
                throw InputError.unusable(o.focus.isEmpty ? "--zoom focus: the run drew no focus areas; name them with --focus AREA"
                                                          : "--zoom focus: none of \(o.focus.joined(separator: ", ")) is an area of the run's layers (\(layers.map(\.name).joined(separator: ", ")))")
            }
        }
        func context(_ base: MapJob.Context, _ name: String) throws -> MapJob.Context {
            var c = base
            guard let r = records[name] else { return c }
            c.labelOnly = r.labelOnly.map(Set.init); c.labelOnlyWhat = r.labelOnlyWhat ?? c.labelOnlyWhat; c.blank = r.blank
            if let h = r.hotspotLegend { c.hotspotLegend = h }
            c.notes = r.notes ?? []
            if options(name).showPoints {
                if let f = r.pointsFile, let rows = try? CSVRows.read((folder as NSString).appendingPathComponent(f)) {
                    c.points = rows.dropFirst().flatMap { row -> [XY] in
                        guard row.count >= 3, let x = Double(row[0]), let y = Double(row[1]), let n = Int(row[2]) else { return [] }
                        return Array(repeating: XY(x, y), count: n)
                    }
                } else { warnings.append("--points: the run drew no points, so none are kept: redraw with the original command to show them") }
            }
            return c
        }
        let set = try OutputSet(directory: folder)
        // Keep every file of the run but its maps and metadata.json (hard links: nothing is copied).
        let old = ((meta["outputs"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        for f in old where !isMap(f) {
            let src = (folder as NSString).appendingPathComponent(f), dst = set.path(f)
            try? FileManager.default.createDirectory(atPath: (dst as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if link(src, dst) != 0 { try FileManager.default.copyItem(atPath: src, toPath: dst) }
        }
        // Layers carry short field names (FieldNames); NAME.fields.csv maps the full names to them.
        var shortNames: [String: [String: String]] = [:]
        func gpkg(_ name: String) throws -> GeoPackageReader.Layer {
            let l = try GeoPackageReader.read(path: (folder as NSString).appendingPathComponent(name))
            let dict = (folder as NSString).appendingPathComponent((name as NSString).deletingPathExtension + ".fields.csv")
            var map: [String: String] = [:]
            if let text = try? String(contentsOfFile: dict, encoding: .utf8) {
                for line in text.split(separator: "\n").dropFirst() {
                    let f = line.split(separator: ",", maxSplits: 2).map(String.init)
                    if f.count >= 2 { map[f[1]] = f[0] }
                }
            }
            shortNames[l.table] = map
            return l
        }
        func values(_ l: GeoPackageReader.Layer, _ field: String) -> [Double] {
            (l.columns[shortNames[l.table]?[field] ?? field] ?? []).map { $0 ?? .nan }
        }
        var written: [String] = []
        switch job {
        case "kde":
            let d = try gpkg("density.gpkg")
            let field = values(d, "density_per_km2").isEmpty ? "density_per_m2" : "density_per_km2"
            let cls = KDEJob.densityClassification(values(d, field), unit: field.hasSuffix("km2") ? .perKm2 : .perM2)
            var ctx = ctxBase
            if let h = try? gpkg("hotspots.gpkg") {
                ctx.hotspots = zip(h.text["id"] ?? [], h.geometries).map { ($0.0 ?? "", $0.1) }
            }
            written += try MapJob.draw(try context(ctx, "map"), features: d.geometries, classification: cls, dissolve: true, options: options("map"), into: set)
        case "gistar":
            let g = try gpkg("gistar.gpkg")
            let cls = MapStyle.codes(values(g, "gi_bin").map { Int($0.isFinite ? $0 : 0) }, table: MapStyle.giBins, field: "gi_bin",
                                     title: "Getis-Ord Gi*\(params["fdr"] == "true" ? " (FDR)" : "")")
            written += try MapJob.draw(try context(ctxBase, "map"), features: g.geometries, classification: cls, dissolve: params["layer"] == nil, options: options("map"), into: set)
        case "emerging":
            let e = try gpkg("emerging.gpkg")
            let cls = MapStyle.codes(values(e, "category_code").map { Int($0.isFinite ? $0 : 0) }, table: MapStyle.emerging, field: "category_code",
                                     title: params["map_legend"] ?? "Emerging hot spots")
            written += try MapJob.draw(try context(ctxBase, "map"), features: e.geometries, classification: cls, dissolve: params["layer"] == nil, options: options("map"), into: set)
        case "grid":
            let g = try gpkg("grid.gpkg")
            let cls = MapStyle.quantiles(values(g, "count"), field: "count", title: "Incidents per cell", ramp: MapStyle.ylOrRd5, decimals: 0)
            written += try MapJob.draw(try context(ctxBase, "map"), features: g.geometries, classification: cls, dissolve: true, options: options("map"), into: set)
        default:  // areas: one map per layer
            for l in layers {
                let a = try gpkg("areas-\(l.name).gpkg")
                let rates = values(a, "rate_per_1000")
                let rated = rates.contains { $0.isFinite }
                let cls = MapStyle.quantiles(rated ? rates : values(a, "count"), field: rated ? "rate_per_1000" : "count",
                                             title: rated ? "Incidents per 1,000 residents" : "Incidents", ramp: MapStyle.puBu5, decimals: rated ? 1 : 0)
                var ctx = ctxBase
                ctx.layers = [l] + layers.filter { $0.name != l.name }
                ctx.parameters = MapJob.areaParameters(l, rated: rated)
                ctx.product = "\(MapJob.layerTitle(l.name).replacingOccurrences(of: " boundaries", with: "")) \(rated ? "rates" : "counts")"
                written += try MapJob.draw(try context(ctx, "map-\(l.name)"), features: a.geometries, classification: cls, dissolve: false,
                                           options: options("map-\(l.name)"), into: set, name: "map-\(l.name)")
            }
        }
        // metadata.json: the run's record, with the outputs now in the folder and the redraw's own command.
        var outputs = ((meta["outputs"] as? [[String: Any]]) ?? []).filter { !isMap($0["path"] as? String ?? "") }
        for w in set.written { outputs.append(["path": w.path, "sha256": w.sha256, "bytes": w.bytes]) }
        meta["outputs"] = outputs.sorted { ($0["path"] as? String ?? "") < ($1["path"] as? String ?? "") }
        let o = options(records.keys.sorted().first ?? "map")
        meta["map_redrawn"] = ["title": o.title ?? "", "paper": "\(o.page.paper.rawValue) \(o.page.orientation.rawValue)",
                               "dpi": o.dpi, "formats": o.formats.map(\.rawValue), "focus": o.focus, "zoom": o.zoomFocus ? "focus" : "study"]
        // The maps now in the folder, as drawn by this redraw.
        let e = JSONEncoder(); e.keyEncodingStrategy = .convertToSnakeCase
        if !set.maps.isEmpty, let data = try? e.encode(set.maps), let obj = try? JSONSerialization.jsonObject(with: data) { meta["maps"] = obj }
        meta["warnings"] = ((meta["warnings"] as? [String]) ?? []) + warnings
        let data = try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
        try set.commit(metadata: data)
        return Result(job: job, written: written, warnings: warnings)
    }

    static func isMap(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return name.hasPrefix("map") && ([".svg", ".pdf", ".png"].contains { name.hasSuffix($0) } || name.hasSuffix("-points.csv"))
    }

    /// "March 2022 – September 2022" from the coverage dates.
    static func period(first: String?, last: String?, monthly: Bool) -> String {
        guard let first, let last, let a = DateParser.parse(first), let b = DateParser.parse(last) else { return "period unknown" }
        var t = IncidentTable(epsg: 27700, resolution: monthly ? .month : .day)
        t.day = [Int32(a.day), Int32(b.day)]
        return MapJob.period(t)
    }
}
