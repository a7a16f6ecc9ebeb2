import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// What a map should look like (`--map` on kde, gistar, emerging, grid and areas).
public struct MapOptions: Sendable {
    public var page = MapPage()
    public var formats: [MapRaster.Format] = [.svg, .pdf, .png]
    /// PNG resolution, dots per inch.
    public var dpi = 300
    public var title: String?
    /// Areas to highlight, by name or code (any layer).
    public var focus: [String] = []
    /// Frame the focus areas instead of the whole study area.
    public var zoomFocus = false
    public var showPoints = false
    /// Also outline the areas of this layer (e.g. lsoa), thinly and without labels.
    public var outlineLayer: String?
    /// The date printed as "Map made …"; nil prints none (so that re-runs are byte-identical).
    public var asOf: String?
    /// Context layers (roads, stations, town centres) drawn with the analysis (`--context NAME=SOURCE`).
    public var context: [ContextLayerReader.Spec] = []
    /// A tiled basemap under the map (`--basemap URL`).
    public var basemap: BasemapSpec?
    public init() {}
}

/// A tiled basemap: an XYZ URL (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`) in Web Mercator or in the OS Maps
/// API's EPSG:27700 matrix, or `WMTS:capabilities-url,layer=NAME`; the attribution its licence asks for; the tile cap.
public struct BasemapSpec: Sendable, Equatable {
    public var url: String
    public var scheme: Basemap.Scheme
    public var attribution: String
    public var maxTiles: Int
    public init(url: String, scheme: Basemap.Scheme = .webMercator, attribution: String? = nil, maxTiles: Int = 256) throws {
        self.url = url; self.scheme = scheme; self.maxTiles = maxTiles
        guard url.hasPrefix("WMTS:") || (url.contains("{z}") && url.contains("{x}") && url.contains("{y}")) else {
            throw InputError.unusable("basemap '\(Basemap.redacted(url))' is neither an XYZ URL with {z}, {x} and {y} nor WMTS:capabilities-url,layer=NAME")
        }
        if let a = attribution { self.attribution = a }
        else if url.contains("openstreetmap.org") { self.attribution = "Basemap © OpenStreetMap contributors (ODbL); tiles: OpenStreetMap Foundation." }
        else if url.contains("os.uk") { self.attribution = "Basemap: contains OS data © Crown copyright and database rights." }
        else { throw InputError.unusable("basemap \(Basemap.redacted(url)): its attribution is not known; give the line its licence asks for with --basemap-attribution TEXT") }
    }
}

/// What a map drew, recorded in metadata.json (`maps`, by map name) so that `hotspot map FOLDER` redraws it the same:
/// the options (paper, focus, zoom, context, basemap…) and what the product chose (which areas were named, what blank
/// means, the stacked points file).
public struct MapRecord: Codable, Sendable, Equatable {
    public struct BasemapRecord: Codable, Sendable, Equatable {
        public var url: String, crs: String, attribution: String, maxTiles: Int
    }
    public var title: String?
    public var paper: String, orientation: String
    public var dpi: Int
    public var formats: [String]
    public var focus: [String]
    public var zoom: String
    public var points: Bool
    public var outline: String?
    public var asOf: String?
    public var context: [ContextLayerReader.Spec]
    public var basemap: BasemapRecord?
    public var labelOnly: [String]?
    public var labelOnlyWhat: String?
    public var blank: String?
    public var hotspotLegend: String?
    public var notes: [String]?
    /// The stacked incident points drawn (x, y, count), a CSV beside the map, when `points`.
    public var pointsFile: String?

