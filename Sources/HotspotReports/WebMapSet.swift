import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import Synchronization

/// The web map part of an output set: every layer written at the top of the set (`writeLayer` without `folder`,
/// `writePoints`) is collected, and `finish` (or `writeWebMap`, for sets committed with a ready-made record) writes
/// `map.html`, `map-data.js` and Leaflet's files beside them (`WebMap`), listed in the set's outputs with their SHA-256.
/// Reference outlines (the study area, the wards, labelled) come from the job's inputs or its print map, and its
/// context layers (roads, stations, town centres) from the print map's `--context`.
public struct WebMapState {
    var layers: [WebMap.Layer] = []
    /// The study boundary and area layers drawn as reference outlines (set by the job's finish or its print map).
    public var boundary: LoadedLayer?
    public var areaLayers: [LoadedLayer] = []
    var referenceSet = false
    /// Context layers (EPSG:27700) drawn over and under the layers.
    public var context: [ContextLayer] = []
    /// The page's title; nil: the main layer's title.
    public var title: String?
    var written = false
    /// Layers left off the web map for their size: name, polygons.
    var omitted: [(String, Int)] = []
    /// The most polygons a layer may have to be drawn on the web map (Leaflet draws a quarter of a million squares
    /// slowly; a national grid's millions not at all): larger layers are in the GeoJSON and GeoPackage only.
    public static let maxFeatures = 250_000
    /// This set's limit (`maxFeatures`; tests lower it).
    public var maxFeatures = WebMapState.maxFeatures
    /// Where Leaflet is looked for (tests): nil, the process's environment (`HOTSPOT_LEAFLET`).
    var environment: [String: String]?
    init() {}
}

extension OutputSet {
    /// Collects a polygon layer for the web map (called by `writeLayer`).
    func collectWeb(_ name: String, geometries: [MultiPolygon], wgs84: [MultiPolygon], properties: Table, geojson: String,
                    style: LayerStyle?, aliases: [String: String]) {
        let names = properties.columns
        let hover = ["name", "id"].first { names.contains($0) }
        var layer: WebMap.Layer
        // A labelled style (weekly wards by name, hotspots by id): the same labels on the page, when few enough to read.
        var style = style, labelField: String?
        // (Names are left to the reference ward outlines, which the page labels already: no name written twice.)
        if case let .labelled(inner, field)? = style { style = inner; labelField = field == "name" ? nil : field }
        func labels(_ field: String?, beside: Bool) -> [WebMap.Label] {
            guard let f = field, let i = properties.columns.firstIndex(of: f), geometries.count <= MapJob.manyAreas, let geos = try? GEOSContext() else { return [] }
            return zip(properties.rows, wgs84).compactMap { r, g in
                if case .null = r[i] { return nil }
                guard let p = try? geos.pointOnSurface(g) else { return nil }
                return .init(lon: beside ? (g.extent?.maxX ?? p.x) : p.x, lat: p.y, text: r[i].csvText)
            }
        }
        switch style {
        case .classified(let c)?, .points(let c)?:
            let k = WebMap.classified(c, properties: properties)
            layer = WebMap.Layer(name: name, title: c.title, geojson: geojson, geometry: .polygon, symbols: k.symbols, symbolOf: k.symbolOf,
                                 aliases: aliases, hoverField: hover, labels: labels(labelField, beside: labelField == "id"), visible: true)
            layer.labelsBeside = labelField == "id"
            // A graduated scale: every class in the legend, the same each period (weekly wards).
            if case .graduated = c.kind { layer.legendAll = true }
        case .labelled?:
            return
        case let .outline(colour, width, outlineLabel)?:
            let title = Self.webTitle(name)
            // Labelled (as the print maps) when few enough to read: ids beside their polygon, on its east side (hotspots),
            // names on a point of the surface of each polygon's largest part.
            let field = outlineLabel ?? labelField
            let beside = field == "id"
            layer = WebMap.Layer(name: name, title: title, geojson: geojson, geometry: .polygon,
                                 symbols: [.init(label: title, fill: nil, stroke: colour, weight: max(1.5, width * 96 / 25.4), count: geometries.count)],
                                 aliases: aliases, hoverField: hover, labels: labels(field, beside: beside), visible: geometries.count <= MapJob.manyAreas)
            layer.labelsBeside = beside
        case nil:
            let title = Self.webTitle(name)
            layer = WebMap.Layer(name: name, title: title, geojson: geojson, geometry: .polygon,
                                 symbols: [.init(label: title, fill: "#9ecae1", fillOpacity: 0.6, stroke: "#3182bd", count: geometries.count)],
                                 aliases: aliases, hoverField: hover, visible: true)
        }
        web.layers.append(layer)
    }

