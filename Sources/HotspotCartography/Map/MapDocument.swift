import Foundation
import HotspotCore
import HotspotIO

/// Paper for maps: ISO A4 or A3, landscape or portrait (millimetres).
public struct MapPage: Sendable, Equatable {
    public enum Paper: String, Sendable, CaseIterable { case a4, a3 }
    public enum Orientation: String, Sendable, CaseIterable { case landscape, portrait }
    public var paper: Paper
    public var orientation: Orientation
    public init(paper: Paper = .a4, orientation: Orientation = .landscape) { self.paper = paper; self.orientation = orientation }
    /// Width and height in mm.
    public var size: (w: Double, h: Double) {
        let (a, b) = paper == .a4 ? (297.0, 210.0) : (420.0, 297.0)
        return orientation == .landscape ? (a, b) : (b, a)
    }
}

/// A label a map asks for, in map coordinates (EPSG:27700 metres); `LabelPlacer` finds it a place on the page.
public struct MapLabel: Sendable {
    public enum Anchor: Sendable {
        /// Inside an area: candidate label centres, best first.
        case area([XY])
        /// Beside a small feature (a hotspot polygon): its extent.
        case beside(Extent)
        /// Beside a point symbol.
        case point(XY)
        /// Along lines (roads): polylines, longest first.
        case line([[XY]])
    }
    public var text: String
    public var anchor: Anchor
    /// Higher first: focus areas (100) > hotspots (80) > areas (60) > stations (40) > town centres (35) > roads (30).
    public var priority: Int
    public var size: Double
    public var colour: String
    public var bold: Bool
    public var italic: Bool
    /// May move away from its feature with a leader line when nothing fits beside it.
    public var leader: Bool
    public init(text: String, anchor: Anchor, priority: Int, size: Double = 2.4, colour: String = "#111111", bold: Bool = false,
                italic: Bool = false, leader: Bool = false) {
        self.text = text; self.anchor = anchor; self.priority = priority; self.size = size; self.colour = colour
        self.bold = bold; self.italic = italic; self.leader = leader
    }
}

/// A print map in British National Grid, drawn as SVG (vector, editable): a basemap and town-centre fills beneath a
/// classified fill layer, context lines (roads, railways) and area outlines over it, station symbols and incident points (stacked: one symbol per
/// map point, sized by its count), every label placed by one `LabelPlacer` (no two overlap, none crosses the frame,
/// the north arrow or the scale bar), and the furniture a tasking map needs (title, period, parameters, legend with
/// the count per class, scale bar, north arrow on white backings, attribution). Geometries are EPSG:27700 metres.
public struct MapDocument: Sendable {
    /// A classified layer: one dissolved geometry per class (nil where the class is empty).
    public struct Fill: Sendable {
        public var classification: Classification
        public var shapes: [MultiPolygon?]
        /// What unfilled features mean ("density 0"), said in the legend; nil when every feature is filled.
        public var blank: String?
        public init(classification: Classification, shapes: [MultiPolygon?], blank: String? = nil) {
            self.classification = classification; self.shapes = shapes; self.blank = blank
        }
    }
    /// Outlined polygons with optional labels (ward names, hotspot ids).
    public struct Outline: Sendable {
        public var name: String
        public var geometries: [MultiPolygon]
        public var stroke: String
        public var width: Double
        public var dash: String?
        public var fill: String?
        public var labels: [MapLabel]
        public init(name: String, geometries: [MultiPolygon], stroke: String, width: Double, dash: String? = nil, fill: String? = nil,
                    labels: [MapLabel] = []) {
            self.name = name; self.geometries = geometries; self.stroke = stroke; self.width = width; self.dash = dash
            self.fill = fill; self.labels = labels
        }
        /// Labels at points: centred on them (`middle`, area names) or beside the feature's north-east corner (`start`, ids).
        public init(name: String, geometries: [MultiPolygon], stroke: String, width: Double, dash: String? = nil, fill: String? = nil,
                    labels: [(at: XY, text: String)], labelSize: Double = 2.6, labelAnchor: String = "middle", labelColour: String = "#111111") {
            let beside = labelAnchor == "start"
            self.init(name: name, geometries: geometries, stroke: stroke, width: width, dash: dash, fill: fill,
                      labels: zip(labels, geometries.count == labels.count ? geometries : labels.map { _ in MultiPolygon([]) }).map { l, g in
                          let anchor: MapLabel.Anchor = beside ? .beside(g.extent ?? Extent(minX: l.at.x, minY: l.at.y, maxX: l.at.x, maxY: l.at.y))
                                                              : .area(LabelCandidates.inside(g, first: l.at))
                          return MapLabel(text: l.text, anchor: anchor, priority: beside ? 80 : 60, size: labelSize, colour: labelColour,
                                          bold: beside, leader: beside)
                      })
        }
    }

    public var page: MapPage
    /// The part of the map to frame (EPSG:27700), padded by 3 %.
    public var extent: Extent
    public var title: String
    public var subtitle: String
    public var details: [String]
    public var attribution: [String]
    public var madeOn: String?
    public var fill: Fill?
    /// Context layers: area fills beneath the classes (drawn then at 72 % opacity), lines and area outlines over them,
    /// point symbols above the outlines.
    public var contexts: [ContextLayer] = []
    /// A tiled basemap warped to the frame's ground (`frameGround`), as PNG: drawn first, under everything.
    public var basemap: Data?
    public var outlines: [Outline] = []
    /// Incident points (police.uk anonymous map points): drawn stacked, one symbol per distinct point.
    public var points: [XY] = []
    /// What a point is, singular and plural, in the legend ("incident", "incidents"; a stop-and-search map: searches).
    public var pointNoun = (one: "incident", many: "incidents")
    /// The points' fill colour (drawn at 60 % opacity with a thin white edge).
    public var pointFill = "#222222"
    /// Legend entries for the outlines (name, stroke colour).
    public var outlineLegend: [(String, String)] = []
    /// Dash patterns of legend entries, by entry name (dashed rings).
    public var legendDash: [String: String] = [:]
    /// Lines under the legend (what the labels show, what blank means).
    public var notes: [String] = []
    /// The height of the legend under a portrait map, mm (the frame takes the rest); `legendHeight()` measures what
    /// the legend needs.
    public var portraitLegendHeight = 70.0