    public init(_ o: MapOptions, context c: MapJob.Context?, pointsFile: String?) {
        title = o.title; paper = o.page.paper.rawValue; orientation = o.page.orientation.rawValue; dpi = o.dpi
        formats = o.formats.map(\.rawValue); focus = o.focus; zoom = o.zoomFocus ? "focus" : "study"; points = o.showPoints
        outline = o.outlineLayer; asOf = o.asOf
        // Context files by absolute path: a redraw from another folder finds them.
        let cwd = FileManager.default.currentDirectoryPath
        context = o.context.map { c in
            var c = c
            if !c.source.hasPrefix("/") && !c.source.hasPrefix("PG:") { c.source = ((cwd as NSString).appendingPathComponent(c.source) as NSString).standardizingPath }
            return c
        }
        basemap = o.basemap.map { BasemapRecord(url: $0.url, crs: $0.scheme.rawValue, attribution: $0.attribution, maxTiles: $0.maxTiles) }
        labelOnly = c?.labelOnly.map { $0.sorted() }; labelOnlyWhat = c?.labelOnly == nil ? nil : c?.labelOnlyWhat
        blank = c?.blank; hotspotLegend = c?.hotspots.isEmpty == false ? c?.hotspotLegend : nil
        notes = c.map { $0.notes.isEmpty ? nil : $0.notes } ?? nil
        self.pointsFile = pointsFile
    }

    /// The map options it records.
    public var options: MapOptions {
        var o = MapOptions()
        o.title = title
        o.page = MapPage(paper: MapPage.Paper(rawValue: paper) ?? .a4, orientation: MapPage.Orientation(rawValue: orientation) ?? .landscape)
        o.dpi = dpi; o.formats = formats.compactMap(MapRaster.Format.init(rawValue:)); o.focus = focus; o.zoomFocus = zoom == "focus"
        o.showPoints = points; o.outlineLayer = outline; o.asOf = asOf; o.context = context
        o.basemap = basemap.flatMap { try? BasemapSpec(url: $0.url, scheme: Basemap.Scheme(rawValue: $0.crs) ?? .webMercator, attribution: $0.attribution, maxTiles: $0.maxTiles) }
        return o
    }
}

/// Attribution printed on every map and recorded in metadata.json.
public enum Attribution {
    public static let policeData = "Contains public sector information licensed under the Open Government Licence v3.0."
    public static let boundaries = "Contains National Statistics and OS data © Crown copyright and database right."
    public static func lines(boundaries used: Bool) -> [String] { used ? [policeData, boundaries] : [policeData] }
}

/// Draws a product as a print map (SVG, and PDF/PNG through rsvg-convert) into an output set.
public enum MapJob {
    /// The map context every product shares: where the incidents are, the layers to draw, the words to print.
    public struct Context {
        /// The period the incidents cover, their types and number (the subtitle), and their points (`--points`).
        public var period: String, types: String, count: Int
        public var points: [XY]
        public var boundary: LoadedLayer?
        public var layers: [LoadedLayer]
        /// Hotspot polygons, outlined and labelled by id.
        public var hotspots: [(id: String, geometry: MultiPolygon)] = []
        public var hotspotLegend = "Hotspots (h1 = highest peak in the study area)"
        /// When the labelled layer has many small areas (more than `MapJob.manyAreas`), only these area ids are
        /// labelled (the significant ones), and the legend says so with `labelOnlyWhat` ("significant").
        public var labelOnly: Set<String>?
        public var labelOnlyWhat = "significant"
        /// What unfilled features mean, said in the legend ("density 0").
        public var blank: String?
        /// Lines printed under the legend: the run's warnings (empty time steps, dropped hotspots) and caveats.
        public var notes: [String] = []
        /// One line of parameters (cell, bandwidth, kernel, threshold, neighbours, FDR).
        public var parameters: String
        public var product: String
        public init(incidents: LoadedIncidents, boundary: LoadedLayer?, layers: [LoadedLayer], parameters: String, product: String) {
            let t = incidents.table
            self.init(period: MapJob.period(t), types: MapJob.types(t), count: t.count, points: (0..<t.count).map { XY(t.x[$0], t.y[$0]) },
                      boundary: boundary, layers: layers, parameters: parameters, product: product)
        }
        public init(period: String, types: String, count: Int, points: [XY], boundary: LoadedLayer?, layers: [LoadedLayer],
                    parameters: String, product: String) {
            self.period = period; self.types = types; self.count = count; self.points = points
            self.boundary = boundary; self.layers = layers; self.parameters = parameters; self.product = product
        }
    }