    /// Collects a point layer for the web map (called by `writePoints`): classed markers (radius from the class's
    /// `sizeMM`) with a point style, else dark dots; off by default when the set has polygon layers.
    func collectWebPoints(_ name: String, geojson: String, count: Int, properties: Table, style: LayerStyle?, aliases: [String: String]) {
        var layer: WebMap.Layer
        if let c = style?.classification {
            let k = WebMap.classified(c, properties: properties)
            let symbols = k.symbols.enumerated().map { i, sym -> WebMap.Symbol in
                var sym = sym
                sym.radius = (i < c.classes.count ? c.classes[i].sizeMM ?? 2 : 2) * 96 / 25.4 / 2
                sym.stroke = sym.stroke ?? "#ffffff"
                return sym
            }
            layer = WebMap.Layer(name: name, title: c.title, geojson: geojson, geometry: .point, symbols: symbols, symbolOf: k.symbolOf,
                                 aliases: aliases, visible: true)
        } else {
            let t = Self.webTitle(name)
            layer = WebMap.Layer(name: name, title: t, geojson: geojson, geometry: .point,
                                 symbols: [.init(label: t, fill: "#252525", stroke: "#ffffff", weight: 1, radius: 3.5, count: count)],
                                 aliases: aliases, visible: true)
        }
        web.layers.append(layer)
    }

    /// The reference outlines of the web map (the study boundary, the area layers), unless already given.
    public func webReference(boundary: LoadedLayer?, layers: [LoadedLayer]) {
        guard !web.referenceSet else { return }
        web.boundary = boundary; web.areaLayers = layers; web.referenceSet = true
    }

    /// Context layers for the web map (the print map's `--context`).
    public func webContext(_ layers: [ContextLayer]) { if !layers.isEmpty { web.context = layers } }

    /// Whether the set holds a layer for the web map.
    public var hasWebLayers: Bool { !web.layers.isEmpty }

