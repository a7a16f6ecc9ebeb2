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

    /// Reads the folder (`compute`), then rewrites it with the maps drawn again (`write`).
    public static func run(folder: String, overrides: Overrides, gridDirectories: [String] = []) throws -> Result {
        let redraw = try compute(folder: folder, overrides: overrides, gridDirectories: gridDirectories)
        return try write(redraw)
    }

    /// What a redraw draws, read from the folder before anything is written: the run's metadata.json and parameters,
    /// its layers reloaded, the map context they give and what each map drew.
    struct Redraw {
        var folder: String
        var meta: [String: Any], params: [String: String], job: String
        var overrides: Overrides
        var layers: [LoadedLayer]
        var base: MapJob.Context
        /// What each map drew, as recorded by the run (older folders: none, so the defaults).
        var records: [String: MapRecord]
        var warnings: [String]

        /// The options of map `name`: as the run drew it, with the overrides.
        func options(_ name: String) -> MapOptions { overrides.apply(to: records[name]?.options ?? MapOptions()) }

        /// Refuses `--zoom focus` when no focus area is an area of the run's layers.
        func checkFocus() throws {
            for name in Set(records.keys).union(["map"]) {
                let o = options(name)
                guard o.zoomFocus else { continue }
                let found = layers.contains { l in l.areas.contains { a in o.focus.contains { $0.caseInsensitiveCompare(a.name) == .orderedSame || $0 == a.id } } }
                guard found else {
                    throw InputError.unusable(o.focus.isEmpty ? "--zoom focus: the run drew no focus areas; name them with --focus AREA"
                                                              : "--zoom focus: none of \(o.focus.joined(separator: ", ")) is an area of the run's layers (\(layers.map(\.name).joined(separator: ", ")))")
                }
            }
        }

        /// The context of map `name`: `base` with what the run's map drew (labels, blanks, legend, notes, and its
        /// points when they are shown: a warning when the run kept none).
        mutating func context(_ base: MapJob.Context, _ name: String) -> MapJob.Context {
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
    }

    /// Reads the folder's metadata.json, reloads the run's layers and what each map drew; nothing is written.
    /// Refused: a folder that is not a hotspot output, a product without maps, `--zoom focus` naming no area.
    static func compute(folder: String, overrides: Overrides, gridDirectories: [String]) throws -> Redraw {
        let metaPath = (folder as NSString).appendingPathComponent("metadata.json")
        let raw = try InputFile.contents(metaPath, limit: 64 << 20)
        guard let meta = (try? JSONSerialization.jsonObject(with: raw)) as? [String: Any], meta["tool"] as? String == "hotspot",
              let params = meta["parameters"] as? [String: String], let job = params["job"] else {
            throw InputError.unusable("\(folder): not a hotspot output folder (no hotspot metadata.json)")
        }
        guard ["kde", "gistar", "emerging", "grid", "areas"].contains(job), params["shape"] == nil else {
            throw InputError.unusable("\(folder): a \(params["shape"] ?? job) output; maps are drawn for square-grid or area products of kde, gistar, emerging, grid and areas")
        }
        var warnings: [String] = []
        let (boundary, layers) = try loadLayers(meta, gridDirectories: gridDirectories, warnings: &warnings)
        let redraw = Redraw(folder: folder, meta: meta, params: params, job: job, overrides: overrides, layers: layers,
                            base: baseContext(meta, params: params, job: job, boundary: boundary, layers: layers),
                            records: records(meta), warnings: warnings)
        try redraw.checkFocus()
        return redraw
    }

    /// The layers the run used (boundary, wards…), reloaded from their files; a file gone is a warning.
    static func loadLayers(_ meta: [String: Any], gridDirectories: [String], warnings: inout [String]) throws -> (boundary: LoadedLayer?, layers: [LoadedLayer]) {
        var boundary: LoadedLayer?, layers: [LoadedLayer] = []
        for l in meta["layers"] as? [[String: Any]] ?? [] {
            guard let name = l["name"] as? String, let path = l["path"] as? String else { continue }
            guard FileManager.default.fileExists(atPath: path) else { warnings.append("layer \(name): \(path) is gone; drawn without it"); continue }
            let spec = LayerSpec(name: name, path: path, idField: l["id_field"] as? String, nameField: l["name_field"] as? String,
                                 epsg: l["epsg"] as? Int, population: l["population"] as? String)
            let loaded = try Pipeline.loadLayer(spec, gridDirectories: gridDirectories)
            if name == "boundary" { boundary = loaded } else { layers.append(loaded) }
        }
        return (boundary, layers)
    }

    /// The map context of the run's metadata: period, crime types, incidents, layers, parameters and product.
    static func baseContext(_ meta: [String: Any], params: [String: String], job: String, boundary: LoadedLayer?, layers: [LoadedLayer]) -> MapJob.Context {
        let coverage = meta["coverage"] as? [String: Any] ?? [:]
        let counts = meta["counts"] as? [String: Any] ?? [:]
        let types = (coverage["types"] as? [String: Int] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        return MapJob.Context(period: period(first: coverage["first_date"] as? String, last: coverage["last_date"] as? String,
                                             monthly: coverage["resolution"] as? String == "month"),
                              types: types.count == 1 ? types[0] : types.count <= 4 ? types.joined(separator: ", ") : "All crime (\(types.count) types)",
                              count: counts["analysed"] as? Int ?? counts["accepted"] as? Int ?? 0, points: [],
                              boundary: boundary, layers: layers, parameters: params["map_parameters"] ?? "", product: params["map_product"] ?? job)
    }

    /// What each map drew, as recorded by the run (older folders: none).
    static func records(_ meta: [String: Any]) -> [String: MapRecord] {
        var records: [String: MapRecord] = [:]
        if let maps = meta["maps"] as? [String: Any] {
            let d = JSONDecoder(); d.keyDecodingStrategy = .convertFromSnakeCase
            for (name, value) in maps {
                if let data = try? JSONSerialization.data(withJSONObject: value), let r = try? d.decode(MapRecord.self, from: data) { records[name] = r }
            }
        }
        return records
    }

    /// Rewrites the folder as a whole: the run's files but its maps kept (hard links), the maps drawn again, and
    /// metadata.json listing them.
    static func write(_ redraw: Redraw) throws -> Result {
        var r = redraw
        let set = try OutputSet(directory: r.folder)
        // Keep every file of the run but its maps and metadata.json (hard links: nothing is copied).
        let old = ((r.meta["outputs"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        for f in old where !isMap(f) {
            let src = (r.folder as NSString).appendingPathComponent(f), dst = set.path(f)
            try? FileManager.default.createDirectory(atPath: (dst as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if link(src, dst) != 0 { try FileManager.default.copyItem(atPath: src, toPath: dst) }
        }
        let written = try drawMaps(&r, into: set)
        try set.commit(metadata: try metadata(r, set: set))
        return Result(job: r.job, written: written, warnings: r.warnings)
    }

    /// A GeoPackage layer of the folder and its short field names (FieldNames: NAME.fields.csv maps the full names
    /// to them).
    struct FolderLayer {
        var layer: GeoPackageReader.Layer
        var shortNames: [String: String] = [:]
        init(folder: String, name: String) throws {
            layer = try GeoPackageReader.read(path: (folder as NSString).appendingPathComponent(name))
            let dict = (folder as NSString).appendingPathComponent((name as NSString).deletingPathExtension + ".fields.csv")
            if let text = try? String(contentsOfFile: dict, encoding: .utf8) {
                for line in text.split(separator: "\n").dropFirst() {
                    let f = line.split(separator: ",", maxSplits: 2).map(String.init)
                    if f.count >= 2 { shortNames[f[1]] = f[0] }
                }
            }
        }
        /// The values of the field of full name `field` (NaN for nulls; empty when there is no such field).
        func values(_ field: String) -> [Double] { (layer.columns[shortNames[field] ?? field] ?? []).map { $0 ?? .nan } }
    }

    /// Draws the run's maps into `set` from its GeoPackages, as the product's job draws them; returns the files written.
    static func drawMaps(_ r: inout Redraw, into set: OutputSet) throws -> [String] {
        func gpkg(_ name: String) throws -> FolderLayer { try FolderLayer(folder: r.folder, name: name) }
        let params = r.params
        switch r.job {
        case "kde":
            let d = try gpkg("density.gpkg")
            let field = d.values("density_per_km2").isEmpty ? "density_per_m2" : "density_per_km2"
            let cls = KDEJob.densityClassification(d.values(field), unit: field.hasSuffix("km2") ? .perKm2 : .perM2)
            var ctx = r.base
            if let h = try? gpkg("hotspots.gpkg") {
                ctx.hotspots = zip(h.layer.text["id"] ?? [], h.layer.geometries).map { ($0.0 ?? "", $0.1) }
            }
            return try MapJob.draw(r.context(ctx, "map"), features: d.layer.geometries, classification: cls, dissolve: true, options: r.options("map"), into: set)
        case "gistar":
            let g = try gpkg("gistar.gpkg")
            let cls = MapStyle.codes(g.values("gi_bin").map { Int($0.isFinite ? $0 : 0) }, table: MapStyle.giBins, field: "gi_bin",
                                     title: "Getis-Ord Gi*\(params["fdr"] == "true" ? " (FDR)" : "")")
            return try MapJob.draw(r.context(r.base, "map"), features: g.layer.geometries, classification: cls, dissolve: params["layer"] == nil, options: r.options("map"), into: set)
        case "emerging":
            let e = try gpkg("emerging.gpkg")
            let cls = MapStyle.codes(e.values("category_code").map { Int($0.isFinite ? $0 : 0) }, table: MapStyle.emerging, field: "category_code",
                                     title: params["map_legend"] ?? "Emerging hot spots")
            return try MapJob.draw(r.context(r.base, "map"), features: e.layer.geometries, classification: cls, dissolve: params["layer"] == nil, options: r.options("map"), into: set)
        case "grid":
            let g = try gpkg("grid.gpkg")
            let cls = MapStyle.quantiles(g.values("count"), field: "count", title: "Incidents per cell", ramp: MapStyle.ylOrRd5, decimals: 0)
            return try MapJob.draw(r.context(r.base, "map"), features: g.layer.geometries, classification: cls, dissolve: true, options: r.options("map"), into: set)
        default:  // areas: one map per layer
            var written: [String] = []
            for l in r.layers {
                let a = try gpkg("areas-\(l.name).gpkg")
                let rates = a.values("rate_per_1000")
                let rated = rates.contains { $0.isFinite }
                let cls = MapStyle.quantiles(rated ? rates : a.values("count"), field: rated ? "rate_per_1000" : "count",
                                             title: rated ? "Incidents per 1,000 residents" : "Incidents", ramp: MapStyle.puBu5, decimals: rated ? 1 : 0)
                var ctx = r.base
                ctx.layers = [l] + r.layers.filter { $0.name != l.name }
                ctx.parameters = MapJob.areaParameters(l, rated: rated)
                ctx.product = "\(MapJob.layerTitle(l.name).replacingOccurrences(of: " boundaries", with: "")) \(rated ? "rates" : "counts")"
                written += try MapJob.draw(r.context(ctx, "map-\(l.name)"), features: a.layer.geometries, classification: cls, dissolve: false,
                                           options: r.options("map-\(l.name)"), into: set, name: "map-\(l.name)")
            }
            return written
        }
    }

    /// metadata.json: the run's record, with the outputs now in the folder, the redraw's options and the maps it drew.
    static func metadata(_ r: Redraw, set: OutputSet) throws -> Data {
        var meta = r.meta
        var outputs = ((meta["outputs"] as? [[String: Any]]) ?? []).filter { !isMap($0["path"] as? String ?? "") }
        for w in set.written { outputs.append(["path": w.path, "sha256": w.sha256, "bytes": w.bytes]) }
        meta["outputs"] = outputs.sorted { ($0["path"] as? String ?? "") < ($1["path"] as? String ?? "") }
        let o = r.options(r.records.keys.sorted().first ?? "map")
        meta["map_redrawn"] = ["title": o.title ?? "", "paper": "\(o.page.paper.rawValue) \(o.page.orientation.rawValue)",
                               "dpi": o.dpi, "formats": o.formats.map(\.rawValue), "focus": o.focus, "zoom": o.zoomFocus ? "focus" : "study"]
        // The maps now in the folder, as drawn by this redraw.
        let e = JSONEncoder(); e.keyEncodingStrategy = .convertToSnakeCase
        if !set.maps.isEmpty, let data = try? e.encode(set.maps), let obj = try? JSONSerialization.jsonObject(with: data) { meta["maps"] = obj }
        meta["warnings"] = ((meta["warnings"] as? [String]) ?? []) + r.warnings
        return try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
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