    /// The period the accepted incidents cover, from their first and last dates (not the file names).
    public static func period(_ t: IncidentTable) -> String {
        guard let lo = t.day.min(), let hi = t.day.max() else { return "no incidents" }
        if t.resolution == .month {
            let a = CivilDate.monthOrdinal(ofDay: Int(lo)), b = CivilDate.monthOrdinal(ofDay: Int(hi))
            return a == b ? monthName(a) : "\(monthName(a)) – \(monthName(b))"
        }
        return "\(dayName(Int(lo))) – \(dayName(Int(hi)))"
    }
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static func monthName(_ ordinal: Int) -> String {
        let c = CivilDate.civil(days: CivilDate.days(year: ordinal / 12, month: ordinal % 12 + 1, day: 1))
        return "\(months[c.month - 1]) \(c.year)"
    }
    static func dayName(_ d: Int) -> String { let c = CivilDate.civil(days: d); return "\(c.day) \(months[c.month - 1].prefix(3)) \(c.year)" }

    /// "Ward boundaries", "LSOA boundaries", "Beats boundaries".
    /// The layer as a noun inside a sentence: "ward", "LSOA", "beat" (acronyms keep their capitals).
    static func layerNoun(_ name: String) -> String {
        let t = layerTitle(name).replacingOccurrences(of: " boundaries", with: "")
        guard let first = t.first, t.dropFirst().first?.isLowercase ?? true else { return t }
        return first.lowercased() + t.dropFirst()
    }

    static func layerTitle(_ name: String) -> String {
        switch name.lowercased() {
        case "wards", "ward": return "Ward boundaries"
        case "lsoa", "lsoas": return "LSOA boundaries"
        case "msoa", "msoas": return "MSOA boundaries"
        default: return name.prefix(1).uppercased() + name.dropFirst() + " boundaries"
        }
    }

    /// The crime types included, most frequent first ("all types" when more than four).
    public static func types(_ t: IncidentTable) -> String {
        var n = [Int](repeating: 0, count: t.categories.count)
        for c in t.category { n[Int(c)] += 1 }
        let used = t.categories.indices.filter { n[$0] > 0 }.sorted { (n[$0], t.categories[$1]) > (n[$1], t.categories[$0]) }
        if used.count == 1 { return t.categories[used[0]] }
        if used.count <= 4 { return used.map { t.categories[$0] }.joined(separator: ", ") }
        return "All crime (\(used.count) types)"
    }