    /// Writes the web map (`map.html`, `map-data.js`, `leaflet/…`) of the layers written so far, once, and records
    /// the files in the set's outputs; nothing when the set holds no layer at its top level. `finish` calls it; a set
    /// committed with a ready-made record (`commit(metadata:)`, e.g. the weekly manifest) calls it before building
    /// that record so that the record lists the files. Without Leaflet (no libjs-leaflet, nothing in
    /// `HOTSPOT_LEAFLET`) the page and its data are still written, and the page and the returned warning say to
    /// install libjs-leaflet. `attribution`: the lines printed on the set's maps.
    @discardableResult
    public func writeWebMap(title: String? = nil, attribution: [String]) throws -> [String] {
        let omitted = web.written ? [] : web.omitted.map { "the web map (map.html) leaves out \($0.0): \(Fmt.counted($0.1, "polygon")) are more than a browser draws (\(Fmt.counted(web.maxFeatures, "polygon")) at most); open \($0.0).gpkg in a GIS" }
        // On stderr as well as in metadata.json: the jobs' own warnings are gathered before the web map is written.
        for w in omitted { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        guard !web.written, !web.layers.isEmpty else { return omitted }
        web.written = true
        // Polygons first, points after (drawn over them in any case). At first only the main layer is on (the first
        // filled polygon layer, else the first polygon layer), with the outlines of few polygons over it (hotspots);
        // points only when there is no polygon layer. Fills hide one another.
        var layers = web.layers.filter { $0.geometry != .point } + web.layers.filter { $0.geometry == .point }
        func fills(_ l: WebMap.Layer) -> Bool { l.symbols.contains { $0.fill != nil } }
        let main = layers.firstIndex { $0.geometry == .polygon && fills($0) } ?? 0
        for i in layers.indices {
            if i == main { layers[i].visible = true }
            else if layers[i].geometry == .point { layers[i].visible = !layers.contains { $0.geometry != .point } }
            else if fills(layers[i]) || !fills(layers[main]) { layers[i].visible = false }
        }
        // Titles tell the layers apart in the switcher ("Incidents per 1,000 residents (wards)").
        let titles = layers.map(\.title)
        for i in layers.indices where titles.filter({ $0 == titles[i] }).count > 1 {
            var n = WebMap.periodless(layers[i].name)
            for p in ["areas-", "compare-"] where n.hasPrefix(p) { n.removeFirst(p.count) }
            layers[i].title += " (\(n))"
        }
        var attribution = attribution
        layers += try referenceLayers()
        for c in web.context {
            let l = try Self.contextLayer(c, projection: try toWGS84())
            layers.append(l)
            if let a = l.attribution, !attribution.contains(a) { attribution.append(a) }
        }
        let page = WebMap.Page(title: title ?? web.title ?? layers[main].title, layers: layers, attribution: attribution)
        var warnings = omitted
        let env = web.environment ?? ProcessInfo.processInfo.environment
        let leaflet = WebMap.Leaflet.load(environment: env)
        if leaflet == nil {
            let w = "map.html needs Leaflet, not found in \(env["HOTSPOT_LEAFLET"] ?? WebMap.Leaflet.systemFolder): \(WebMap.installHint) and run again; the page says so until then"
            warnings.append(w)
            Self.warnOnce(w)
        }
        for f in WebMap.files(page, leaflet: leaflet) { try write(f.path, f.data) }
        return warnings
    }

    private static let warned = Mutex<Bool>(false)
    static func warnOnce(_ w: String) {
        let first = warned.withLock { done in defer { done = true }; return !done }
        if first { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
    }

    /// "hotspots" → "Hotspot polygons (h1 = highest peak)"; other names capitalised, without their period.
    static func webTitle(_ name: String) -> String {
        let base = WebMap.periodless(name)
        switch base {
        case "hotspots": return "Hotspot polygons (h1 = highest peak)"
        case "incidents": return "Incidents (points)"
        default: return base.prefix(1).uppercased() + base.dropFirst().replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        }
    }

    /// The study area's outline and the first area layer's (wards by preference) outlines with their names, as
    /// the print maps draw them; a boundary that is also an area layer is drawn once, as that layer.
    func referenceLayers() throws -> [WebMap.Layer] {
        var out: [WebMap.Layer] = []
        let proj = try toWGS84()
        let geos = try GEOSContext()
        let wards = web.areaLayers.first { $0.name == "wards" } ?? web.areaLayers.first
        if let b = web.boundary, !web.areaLayers.contains(where: { $0.source.path == b.source.path }) {
            let g = try proj.transform(MapJob.outline(b.areas, geos))
            let t = Table(columns: ["id"], rows: g.indices.map { [.string("boundary-\($0 + 1)")] })
            out.append(WebMap.Layer(name: "study-area", title: "Study area", geojson: GeoJSONWriter.featureCollection(name: "study-area", geometries: g, properties: t, idColumn: "id"),
                                    geometry: .polygon, role: .reference,
                                    symbols: [.init(label: "Study area", fill: nil, stroke: "#111111", weight: 2, count: g.count)], visible: true))
        }
        if let w = wards {
            let g = try proj.transform(w.areas.map(\.geometry))
            let t = Table(columns: ["id", "name"], rows: w.areas.map { [.string($0.id), .string($0.name)] })
            let title = MapJob.layerTitle(w.name)
            // Named on the map when few enough to read (as the print maps); always on hover.
            var labels: [WebMap.Label] = []
            if w.areas.count <= MapJob.manyAreas {
                for (a, gg) in zip(w.areas, g) { if let p = try? geos.pointOnSurface(gg) { labels.append(.init(lon: p.x, lat: p.y, text: a.name)) } }
            }
            out.append(WebMap.Layer(name: "reference-\(w.name)", title: title,
                                    geojson: GeoJSONWriter.featureCollection(name: w.name, geometries: g, properties: t, idColumn: "id"),
                                    geometry: .polygon, role: .reference,
                                    symbols: [.init(label: title, fill: nil, stroke: "#555555", weight: 1, count: g.count)],
                                    aliases: ["id": "id", "name": "name"], hoverField: "name", labels: labels, visible: true))
        }
        return out
    }

    /// A context layer as drawn on the print maps: each kind its colour, width and dash; areas with a faint fill.
    static func contextLayer(_ c: ContextLayer, projection proj: Projection) throws -> WebMap.Layer {
        var xs: [Double] = [], ys: [Double] = []
        for f in c.features { for p in f.geometry.coordinates { xs.append(p.x); ys.append(p.y) } }
        _ = try proj.transform(x: &xs, y: &ys)
        let lonlat = zip(xs, ys).map { XY($0, $1) }
        var at = 0
        let kinds = c.kinds
        var counts = [Int](repeating: 0, count: kinds.count)
        var features: [(geometry: FeatureGeometry, properties: [(String, String?)])] = [], of: [Int?] = []
        for f in c.features {
            let n = f.geometry.coordinates.count
            features.append((f.geometry.replacing(lonlat[at..<(at + n)]), [("name", f.label), ("kind", f.kind.legend)]))
            at += n
            let k = kinds.firstIndex(of: f.kind)
            of.append(k)
            if let k { counts[k] += 1 }
        }
        let geometry: WebMap.Geometry = kinds.allSatisfy { $0 == .area } ? .polygon : kinds.allSatisfy { $0.isLine } ? .line : kinds.allSatisfy { $0 == .point || $0 == .station } ? .point : .line
        let px = 96 / 25.4
        let symbols = kinds.enumerated().map { i, k -> WebMap.Symbol in
            let dash = k.dash.map { $0.split(separator: " ").compactMap { Double($0) }.map { Fmt.fixed(max(1, $0 * px), 1) }.joined(separator: " ") }
            switch k {
            case .area: return .init(label: k.legend, fill: k.stroke, fillOpacity: 0.08, stroke: k.stroke, weight: max(1, k.width * px), dash: dash, count: counts[i])
            case .point, .station: return .init(label: k.legend, fill: "#ffffff", stroke: k.stroke, weight: 1.5, radius: k == .station ? 5 : 3.5, count: counts[i])
            default: return .init(label: k.legend, fill: nil, stroke: k.stroke, weight: max(1, k.width * px * 2), dash: dash, count: counts[i])
            }
        }
        return WebMap.Layer(name: "context-\(c.name)", title: webTitle(c.name), geojson: WebMap.featureCollection(name: c.name, features: features),
                            geometry: geometry, role: .context, symbols: symbols, symbolOf: of, aliases: ["name": "name", "kind": "kind"],
                            hoverField: "name", visible: true, attribution: c.attribution)
    }
}

/// The web map index of a folder of period sets (a weekly job's `OUT/layers/`, holding `2025-W41/`, `latest/`…):
/// `map.html` with a period selector, and Leaflet beside it in `leaflet/` (`WebMap.periodIndex`). Choosing a period
/// loads that set's own `map-data.js`, so every request stays inside the folder.
public enum WebMapIndex {
    /// Writes the index into `folder` for the sub-folders that hold a web map (`map-data.js`), each file replaced
    /// atomically: `latest` first when there, then the periods (sub-folders for which `isPeriod` holds) newest first
    /// (labels that sort as dates: `2025-W41`, `2025-10`). Returns the warnings (Leaflet missing); writes nothing
    /// when no sub-folder has a web map.
    ///
    /// The weekly job calls it after publishing a period:
    /// `try WebMapIndex.write(folder: layers, title: "Weekly layers", isPeriod: { u.start($0) != nil })`.
    @discardableResult
    public static func write(folder: String, title: String, isPeriod: (String) -> Bool) throws -> [String] {
        let subs = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            FileManager.default.fileExists(atPath: ((folder as NSString).appendingPathComponent($0) as NSString).appendingPathComponent(WebMap.dataName))
        }
        let periods = (subs.contains("latest") ? ["latest"] : []) + subs.filter { $0 != "latest" && isPeriod($0) }.sorted(by: >)
        return try write(folder: folder, title: title, periods: periods.map { ($0, $0) })
    }

    /// Writes the index of `periods` (label, sub-folder), in that order, into `folder`.
    @discardableResult
    public static func write(folder: String, title: String, periods: [(label: String, folder: String)]) throws -> [String] {
        guard !periods.isEmpty else { return [] }
        let leaflet = WebMap.Leaflet.load()
        var warnings: [String] = []
        if leaflet == nil {
            let w = "\((folder as NSString).appendingPathComponent(WebMap.htmlName)) needs Leaflet: \(WebMap.installHint) and run again"
            warnings.append(w)
            OutputSet.warnOnce(w)
        }
        for f in WebMap.periodIndex(title: title, periods: periods, leaflet: leaflet) {
            try AtomicFile.write(f.data, to: (folder as NSString).appendingPathComponent(f.path))
        }
        return warnings
    }
}
