import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// stops-map (`--map`): the searches stacked by map point (one circle per point, its area ∝ the searches there)
/// over the kernel density of street crime (with `--crime`: quartic kernel, the bandwidth and cells `hotspot kde`
/// chooses by default, clipped to the boundary), or over the searches per area of the first layer (without it),
/// with ward outlines and names (and `--outline LAYER` thinly), the context layers and basemap of
/// `--context`/`--basemap`, a legend, title and attribution as the other maps.
extension StopsJob {
    /// Draws stops-map.svg (+ .pdf, .png as `o.formats` asks); returns the files written and the map's parameters
    /// for metadata.json.
    static func drawMap(_ r: Result, job: JobInputs, x: [Double], y: [Double], options o: MapOptions, into set: OutputSet,
                        warnings: inout [String]) throws -> (written: [String], parameters: [String: String]) {
        let t = r.table, b = r.scopes[0]
        let shown = (0..<t.count).filter { b.member[$0] >= 0 && t.hasLocation($0) }
        let points = shown.map { XY(x[$0], y[$0]) }
        let wards = job.layers.first { $0.name == "wards" } ?? job.layers.first
        let focusAreas = job.layers.flatMap { l in l.areas.filter { a in o.focus.contains { $0.caseInsensitiveCompare(a.name) == .orderedSame || $0 == a.id } } }
        let extent = (o.zoomFocus ? focusAreas.extent : nil) ?? job.boundary?.areas.extent ?? wards?.areas.map(\.geometry).extent
            ?? Extent(x: points.map(\.x), y: points.map(\.y)) ?? Extent(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let crimeMode = r.crime != nil
        let days = shown.map { Int(t.day[$0]) }
        let period = days.isEmpty ? "no searches" : "\(MapJob.dayName(days.min()!)) – \(MapJob.dayName(days.max()!))"
        let crime = job.incidents.table
        var doc = MapDocument(page: o.page, extent: extent,
                              title: o.title ?? (crimeMode ? "Stop and search over the density of street crime" : "Stop and search"),
                              subtitle: "\(period) · \(Fmt.grouped(points.count)) searches at \(Fmt.grouped(StackedPoints(points).symbols.count)) map points"
                                  + (crimeMode ? " · \(Fmt.grouped(crime.count)) street crimes" : ""),
                              details: [], attribution: Attribution.lines(boundaries: job.boundary != nil || !job.layers.isEmpty), madeOn: o.asOf)
        var params: [String: String] = [:]
        if crimeMode {
            let (fill, line, p) = try crimeDensityFill(job, frame: doc.frameGround.extent, warnings: &warnings)
            doc.fill = fill
            doc.details = ["Street crime: \(MapJob.types(crime)), \(MapJob.period(crime)) · searches: police.uk anonymous map points, not addresses"]
            doc.notes.append(line + ".")
            params = p
        } else if let l = wards, let s = r.scopes.first(where: { $0.name == l.name }) {
            let n = StopsTables.totals(s)
            let cls = MapStyle.quantiles(l.areas.indices.map { Double(n[$0]) }, field: "searches", title: "Searches per \(MapJob.layerNoun(l.name))", ramp: greys5, decimals: 0)
            doc.fill = .init(classification: cls, shapes: cls.classes.indices.map { k in
                let g = l.areas.indices.filter { cls.classOf[$0] == k }.flatMap { l.areas[$0].geometry.polygons }
                return g.isEmpty ? nil : MultiPolygon(g)
            })
            doc.details = ["Searches per \(MapJob.layerNoun(l.name)) (quantile classes) · searches: police.uk anonymous map points, not addresses"]
        } else {
            doc.details = ["Searches: police.uk anonymous map points, not addresses"]
        }
        let searchesIn = wards.flatMap { w in r.scopes.first { $0.name == w.name } }.map { s in
            Dictionary(zip(s.ids, StopsTables.totals(s)), uniquingKeysWith: { a, _ in a })
        } ?? [:]
        if let l = o.outlineLayer.flatMap({ n in job.layers.first { $0.name == n } }), l.name != wards?.name {
            doc.outlines.append(.init(name: l.name, geometries: l.areas.map(\.geometry), stroke: "#9a9a9a", width: 0.12))
            doc.outlineLegend.append((MapJob.layerTitle(l.name), "#9a9a9a"))
        }
        try addOutlines(&doc, job: job, wards: wards, focus: focusAreas, searches: searchesIn)
        doc.points = points
        doc.pointNoun = (one: "search", many: "searches"); doc.pointFill = searchColour
        if r.noLocation > 0 { doc.notes.append("\(Fmt.grouped(r.noLocation)) searches without a location are in the tables, not on the map.") }
        let top = StackedPoints(points).symbols.first?.count ?? 0
        doc.notes.append("Circle area ∝ searches at the point" + (top > 100 ? ", up to 100 (4 mm); larger stacks are drawn at 4 mm." : "."))
        doc.notes += warnings.map { "Warning: \($0)" }
        doc.contexts = try MapJob.loadContext(o.context)
        // Under a portrait map the legend takes the height it needs, with a line for labels left out (the frame the rest).
        if o.page.orientation == .portrait { doc.portraitLegendHeight = max(70, doc.legendHeight() + 8) }
        try MapJob.addBasemap(&doc, o.basemap)
        set.webContext(doc.contexts)
        return (try MapJob.writeRendered(doc.svg(), name: "stops-map", options: o, into: set), params)
    }

    /// Grey classes under the blue search symbols (ColorBrewer Greys, five classes).
    static let greys5 = ["#f7f7f7", "#d9d9d9", "#bdbdbd", "#969696", "#636363"]

    /// The kernel density of the crimes as the map's classes (dissolved per class, the cells within `frame`), the
    /// line saying how it was computed, and its parameters for metadata.json.
    static func crimeDensityFill(_ job: JobInputs, frame fe: Extent, warnings: inout [String]) throws -> (MapDocument.Fill, String, [String: String]) {
        let crime = job.incidents.table
        guard crime.count >= 2 else { throw InputError.unusable("the map of searches over crime density needs at least 2 crimes in the analysis (got \(crime.count))") }
        var ko = KDEOptions(); ko.clip = job.boundary != nil
        let h = Bandwidth.compute(.arcgis, x: crime.x, y: crime.y)
        let kde = try KDEJob.compute(job, ko, bandwidth: h, warnings: &warnings)
        let s = kde.surface, g = s.grid
        let cells = (0..<g.cellCount).filter { s.values[$0] > 0 && (kde.mask?[$0] ?? true) }
        var cls = KDEJob.densityClassification(cells.map { s.values[$0] }, unit: s.parameters.unit)
        cls.title = "Street crime density (crimes per km²)"
        var shapes: [MultiPolygon?] = []
        for k in cls.classes.indices {
            let members = cells.indices.filter { cls.classOf[$0] == k }.map { cells[$0] }.filter { i in
                let c = g.centre(index: i)
                return c.x > fe.minX - g.cellSize && c.x < fe.maxX + g.cellSize && c.y > fe.minY - g.cellSize && c.y < fe.maxY + g.cellSize
            }.map { g.cellPolygon($0) }
            shapes.append(members.isEmpty ? nil : MultiPolygon(dissolveEdgeToEdge(members).map { Polygon(exterior: $0) }))
        }
        let line = "Street crime density: quartic kernel, bandwidth \(Fmt.fixed(h, 0)) m (ArcGIS rule), \(Fmt.number(g.cellSize)) m cells (\(kde.product.choice.cellSizeSource) rule), as hotspot kde chooses them"
        return (.init(classification: cls, shapes: shapes, blank: "density 0"), line,
                ["map_kde_bandwidth_m": Fmt.fixed(h, 3), "map_kde_bandwidth_source": "arcgis", "map_kde_cell_m": Fmt.number(g.cellSize),
                 "map_kde_cell_source": kde.product.choice.cellSizeSource, "map_kde_kernel": "quartic"])
    }

    /// Ward outlines with their names (only focus areas when the layer has more than `MapJob.manyAreas`; a name
    /// with no room inside its ward among the stacks of searches goes beside it on a leader line; the ten wards
    /// with most searches, where the stacks crowd, are named first), the boundary (when it is not the ward layer) and
    /// the focus areas.
    static func addOutlines(_ doc: inout MapDocument, job: JobInputs, wards: LoadedLayer?, focus: [Area], searches: [String: Int]) throws {
        let geos = try GEOSContext()
        let focusIDs = Set(focus.map(\.id))
        if let w = wards {
            let busiest = w.areas.map(\.id).sorted { (searches[$0] ?? 0, $1) > (searches[$1] ?? 0, $0) }
            let bump = Dictionary(busiest.prefix(10).enumerated().map { ($1, 10 - $0) }, uniquingKeysWith: { a, _ in a })
            let many = w.areas.count > MapJob.manyAreas
            let labels = try w.areas.filter { !many || focusIDs.contains($0.id) }.map { a in
                MapLabel(text: a.name, anchor: .area(LabelCandidates.inside(a.geometry, first: try geos.pointOnSurface(a.geometry))),
                         priority: focusIDs.contains(a.id) ? 100 : 60 + (bump[a.id] ?? 0), size: 2.4, bold: focusIDs.contains(a.id), leader: true)
            }
            doc.outlines.append(.init(name: w.name, geometries: w.areas.map(\.geometry), stroke: "#555555", width: 0.25, labels: labels))
            doc.outlineLegend.append((MapJob.layerTitle(w.name), "#555555"))
        }
        if let b = job.boundary, !job.layers.contains(where: { $0.source.path == b.source.path }) {
            doc.outlines.append(.init(name: "boundary", geometries: MapJob.outline(b.areas, geos), stroke: "#111111", width: 0.5))
            doc.outlineLegend.append(("Study area", "#111111"))
        }
        if !focus.isEmpty {
            doc.outlines.append(.init(name: "focus", geometries: focus.map(\.geometry), stroke: "#1b7837", width: 0.9))
            doc.outlineLegend.append(("Focus: " + focus.map(\.name).joined(separator: ", "), "#1b7837"))
        }
    }
}