    /// Draws `map.svg` (+ `.pdf`, `.png`) of `features` classified by `classification`. `dissolve` merges each
    /// class's features (grid cells, edge to edge) into one shape; polygon layers are drawn as they are.
    @discardableResult
    public static func draw(_ c: Context, features: [MultiPolygon], classification: Classification, dissolve: Bool,
                            options o: MapOptions, into set: OutputSet, name: String = "map") throws -> [String] {
        let geos = try GEOSContext()
        var shapes: [MultiPolygon?] = []
        for k in classification.classes.indices {
            let members = features.indices.filter { classification.classOf[$0] == k }.map { features[$0] }
            if members.isEmpty { shapes.append(nil); continue }
            shapes.append(dissolve ? MultiPolygon(dissolveEdgeToEdge(members).map { Polygon(exterior: $0) })
                                   : MultiPolygon(members.flatMap(\.polygons)))
        }
        let wards = c.layers.first { $0.name == "wards" } ?? c.layers.first
        // Extent: the focus areas with --zoom focus, else the boundary, else the features, else the incidents.
        let focusAreas = c.layers.flatMap { l in l.areas.filter { a in o.focus.contains { $0.caseInsensitiveCompare(a.name) == .orderedSame || $0 == a.id } } }
        let extent = (o.zoomFocus ? focusAreas.extent : nil)
            ?? c.boundary?.areas.extent ?? features.extent
            ?? Extent(x: c.points.map(\.x), y: c.points.map(\.y)) ?? Extent(minX: 0, minY: 0, maxX: 1, maxY: 1)
        var doc = MapDocument(page: o.page, extent: extent,
                              title: o.title ?? "\(c.types): \(c.product)",
                              subtitle: "\(c.period) · \(Fmt.grouped(c.count)) incidents · \(c.types)",
                              details: [c.parameters],
                              attribution: Attribution.lines(boundaries: c.boundary != nil || !c.layers.isEmpty), madeOn: o.asOf)
        doc.fill = .init(classification: classification, shapes: shapes, blank: c.blank)
        doc.notes += c.notes
        doc.contexts = try loadContext(o.context)
        if let l = o.outlineLayer.flatMap({ n in c.layers.first { $0.name == n } }), l.name != wards?.name {
            doc.outlines.append(.init(name: l.name, geometries: l.areas.map(\.geometry), stroke: "#9a9a9a", width: 0.12))
            doc.outlineLegend.append((layerTitle(l.name), "#9a9a9a"))
        }
        let focusIDs = Set(focusAreas.map(\.id))
        if let w = wards {
            // Many small areas (169 LSOAs): only the significant (or focus) ones are labelled, and the legend says so.
            let many = w.areas.count > manyAreas
            let labelled = w.areas.filter { a in !many || focusIDs.contains(a.id) || c.labelOnly?.contains(a.id) == true }
            let labels = try labelled.map { a in
                MapLabel(text: a.name, anchor: .area(LabelCandidates.inside(a.geometry, first: try geos.pointOnSurface(a.geometry))),
                         priority: focusIDs.contains(a.id) ? 100 : 60, size: 2.4, bold: focusIDs.contains(a.id), leader: focusIDs.contains(a.id) || many)
            }
            doc.outlines.append(.init(name: w.name, geometries: w.areas.map(\.geometry), stroke: "#555555", width: 0.25, labels: labels))
            doc.outlineLegend.append((layerTitle(w.name), "#555555"))
            if many {
                let what = layerTitle(w.name).replacingOccurrences(of: " boundaries", with: "")
                doc.notes.append("Labels: only the \(labelled.count) \(c.labelOnly == nil ? "focus" : c.labelOnlyWhat) \(what) areas of \(w.areas.count) are named (too many to label all).")
            }
        }
        // A boundary that is also an area layer (the ward file) is drawn once, as that layer.
        if let b = c.boundary, !c.layers.contains(where: { $0.source.path == b.source.path }) {
            doc.outlines.append(.init(name: "boundary", geometries: outline(b.areas, geos), stroke: "#111111", width: 0.5))
            doc.outlineLegend.append(("Study area", "#111111"))
        }
        if !focusAreas.isEmpty {
            doc.outlines.append(.init(name: "focus", geometries: focusAreas.map(\.geometry), stroke: "#1b7837", width: 0.9))
            doc.outlineLegend.append(("Focus: " + focusAreas.map(\.name).joined(separator: ", "), "#1b7837"))
        }
        if !c.hotspots.isEmpty {
            // Hotspot ids beside their polygon (east side first), moved out on a leader line when nothing fits.
            let labels = c.hotspots.compactMap { h in
                h.geometry.extent.map { MapLabel(text: h.id, anchor: .beside($0), priority: 80, size: 3.0, colour: "#08306b", bold: true, leader: true) }
            }
            doc.outlines.append(.init(name: "hotspots", geometries: c.hotspots.map(\.geometry), stroke: "#08306b", width: 0.7, labels: labels))
            doc.outlineLegend.append((c.hotspotLegend, "#08306b"))
        }
        var pointsFile: String?
        if o.showPoints {
            doc.points = c.points
            // The stacked points drawn, kept beside the map so that a redraw draws them again without the incidents.
            var t = Table(columns: ["easting", "northing", "incidents"])
            t.rows = StackedPoints(c.points).symbols.sorted { ($0.at.x, $0.at.y) < ($1.at.x, $1.at.y) }
                .map { [.double($0.at.x, decimals: nil), .double($0.at.y, decimals: nil), .int($0.count)] }
            pointsFile = "\(name)-points.csv"
            try set.write(pointsFile!, t.csv())
        }
        try addBasemap(&doc, o.basemap)
        set.maps[name] = MapRecord(o, context: c, pointsFile: pointsFile)
        // The set's web map draws the same outlines and context (map.html).
        set.webReference(boundary: c.boundary, layers: c.layers)
        set.webContext(doc.contexts)
        return try writeRendered(doc.svg(), name: name, options: o, into: set)
    }