    public init(page: MapPage, extent: Extent, title: String, subtitle: String, details: [String], attribution: [String], madeOn: String? = nil) {
        self.page = page; self.extent = extent; self.title = title; self.subtitle = subtitle; self.details = details
        self.attribution = attribution; self.madeOn = madeOn
    }

    struct Layout { var frame: (x: Double, y: Double, w: Double, h: Double); var legend: (x: Double, y: Double, w: Double) }

    var allAttribution: [String] { attribution + contexts.compactMap(\.attribution).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } } }

    var layout: Layout {
        let (w, h) = page.size
        let top = 12 + 6.5 + 5.5 * Double(details.count) + 4
        let bottom = 8 + 3.2 * Double(allAttribution.count + (madeOn == nil ? 0 : 1))
        if page.orientation == .landscape {
            let lw = 70.0
            return Layout(frame: (10, top, w - 20 - lw - 5, h - top - bottom), legend: (w - 10 - lw, top, lw))
        }
        let lh = portraitLegendHeight
        return Layout(frame: (10, top, w - 20, h - top - bottom - lh - 5), legend: (10, h - bottom - lh, w - 20))
    }

    /// Where the frame, the north arrow and the scale bar are, and every label placed: what `svg()` draws
    /// (exposed so that tests can check the placement).
    public struct Placement: Sendable {
        public var frame: PageRect
        public var northArrow: PageRect
        public var scaleBar: PageRect
        public var labels: [(label: MapLabel, placed: LabelPlacer.Placed)]
        public var dropped: [MapLabel]
        /// Metres on the ground per mm on the page.
        public var metresPerMM: Double
    }

    /// Page transform: metres → mm, the extent (padded 3 %) centred in the frame.
    struct Transform {
        var s: Double, ox: Double, oy: Double, minX: Double, maxY: Double
        func px(_ x: Double) -> Double { ox + (x - minX) * s }
        func py(_ y: Double) -> Double { oy + (maxY - y) * s }
        func p(_ q: XY) -> XY { XY(px(q.x), py(q.y)) }
    }

    var transform: Transform {
        let f = layout.frame
        let padX = extent.width * 0.03 + 1, padY = extent.height * 0.03 + 1
        let e = Extent(minX: extent.minX - padX, minY: extent.minY - padY, maxX: extent.maxX + padX, maxY: extent.maxY + padY)
        let s = min(f.w / e.width, f.h / e.height)
        return Transform(s: s, ox: f.x + (f.w - e.width * s) / 2, oy: f.y + (f.h - e.height * s) / 2, minX: e.minX, maxY: e.maxY)
    }

    /// The ground (EPSG:27700) the map frame shows, and the frame's size in mm: what a basemap must cover.
    public var frameGround: (extent: Extent, widthMM: Double, heightMM: Double) {
        let f = layout.frame, t = transform
        let x0 = t.minX + (f.x - t.ox) / t.s, x1 = t.minX + (f.x + f.w - t.ox) / t.s
        let y1 = t.maxY - (f.y - t.oy) / t.s, y0 = t.maxY - (f.y + f.h - t.oy) / t.s
        return (Extent(minX: x0, minY: y0, maxX: x1, maxY: y1), f.w, f.h)
    }

    /// The classes are drawn at 72 % opacity over context layers or a basemap, so that the streets show through.
    var translucent: Bool { !contexts.isEmpty || basemap != nil }

    /// Station symbol radius, mm.
    static let stationRadius = 0.9
    /// Context labels along roads only at scales of 1:20,000 and larger (20 m per mm or less).
    static let roadLabelScale = 20.0

    /// Every label of the map, in map coordinates: outlines' labels, then the context layers' names.
    func labelRequests(metresPerMM: Double) -> [MapLabel] {
        outlines.flatMap(\.labels) + Self.contextLabels(contexts, within: frameGround.extent, metresPerMM: metresPerMM)
    }

    /// The names of context features within `extent` (symbols beyond it are drawn, not named): stations beside their
    /// symbol, town centres inside their outline, road names along the road at 1:20,000 and larger.
    static func contextLabels(_ contexts: [ContextLayer], within extent: Extent, metresPerMM: Double) -> [MapLabel] {
        var out: [MapLabel] = []
        func within(_ g: FeatureGeometry) -> Bool {
            guard let e = g.extent else { return false }
            return e.maxX >= extent.minX && e.minX <= extent.maxX && e.maxY >= extent.minY && e.minY <= extent.maxY
        }
        for c in contexts {
            for f in c.features {
                guard let text = f.label, within(f.geometry) else { continue }
                switch (f.kind, f.geometry) {
                case (.station, .points(let ps)), (.point, .points(let ps)):
                    if let p = ps.first { out.append(MapLabel(text: text, anchor: .point(p), priority: 40, size: 2.2, colour: "#222222")) }
                case (.area, .polygons(let g)):
                    out.append(MapLabel(text: text, anchor: .area(LabelCandidates.inside(g, first: nil)), priority: 35, size: 2.3, colour: "#54278f", italic: true))
                default: break
                }
            }
            // Road names: one label per name, along its longest lines, at large scales only.
            guard metresPerMM <= Self.roadLabelScale else { continue }
            var byName: [String: [[XY]]] = [:], order: [String] = []
            for f in c.features where f.kind.isLine && within(f.geometry) {
                guard let text = f.label, case .lines(let ls) = f.geometry else { continue }
                if byName[text] == nil { order.append(text) }
                byName[text, default: []] += ls
            }
            for name in order {
                func length(_ l: [XY]) -> Double { zip(l, l.dropFirst()).reduce(0) { $0 + hypot($1.1.x - $1.0.x, $1.1.y - $1.0.y) } }
                let lines = byName[name]!.sorted { length($0) > length($1) }.prefix(3)
                out.append(MapLabel(text: name, anchor: .line(Array(lines)), priority: 30, size: 2.0, colour: "#444444", italic: true))
            }
        }
        return out
    }

    /// Places every label (see `Placement`).
    public func placement() -> Placement { placement(stacks: StackedPoints(points)) }

    /// The placement around `stacks`, the map's incident points as stacked (computed once by `svg()`).
    func placement(stacks all: StackedPoints) -> Placement {
        let L = layout, f = L.frame, t = transform
        let frame = PageRect(x: f.x, y: f.y, w: f.w, h: f.h)
        let arrow = northArrowBox(f), bar = scaleBarBox(f, metresPerMM: 1 / t.s)
        // Stacks of three or more incidents are not covered by a label (a reader must be able to count them).
        let stacks = all.symbols.filter { $0.count >= 3 }.map { s -> PageRect in
            let q = t.p(s.at), r = StackedPoints.radius(s.count)
            return PageRect(x: q.x - r, y: q.y - r, w: 2 * r, h: 2 * r)
        }
        let obstacles = [arrow, bar] + Self.symbolBoxes(contexts, t.p) + stacks
        let labels = labelRequests(metresPerMM: 1 / t.s)
        let requests = labels.map { Self.request($0, t.p) }
        let (placed, dropped) = LabelPlacer(frame: frame, obstacles: obstacles).place(requests)
        // A label whose feature is out of view (a zoomed map) is not "dropped": it had nothing to name here.
        func inView(_ a: LabelPlacer.Anchor) -> Bool {
            switch a {
            case .area(let ps): return ps.contains { frame.contains(PageRect(x: $0.x, y: $0.y, w: 0, h: 0)) }
            case .beside(let b): return b.intersects(frame)
            case .point(let p, _): return frame.contains(PageRect(x: p.x, y: p.y, w: 0, h: 0))
            case .line(let ls): return ls.contains { $0.contains { frame.contains(PageRect(x: $0.x, y: $0.y, w: 0, h: 0)) } }
            }
        }
        return Placement(frame: frame, northArrow: arrow, scaleBar: bar, labels: placed.map { (labels[$0.request], $0) },
                         dropped: dropped.filter { inView(requests[$0].anchor) }.map { labels[$0] }, metresPerMM: 1 / t.s)
    }

    /// Context area fills (town centres: a faint purple), drawn beneath the analysis.
    static func contextBeneathSVG(_ contexts: [ContextLayer], path: (MultiPolygon) -> String, line: ([XY]) -> String) -> String {
        var o = ""
        for c in contexts where c.kinds.contains(.area) {
            o += "<g id=\"context-\(SVG.x(c.name))-area-fill\" fill=\"#6a51a3\" fill-opacity=\"0.07\" stroke=\"none\" fill-rule=\"evenodd\">\n"
            for ft in c.features where ft.kind == .area { if case .polygons(let g) = ft.geometry { o += "<path d=\"\(path(g))\"/>\n" } }
            o += "</g>\n"
        }
        return o
    }

    /// Context lines (roads from minor to major on a white casing, railways) and area outlines, drawn over the
    /// analysis classes (beneath them the streets vanished under the hot cells) and under the area boundaries.
    static func contextLinesSVG(_ contexts: [ContextLayer], path: (MultiPolygon) -> String, line: ([XY]) -> String) -> String {
        var o = ""
        func x(_ s: String) -> String { SVG.x(s) }
        func n(_ v: Double) -> String { SVG.n(v) }
        for c in contexts {
            for kind in c.kinds where kind == .area || kind.isLine {
                let feats = c.features.filter { $0.kind == kind }
                var d = ""
                for ft in feats {
                    switch ft.geometry {
                    case .polygons(let g): d += "<path d=\"\(path(g))\"/>\n"
                    case .lines(let ls): d += "<path d=\"\(ls.map(line).joined())\"/>\n"
                    default: break
                    }
                }
                if kind.isLine {
                    o += "<g id=\"context-\(x(c.name))-\(kind.rawValue)-casing\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.85\" stroke-width=\"\(n(kind.width + 0.35))\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n" + d + "</g>\n"
                }
                o += "<g id=\"context-\(x(c.name))-\(kind.rawValue)\" fill=\"none\" stroke=\"\(kind.stroke)\" stroke-width=\"\(n(kind.width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
                    + (kind.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + " fill-rule=\"evenodd\">\n" + d + "</g>\n"
            }
        }
        return o
    }

    /// Context point symbols (stations: ringed circles), drawn above the analysis.
    static func contextSymbolsSVG(_ contexts: [ContextLayer], _ p: (XY) -> XY) -> String {
        var o = ""
        func x(_ s: String) -> String { SVG.x(s) }
        func n(_ v: Double) -> String { SVG.n(v) }
        for c in contexts {
            for kind in c.kinds where kind == .station || kind == .point {
                o += "<g id=\"context-\(x(c.name))-\(kind.rawValue)\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"0.3\">\n"
                for ft in c.features where ft.kind == kind {
                    guard case .points(let ps) = ft.geometry else { continue }
                    for q in ps {
                        if kind == .station {
                            o += "<circle cx=\"\(n(p(q).x))\" cy=\"\(n(p(q).y))\" r=\"\(n(Self.stationRadius))\"/>\n"
                        } else {
                            o += "<rect x=\"\(n(p(q).x - 0.6))\" y=\"\(n(p(q).y - 0.6))\" width=\"1.2\" height=\"1.2\"/>\n"
                        }
                    }
                }
                o += "</g>\n"
            }
        }
        return o
    }

    /// Placed labels as SVG text with white halos (`class="label"`, what tools/check_labels.py measures).
    static func labelsSVG(_ labels: [(label: MapLabel, placed: LabelPlacer.Placed)]) -> String {
        func x(_ s: String) -> String { SVG.x(s) }
        func n(_ v: Double) -> String { SVG.n(v) }
        var o = "<g id=\"labels\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n"
        for (l, p) in labels {
            o += "<text class=\"label\" x=\"\(n(p.x))\" y=\"\(n(p.y))\" font-size=\"\(n(l.size))\" fill=\"\(l.colour)\" stroke-width=\"\(n(LabelPlacer.haloWidth(l.size)))\""
                + (l.bold ? " font-weight=\"bold\"" : "") + (l.italic ? " font-style=\"italic\"" : "")
                + (p.rotation != 0 ? " transform=\"rotate(\(n(p.rotation)) \(n(p.x)) \(n(p.y)))\"" : "") + ">\(x(l.text))</text>\n"
        }
        return o + "</g>\n"
    }

    /// The boxes of the context point symbols on the page: no label covers them.
    static func symbolBoxes(_ contexts: [ContextLayer], _ p: (XY) -> XY) -> [PageRect] {
        var out: [PageRect] = []
        for c in contexts {
            for feat in c.features where feat.kind == .station || feat.kind == .point {
                guard case .points(let ps) = feat.geometry else { continue }
                for q in ps.map(p) {
                    let r = stationRadius + 0.2
                    out.append(PageRect(x: q.x - r, y: q.y - r, w: 2 * r, h: 2 * r))
                }
            }
        }
        return out
    }

    /// A map label as the placer sees it, `p` mapping metres to page mm.
    static func request(_ l: MapLabel, _ p: (XY) -> XY) -> LabelPlacer.Request {
        let anchor: LabelPlacer.Anchor
        switch l.anchor {
        case .area(let ps): anchor = .area(ps.map(p))
        case .beside(let e):
            let a = p(XY(e.minX, e.maxY)), b = p(XY(e.maxX, e.minY))
            anchor = .beside(PageRect(x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y))
        case .point(let q): anchor = .point(p(q), clearance: stationRadius)
        case .line(let ls): anchor = .line(ls.map { $0.map(p) })
        }
        return LabelPlacer.Request(text: l.text, size: l.size, bold: l.bold, italic: l.italic, colour: l.colour, priority: l.priority,
                                   anchor: anchor, leader: l.leader, layer: "")
    }

    func northArrowBox(_ f: (x: Double, y: Double, w: Double, h: Double)) -> PageRect {
        PageRect(x: f.x + f.w - 9 - 4.5, y: f.y + 2.5, w: 9, h: 17)
    }
    func scaleBarBox(_ f: (x: Double, y: Double, w: Double, h: Double), metresPerMM: Double) -> PageRect {
        let w = SVG.scaleBarLength(metresPerMM: metresPerMM, maxWidth: min(50, f.w / 3)).mm
        return PageRect(x: f.x + 5 - 3, y: f.y + f.h - 6 - 5.5, w: w + 6, h: 9)
    }

    /// The SVG document (millimetre user units, deterministic text): the title block; inside the frame the basemap,
    /// context areas, the classes, context lines, outlines, symbols, incidents and labels; the frame with its north
    /// arrow and scale bar; the legend; attribution.
    public func svg() -> String {
        let (W, H) = page.size
        let L = layout, f = L.frame, t = transform
        func path(_ g: MultiPolygon) -> String {
            var d = ""
            for r in g.rings where r.count > 2 {
                d += "M" + r.map { "\(n(t.px($0.x))) \(n(t.py($0.y)))" }.joined(separator: "L") + "Z"
            }
            return d
        }
        func line(_ l: [XY]) -> String { "M" + l.map { "\(n(t.px($0.x))) \(n(t.py($0.y)))" }.joined(separator: "L") }
        var o = SVG.header(width: W, height: H, title: title) + """
        <defs><clipPath id="frame"><rect x="\(n(f.x))" y="\(n(f.y))" width="\(n(f.w))" height="\(n(f.h))"/></clipPath></defs>

        """
        o += titleBlockSVG()
        // Map body, clipped to the frame.
        o += "<g clip-path=\"url(#frame)\">\n"
        if let basemap {
            o += "<image id=\"basemap\" x=\"\(n(f.x))\" y=\"\(n(f.y))\" width=\"\(n(f.w))\" height=\"\(n(f.h))\" preserveAspectRatio=\"none\" "
                + "href=\"data:image/png;base64,\(basemap.base64EncodedString())\"/>\n"
        }
        // Context area fills beneath the analysis (lines and outlines come after the classes).
        o += Self.contextBeneathSVG(contexts, path: path, line: line)
        if let fill { o += fillSVG(fill, path: path) }
        o += Self.contextLinesSVG(contexts, path: path, line: line)
        o += outlinesSVG(path: path)
        // Point symbols of the context layers (stations) above the fill.
        o += Self.contextSymbolsSVG(contexts, t.p)
        let stacks = StackedPoints(points)
        o += incidentsSVG(stacks, t)
        // Labels above everything, with a white halo so that they read on any fill; leader lines first.
        let placement = placement(stacks: stacks)
        let leaders = placement.labels.compactMap { $0.placed.leader }
        if !leaders.isEmpty {
            o += "<g id=\"leaders\" stroke=\"#333333\" stroke-width=\"0.2\">\n"
            for l in leaders { o += "<line x1=\"\(n(l.from.x))\" y1=\"\(n(l.from.y))\" x2=\"\(n(l.to.x))\" y2=\"\(n(l.to.y))\"/>\n" }
            o += "</g>\n"
        }
        o += Self.labelsSVG(placement.labels)
        o += "</g>\n"
        o += "<rect x=\"\(n(f.x))\" y=\"\(n(f.y))\" width=\"\(n(f.w))\" height=\"\(n(f.h))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"0.3\"/>\n"
        let a = placement.northArrow
        o += "<rect x=\"\(n(a.x))\" y=\"\(n(a.y))\" width=\"\(n(a.w))\" height=\"\(n(a.h))\" fill=\"#ffffff\" fill-opacity=\"0.85\" rx=\"0.8\"/>\n"
        o += northArrow(x: f.x + f.w - 9, y: f.y + 5)
        o += scaleBar(x: f.x + 5, y: f.y + f.h - 6, metresPerMM: 1 / t.s, maxWidth: min(50, f.w / 3))
        o += legend(L.legend, stacks: stacks, notes: notesWith(dropped: placement.dropped))
        return o + attributionSVG(height: H) + "</svg>\n"
    }

    /// Title, subtitle and detail lines.
    private func titleBlockSVG() -> String {
        var o = "<text x=\"10\" y=\"15\" font-size=\"6\" font-weight=\"bold\">\(x(title))</text>\n"
        o += "<text x=\"10\" y=\"21.5\" font-size=\"3.6\">\(x(subtitle))</text>\n"
        for (i, d) in details.enumerated() {
            o += "<text x=\"10\" y=\"\(n(27 + 5.5 * Double(i)))\" font-size=\"2.8\" fill=\"#333333\">\(x(d))</text>\n"
        }
        return o
    }

    /// The classes' fills (hatch patterns defined first for the hatched classes; outline-only classes not filled).
    private func fillSVG(_ fill: Fill, path: (MultiPolygon) -> String) -> String {
        var o = ""
        let classes = fill.classification.classes
        let hatched = classes.indices.filter { classes[$0].hatch != nil && fill.shapes.indices.contains($0) && fill.shapes[$0] != nil }
        if !hatched.isEmpty {
            o += "<defs>"
            for k in hatched {
                o += "<pattern id=\"hatch-\(k)\" patternUnits=\"userSpaceOnUse\" width=\"1.4\" height=\"1.4\" patternTransform=\"rotate(45)\">"
                    + "<rect width=\"1.4\" height=\"1.4\" fill=\"\(classes[k].fill)\"/><rect width=\"0.5\" height=\"1.4\" fill=\"\(classes[k].hatch ?? "")\"/></pattern>"
            }
            o += "</defs>\n"
        }
        o += "<g id=\"\(x(fill.classification.field))\" stroke=\"none\" fill-rule=\"evenodd\"\(translucent ? " fill-opacity=\"0.72\"" : "")>\n"
        for (k, g) in fill.shapes.enumerated() {
            guard let g, k < classes.count else { continue }
            let c = classes[k]
            if c.outlineOnly { continue }
            o += "<path fill=\"\(c.hatch == nil ? c.fill : "url(#hatch-\(k))")\"" + (c.outline.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? "") + " d=\"\(path(g))\"/>\n"
        }
        return o + "</g>\n"
    }

    /// The outline layers, one group each.
    private func outlinesSVG(path: (MultiPolygon) -> String) -> String {
        var o = ""
        for l in outlines {
            o += "<g id=\"\(x(l.name))\" fill=\"\(l.fill ?? "none")\" stroke=\"\(l.stroke)\" stroke-width=\"\(n(l.width))\" stroke-linejoin=\"round\""
                + (l.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + " fill-rule=\"evenodd\">\n"
            for g in l.geometries { o += "<path d=\"\(path(g))\"/>\n" }
            o += "</g>\n"
        }
        return o
    }

    /// Incidents: one symbol per distinct map point, its area proportional to the incidents there.
    private func incidentsSVG(_ stacks: StackedPoints, _ t: Transform) -> String {
        guard !stacks.isEmpty else { return "" }
        var o = "<g id=\"incidents\" fill=\"\(pointFill)\" fill-opacity=\"0.6\" stroke=\"#ffffff\" stroke-width=\"0.12\">\n"
        for s in stacks.symbols {
            o += "<circle cx=\"\(n(t.px(s.at.x)))\" cy=\"\(n(t.py(s.at.y)))\" r=\"\(n(StackedPoints.radius(s.count)))\"><title>\(s.count)</title></circle>\n"
        }
        return o + "</g>\n"
    }

    /// The map's notes, with the labels that could not be placed: context names give way silently; an area or
    /// hotspot label that cannot be placed is said.
    private func notesWith(dropped all: [MapLabel]) -> [String] {
        var out = notes
        let dropped = all.filter { $0.priority >= 60 }
        if !dropped.isEmpty {
            let names = dropped.map(\.text)
            out.append("Labels left out for lack of room: " + (names.count <= 6 ? names.joined(separator: ", ") : "\(names.count) (\(names.prefix(4).joined(separator: ", ")), …)"))
        }
        return out
    }

    /// Attribution and the date the map was made, above the page's foot.
    private func attributionSVG(height H: Double) -> String {
        var o = ""
        let attribution = allAttribution
        var y = H - 8 - 3.2 * Double(attribution.count + (madeOn == nil ? 0 : 1)) + 3.2
        if let madeOn { o += "<text x=\"10\" y=\"\(n(y))\" font-size=\"2.3\" fill=\"#333333\">Map made \(x(madeOn))</text>\n"; y += 3.2 }
        for a in attribution { o += "<text x=\"10\" y=\"\(n(y))\" font-size=\"2.3\" fill=\"#333333\">\(x(a))</text>\n"; y += 3.2 }
        return o
    }

    /// The legend in the column `p` (mm): the classes, outline layers, incident symbols, context layers, notes.
    func legend(_ p: (x: Double, y: Double, w: Double), stacks: StackedPoints, notes: [String]) -> String {
        legendDrawn(p, stacks: stacks, notes: notes).svg
    }

    /// The height in mm the legend takes with its notes (labels left out for lack of room not counted: they depend on
    /// the frame), in the legend column of this page.
    public func legendHeight() -> Double {
        let p = layout.legend
        return legendDrawn(p, stacks: StackedPoints(points), notes: notes).bottom - p.y
    }

    /// The legend's SVG and the y (mm) below its last line.
    private func legendDrawn(_ p: (x: Double, y: Double, w: Double), stacks: StackedPoints, notes: [String]) -> (svg: String, bottom: Double) {
        var o = "<g id=\"legend\" font-size=\"2.8\">\n"
        var y = p.y + 4
        if let fill { o += classesLegend(fill, p, y: &y) }
        for (name, stroke) in outlineLegend {
            o += "<line x1=\"\(n(p.x))\" y1=\"\(n(y + 1.8))\" x2=\"\(n(p.x + 6))\" y2=\"\(n(y + 1.8))\" stroke=\"\(stroke)\" stroke-width=\"0.6\""
                + (legendDash[name].map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
            o += "<text x=\"\(n(p.x + 7.5))\" y=\"\(n(y + 2.8))\">\(x(name))</text>\n"
            y += 5
        }
        if !stacks.isEmpty {
            let total = stacks.total
            let many = pointNoun.many.prefix(1).uppercased() + pointNoun.many.dropFirst()
            o += "<text x=\"\(n(p.x))\" y=\"\(n(y + 2.8))\">\(x(many)) (\(Fmt.grouped(total))) at \(Fmt.grouped(stacks.symbols.count)) map points:</text>\n"
            y += 5
            for k in stacks.legendCounts {
                let r = StackedPoints.radius(k)
                o += "<circle cx=\"\(n(p.x + 3))\" cy=\"\(n(y + 1.8))\" r=\"\(n(r))\" fill=\"\(pointFill)\" fill-opacity=\"0.6\"/>\n"
                o += "<text x=\"\(n(p.x + 7.5))\" y=\"\(n(y + 2.8))\">\(k == 1 ? "1 \(x(pointNoun.one))" : "\(Fmt.grouped(k)) \(x(pointNoun.many))") at one anonymous map point</text>\n"
                y += max(5, 2 * r + 1.5)
            }
        }
        o += contextLegend(p, y: &y)
        for note in notes {
            y += 1
            for line in SVG.wrap(note, width: p.w, size: 2.4) {
                o += "<text x=\"\(n(p.x))\" y=\"\(n(y + 2.8))\" font-size=\"2.4\" fill=\"#333333\">\(x(line))</text>\n"
                y += 3.4
            }
        }
        return (o + "</g>\n", y)
    }

    /// The legend's classes from `y` (advanced past them): the title, a swatch per class present (two columns on a
    /// portrait page with more than six), the unfilled areas.
    private func classesLegend(_ fill: Fill, _ p: (x: Double, y: Double, w: Double), y: inout Double) -> String {
        var o = ""
        let c = fill.classification
        for (i, line) in SVG.wrap(c.title, width: p.w, size: 3.2, bold: true).enumerated() {
            if i > 0 { y += 4 }
            o += "<text x=\"\(n(p.x))\" y=\"\(n(y))\" font-size=\"3.2\" font-weight=\"bold\">\(x(line))</text>\n"
        }
        y += 3
        let present = c.present
        let columns = page.orientation == .portrait && present.count > 6 ? 2 : 1
        let colW = p.w / Double(columns)
        for (i, item) in present.enumerated() {
            let cx = p.x + Double(i % columns) * colW, cy = y + Double(i / columns) * 5
            let swatch = item.cls.outlineOnly ? "none" : item.cls.hatch == nil ? item.cls.fill : "url(#hatch-\(item.index))"
            o += "<rect x=\"\(n(cx))\" y=\"\(n(cy))\" width=\"6\" height=\"3.6\" fill=\"\(swatch)\"\(translucent ? " fill-opacity=\"0.72\"" : "") "
                + "stroke=\"\(item.cls.outline ?? "#666666")\" stroke-width=\"\(item.cls.outline == nil ? "0.15" : "0.5")\"/>\n"
            o += "<text x=\"\(n(cx + 7.5))\" y=\"\(n(cy + 2.8))\">\(x(item.cls.label)) (\(item.cls.count))\(item.cls.outlineOnly ? ": not filled" : "")</text>\n"
        }
        y += Double((present.count + columns - 1) / columns) * 5
        if let blank = fill.blank, c.classOf.contains(where: { $0 == nil }) {
            o += "<rect x=\"\(n(p.x))\" y=\"\(n(y))\" width=\"6\" height=\"3.6\" fill=\"none\" stroke=\"#666666\" stroke-width=\"0.15\" stroke-dasharray=\"0.6 0.4\"/>\n"
            for (i, line) in SVG.wrap("Not filled: \(blank) (\(c.classOf.filter { $0 == nil }.count))", width: p.w - 7.5, size: 2.8).enumerated() {
                o += "<text x=\"\(n(p.x + 7.5))\" y=\"\(n(y + 2.8 + 3.6 * Double(i)))\">\(x(line))</text>\n"
                if i > 0 { y += 3.6 }
            }
            y += 5
        }
        y += 3
        if present.isEmpty { o += "<text x=\"\(n(p.x))\" y=\"\(n(y))\">(nothing to show)</text>\n"; y += 5 }
        return o
    }

    /// The legend's context layers from `y` (advanced past them): one entry per kind drawn.
    private func contextLegend(_ p: (x: Double, y: Double, w: Double), y: inout Double) -> String {
        var o = ""
        var seen = Set<ContextStyle.Kind>()
        for c in contexts {
            for kind in c.kinds where seen.insert(kind).inserted {
                switch kind {
                case .station:
                    o += "<circle cx=\"\(n(p.x + 3))\" cy=\"\(n(y + 1.8))\" r=\"\(n(Self.stationRadius))\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"0.3\"/>\n"
                case .point:
                    o += "<rect x=\"\(n(p.x + 2.4))\" y=\"\(n(y + 1.2))\" width=\"1.2\" height=\"1.2\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"0.3\"/>\n"
                case .area:
                    o += "<rect x=\"\(n(p.x))\" y=\"\(n(y))\" width=\"6\" height=\"3.6\" fill=\"#6a51a3\" fill-opacity=\"0.07\" stroke=\"\(kind.stroke)\" stroke-width=\"\(n(kind.width))\" stroke-dasharray=\"\(kind.dash ?? "")\"/>\n"
                default:
                    o += "<line x1=\"\(n(p.x))\" y1=\"\(n(y + 1.8))\" x2=\"\(n(p.x + 6))\" y2=\"\(n(y + 1.8))\" stroke=\"\(kind.stroke)\" stroke-width=\"\(n(kind.width))\""
                        + (kind.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
                }
                o += "<text x=\"\(n(p.x + 7.5))\" y=\"\(n(y + 2.8))\">\(x(kind.legend))</text>\n"
                y += 5
            }
        }
        return o
    }

    func northArrow(x: Double, y: Double) -> String { SVG.northArrow(x: x, y: y) }
    func scaleBar(x: Double, y: Double, metresPerMM: Double, maxWidth: Double) -> String {
        SVG.scaleBar(x: x, y: y, metresPerMM: metresPerMM, maxWidth: maxWidth)
    }
    func n(_ v: Double) -> String { SVG.n(v) }
    func x(_ s: String) -> String { SVG.x(s) }
}

/// Incidents at the same map point drawn as one symbol whose area is proportional to their number (police.uk
/// publishes each crime at one of a fixed set of anonymous map points, so dozens can share one). The symbols are
/// listed largest first, so that small ones are drawn on top; the sum of their counts is the number of points.
public struct StackedPoints: Sendable {
    public var symbols: [(at: XY, count: Int)]
    public init(_ points: [XY]) {
        var n: [XY: Int] = [:]
        for p in points { n[p, default: 0] += 1 }
        symbols = n.map { (at: $0.key, count: $0.value) }.sorted { ($0.count, $1.at.x, $1.at.y) > ($1.count, $0.at.x, $0.at.y) }
    }
    public var isEmpty: Bool { symbols.isEmpty }
    public var total: Int { symbols.reduce(0) { $0 + $1.count } }
    /// Symbol radius in mm: 0.4 mm for one incident, the area growing with the count (r = 0.4·√n), at most 4 mm.
    public static func radius(_ count: Int) -> Double { min(4, 0.4 * Double(count).squareRoot()) }
    /// The counts shown in the legend: 1 and up to two round numbers up to the largest stack.
    public var legendCounts: [Int] {
        guard let top = symbols.first?.count else { return [] }
        var out = [1]
        let rounds = [2, 5, 10, 20, 50, 100, 200, 500, 1000].filter { $0 <= top }
        if top > 1 {
            if let mid = rounds.last(where: { $0 * 3 <= top }), mid > 1 { out.append(mid) }
            out.append(top)
        }
        return out
    }
}

/// SVG pieces shared by maps and profile pages (millimetre user units, deterministic number text).
enum SVG {
    /// The document head: A-series page of `width` × `height` mm, white background, the maps' font.
    static func header(width W: Double, height H: Double, title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(W))mm" height="\(n(H))mm" viewBox="0 0 \(n(W)) \(n(H))" \
        font-family="DejaVu Sans, Arial, Helvetica, sans-serif">
        <title>\(x(title))</title>
        <rect width="\(n(W))" height="\(n(H))" fill="#ffffff"/>

        """
    }

    static func northArrow(x: Double, y: Double) -> String {
        """
        <g id="north-arrow"><path d="M\(n(x)) \(n(y))L\(n(x + 3)) \(n(y + 9))L\(n(x)) \(n(y + 7))Z" fill="#111111"/>\
        <path d="M\(n(x)) \(n(y))L\(n(x - 3)) \(n(y + 9))L\(n(x)) \(n(y + 7))Z" fill="#ffffff" stroke="#111111" stroke-width="0.2"/>\
        <text x="\(n(x))" y="\(n(y + 13))" font-size="3.2" text-anchor="middle" font-weight="bold">N</text></g>

        """
    }

    /// A two-part scale bar of a round length (1, 2 or 5 × 10^k m) no wider than `maxWidth` mm.
    /// A round length (1, 2 or 5 × 10^k m) no wider than `maxWidth` mm: metres and mm.
    static func scaleBarLength(metresPerMM: Double, maxWidth: Double) -> (metres: Double, mm: Double) {
        let maxM = maxWidth * metresPerMM
        var len = pow(10, (log10(maxM)).rounded(.down))
        for m in [5.0, 2.0, 1.0] where len * m <= maxM { len *= m; break }
        return (len, len / metresPerMM)
    }

    /// Words of `text` in lines no wider than `width` mm at `size` mm.
    static func wrap(_ text: String, width: Double, size: Double, bold: Bool = false) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if !line.isEmpty && FontMetrics.width(candidate, size: size, bold: bold) > width { lines.append(line); line = String(word) } else { line = candidate }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func scaleBar(x: Double, y: Double, metresPerMM: Double, maxWidth: Double) -> String {
        let (len, w) = scaleBarLength(metresPerMM: metresPerMM, maxWidth: maxWidth)
        func label(_ m: Double) -> String { m >= 1000 ? "\(Fmt.number(m / 1000)) km" : "\(Fmt.number(m)) m" }
        return """
        <g id="scale-bar" font-size="2.4" text-anchor="middle">\
        <rect x="\(n(x - 3))" y="\(n(y - 5.5))" width="\(n(w + 6))" height="9" fill="#ffffff" fill-opacity="0.85" rx="0.8"/>\
        <rect x="\(n(x))" y="\(n(y))" width="\(n(w / 2))" height="1.2" fill="#111111"/>\
        <rect x="\(n(x + w / 2))" y="\(n(y))" width="\(n(w / 2))" height="1.2" fill="#ffffff" stroke="#111111" stroke-width="0.2"/>\
        <text x="\(n(x))" y="\(n(y - 1))">0</text><text x="\(n(x + w / 2))" y="\(n(y - 1))">\(label(len / 2))</text>\
        <text x="\(n(x + w))" y="\(n(y - 1))">\(label(len))</text></g>

        """
    }

    /// A number for SVG: two decimals, trailing zeros dropped; exactly C's `%.2f` (the value's exact binary
    /// expansion rounded half to even, as glibc's printf), without its cost: a page holds tens of thousands.
    static func n(_ v: Double) -> String {
        let a = v.magnitude
        // a = m · 2^e exactly; 100·a = (100·m) · 2^e with 100·m < 2^60. Below 0.001, %.2f gives 0; from 2^49 on,
        // and for NaN and ∞, printf itself.
        guard a.isFinite, a < 0x1p49 else { return printfN(v) }
        var q: UInt64 = 0
        if a >= 0.001 {
            let m = a.significandBitPattern | (1 << 52), shift = 52 - Int(a.exponent)   // 52 - (-10) ... 52 - 48: 4...62
            let scaled = m * 100, half = UInt64(1) << (shift - 1), rest = scaled & ((UInt64(1) << shift) - 1)
            q = scaled >> shift
            if rest > half || (rest == half && q & 1 == 1) { q += 1 }
        }
        guard q > 0 else { return "0" }
        var s = v < 0 ? "-" : ""
        s += String(q / 100)
        let f = q % 100
        if f != 0 { s += f % 10 == 0 ? "." + String(f / 10) : (f < 10 ? ".0" : ".") + String(f) }
        return s
    }

    /// `n` through printf: `%.2f`, trailing zeros dropped, never "-0".
    static func printfN(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// XML text escaping.
    static func x(_ s: String) -> String {
        // Most texts have nothing to escape: returned as they are (the same string, without four searches).
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") }) else { return s }
        return s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// PNG and PDF from the SVG through librsvg's `rsvg-convert` (cairo), installed by tools/setup.
public enum MapRaster {
    public enum Format: String, Sendable, CaseIterable { case svg, pdf, png }

    /// Converts `svg` (a file) to each of `formats` at `dpi`, the conversions running side by side; returns the
    /// bytes of each. SOURCE_DATE_EPOCH fixes the PDF's dates so that re-runs are byte-identical.
    public static func convert(svg: String, to formats: [Format], dpi: Int) throws -> [Format: Data] {
        let started = try formats.map { try start(svg: svg, to: $0, dpi: dpi) }
        var out: [Format: Data] = [:]
        var failure: Error?
        for (f, job) in zip(formats, started) {
            do { out[f] = try job() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        return out
    }

    /// Starts one conversion; the closure waits for it and returns the bytes.
    public static func start(svg: String, to format: Format, dpi: Int) throws -> () throws -> Data {
        try start(svgs: [svg], to: format, dpi: dpi)
    }

    /// Starts one conversion of one or more SVG files (several: one page each, for a multi-page PDF); the closure
    /// waits for it and returns the bytes.
    public static func start(svgs: [String], to format: Format, dpi: Int) throws -> () throws -> Data {
        let svg = svgs[0]
        guard let tool = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw OutputError.cannotWrite(svg, "rsvg-convert (Debian package librsvg2-bin) is needed for PNG and PDF maps: run tools/setup, or ask for --map-format svg")
        }
        let out = svg + ".\(format.rawValue).tmp"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-f", format.rawValue, "--dpi-x", "\(dpi)", "--dpi-y", "\(dpi)", "-o", out] + svgs
        var env = ProcessInfo.processInfo.environment
        env["SOURCE_DATE_EPOCH"] = "0"
        p.environment = env
        let err = Pipe()
        p.standardError = err
        try p.run()
        return {
            p.waitUntilExit()
            defer { unlink(out) }
            guard p.terminationStatus == 0, let d = FileManager.default.contents(atPath: out) else {
                let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw OutputError.cannotWrite(svg, "rsvg-convert failed: \(msg.prefix(200))")
            }
            return d
        }
    }
}