    /// Puts the basemap under `doc` (tiles fetched through GDAL into `HOTSPOT_TILE_CACHE`, default
    /// ~/.cache/hotspot/tiles) and its attribution under the map.
    public static func addBasemap(_ doc: inout MapDocument, _ b: BasemapSpec?) throws {
        guard let b else { return }
        let g = doc.frameGround
        let px = Basemap.pixels(widthMM: g.widthMM, heightMM: g.heightMM)
        let env = ProcessInfo.processInfo.environment
        let cache = env["HOTSPOT_TILE_CACHE"] ?? ((env["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/hotspot/tiles")
        let r = try Basemap.render(extent: g.extent, width: px.w, height: px.h,
                                   request: .init(url: b.url, scheme: b.scheme, maxTiles: b.maxTiles, cache: cache, userAgent: userAgent))
        doc.basemap = r.png
        doc.attribution.append(b.attribution)
    }
    /// How hotspot names itself to tile servers.
    public static var userAgent: String { "hotspot/\(HotspotVersion.string) (crime hotspot print maps; GDAL \(GDALLibrary.version))" }

    /// A study boundary of several areas (a ward file) as its outer outline: the areas dissolved (GEOS unary union),
    /// slivers between them (holes under 0.1 % of the whole) dropped; the areas as they are if GEOS cannot.
    static func outline(_ areas: [Area], _ geos: GEOSContext) -> [MultiPolygon] {
        guard areas.count > 1, let g = try? GEOSGeometry(geos, MultiPolygon(areas.flatMap(\.geometry.polygons))),
              let u = try? g.unaryUnion().multiPolygon() else { return areas.map(\.geometry) }
        let total = u.area
        return [MultiPolygon(u.polygons.map { p in Polygon(exterior: p.exterior, holes: p.holes.filter { abs(Polygon.signedArea2($0)) / 2 >= total * 0.001 }) })]
    }

    /// The parameters line of an area map ("Rates per 1,000 residents (population: FILE) · 12 areas").
    public static func areaParameters(_ l: LoadedLayer, rated: Bool) -> String {
        rated ? "Rates per 1,000 residents (population: \((l.populationPath as NSString?)?.lastPathComponent ?? "")) · \(l.areas.count) areas"
              : "Counts · \(l.areas.count) areas"
    }

    /// Layers with more areas than this are labelled only where significant (or in focus).
    public static let manyAreas = 60

    /// Reads the context layers of a map (small files: read for each map).
    public static func loadContext(_ specs: [ContextLayerReader.Spec]) throws -> [ContextLayer] {
        try specs.map { spec in
            let r = try ContextLayerReader.read(spec)
            for w in r.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            return r.layer
        }
    }

    /// Writes `NAME.svg` and, from it, the PDF and PNG asked for (rasterised side by side); the SVG is dropped again
    /// when it was not asked for. Returns the file names written.
    static func writeRendered(_ svg: String, name: String, options o: MapOptions, into set: OutputSet) throws -> [String] {
        try set.write("\(name).svg", svg)
        let rasters = o.formats.filter { $0 != .svg }
        let data = try MapRaster.convert(svg: set.path("\(name).svg"), to: rasters, dpi: o.dpi)
        for f in rasters { try set.write("\(name).\(f.rawValue)", data[f]!) }
        if !o.formats.contains(.svg) { try set.remove("\(name).svg") }
        return (o.formats.contains(.svg) ? ["\(name).svg"] : []) + rasters.map { "\(name).\($0.rawValue)" }
    }
}
