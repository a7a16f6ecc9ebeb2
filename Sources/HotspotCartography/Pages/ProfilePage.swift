import Foundation
import HotspotCore
import HotspotIO

/// One page about one focus area (a ward): counts by crime type for each period as a grouped bar chart, its rate
/// per 1,000 residents against the borough's, the change between periods with its Poisson p, and a small map of the
/// area with its hotspot cells. SVG in millimetres, like `MapDocument`.
public struct ProfilePage: Sendable {
    public struct PeriodRow: Sendable {
        public var period: String, count: Int, rate: Double?, boroughCount: Int, boroughRate: Double?
        /// The sums of a harm table's weights (`--weights`), the area's and the borough's; nil without one.
        public var harm: Double?, boroughHarm: Double?
        public init(period: String, count: Int, rate: Double?, boroughCount: Int, boroughRate: Double?) {
            self.period = period; self.count = count; self.rate = rate; self.boroughCount = boroughCount; self.boroughRate = boroughRate
        }
    }
    public struct Change: Sendable {
        public var from: String, to: String, change: Int, percent: Double?, p: Double, boroughPercent: Double?
        public init(from: String, to: String, change: Int, percent: Double?, p: Double, boroughPercent: Double?) {
            self.from = from; self.to = to; self.change = change; self.percent = percent; self.p = p; self.boroughPercent = boroughPercent
        }
    }

    public var page = MapPage(paper: .a4, orientation: .portrait)
    public var title: String
    public var subtitle: String
    public var attribution: [String]
    public var periods: [String]
    /// Crime types and their counts per period, `counts[type][period]`.
    public var types: [String]
    public var counts: [[Int]]
    public var rows: [PeriodRow]
    public var changes: [Change]
    /// The area, its neighbours (drawn light), and the hot cells inside or touching it.
    public var area: MultiPolygon
    public var neighbours: [MultiPolygon]
    public var hotCells: [MultiPolygon]
    public var hotLabel: String
    /// Context layers (roads, stations, town centres) on the small map, named as on the print maps.
    public var contexts: [ContextLayer] = []

    public init(title: String, subtitle: String, attribution: [String], periods: [String], types: [String], counts: [[Int]],
                rows: [PeriodRow], changes: [Change], area: MultiPolygon, neighbours: [MultiPolygon], hotCells: [MultiPolygon], hotLabel: String) {
        self.title = title; self.subtitle = subtitle; self.attribution = attribution; self.periods = periods; self.types = types
        self.counts = counts; self.rows = rows; self.changes = changes; self.area = area; self.neighbours = neighbours
        self.hotCells = hotCells; self.hotLabel = hotLabel
    }

    /// Period colours, light to dark (ColorBrewer Blues, colour-blind safe).
    static let blues = ["#c6dbef", "#6baed6", "#2171b5", "#08306b", "#9ecae1", "#4292c6"]

    /// The page: title, the bar chart, the rates against the borough, the changes, the small map, attribution.
    public func svg() -> String {
        let (W, H) = page.size
        let n = SVG.n, x = SVG.x
        var o = SVG.header(width: W, height: H, title: title) + """
        <text x="12" y="18" font-size="6" font-weight="bold">\(x(title))</text>
        <text x="12" y="25" font-size="3.4">\(x(subtitle))</text>

        """
        let cy = 34.0, ch = 85.0
        o += barChart(cx: 12.0, cy: cy, cw: W - 24, ch: ch)
        var ty = cy + ch + 8
        o += rateTable(ty: &ty)
        o += changeLines(ty: &ty)
        o += smallMap(ty: ty, W: W, H: H)
        var ay = H - 8 - 3.2 * Double(attribution.count - 1)
        for a in attribution { o += "<text x=\"12\" y=\"\(n(ay))\" font-size=\"2.3\" fill=\"#333333\">\(x(a))</text>\n"; ay += 3.2 }
        return o + "</svg>\n"
    }

    /// Grouped bar chart in the box (cx, cy, cw, ch) mm: one group per crime type (most frequent first), one bar per
    /// period, gridlines at a 1-2-5 step, and the periods' key.
    private func barChart(cx: Double, cy: Double, cw: Double, ch: Double) -> String {
        let n = SVG.n, x = SVG.x
        let maxCount = max(1, counts.flatMap { $0 }.max() ?? 1)
        var step = pow(10, (log10(Double(maxCount))).rounded(.down))
        if Double(maxCount) / step < 2 { step /= 5 } else if Double(maxCount) / step < 5 { step /= 2 }
        step = max(1, step.rounded())
        let top = (Double(maxCount) / step).rounded(.up) * step
        let plotX = cx + 12, plotW = cw - 12, plotY = cy + 8, plotH = ch - 38
        var o = "<text x=\"\(n(cx))\" y=\"\(n(cy + 3))\" font-size=\"3.4\" font-weight=\"bold\">Incidents by crime type and period</text>\n"
        var v = 0.0
        while v <= top + 1e-9 {
            let y = plotY + plotH - v / top * plotH
            o += "<line x1=\"\(n(plotX))\" y1=\"\(n(y))\" x2=\"\(n(plotX + plotW))\" y2=\"\(n(y))\" stroke=\"#dddddd\" stroke-width=\"0.15\"/>"
            o += "<text x=\"\(n(plotX - 1.5))\" y=\"\(n(y + 1))\" font-size=\"2.4\" text-anchor=\"end\">\(Fmt.number(v))</text>\n"
            v += step
        }
        let groups = max(1, types.count), gw = plotW / Double(groups)
        let bw = min(6, gw * 0.8 / Double(max(1, periods.count)))
        for (t, type) in types.enumerated() {
            let gx = plotX + Double(t) * gw + (gw - bw * Double(periods.count)) / 2
            for (k, c) in counts[t].enumerated() {
                let h = Double(c) / top * plotH
                o += "<rect x=\"\(n(gx + Double(k) * bw))\" y=\"\(n(plotY + plotH - h))\" width=\"\(n(bw * 0.92))\" height=\"\(n(h))\" fill=\"\(Self.blues[k % Self.blues.count])\"/>"
            }
            let lx = plotX + (Double(t) + 0.5) * gw, ly = plotY + plotH + 2
            o += "\n<text x=\"\(n(lx))\" y=\"\(n(ly))\" font-size=\"2.3\" text-anchor=\"end\" transform=\"rotate(-40 \(n(lx)) \(n(ly)))\">\(x(type))</text>\n"
        }
        o += "<line x1=\"\(n(plotX))\" y1=\"\(n(plotY + plotH))\" x2=\"\(n(plotX + plotW))\" y2=\"\(n(plotY + plotH))\" stroke=\"#333333\" stroke-width=\"0.25\"/>\n"
        for (k, p) in periods.enumerated() {
            let lx = plotX + plotW - 50 + 0, ly = cy + 2 + Double(k) * 4.2
            o += "<rect x=\"\(n(lx))\" y=\"\(n(ly - 2.6))\" width=\"4\" height=\"3\" fill=\"\(Self.blues[k % Self.blues.count])\"/><text x=\"\(n(lx + 5.5))\" y=\"\(n(ly))\" font-size=\"2.6\">\(x(p))</text>\n"
        }
        return o
    }

    /// The table of incidents and rates per 1,000 residents per period, the area's beside the borough's, from `ty`
    /// (advanced past it).
    private func rateTable(ty: inout Double) -> String {
        let n = SVG.n, x = SVG.x
        var o = "<text x=\"12\" y=\"\(n(ty))\" font-size=\"3.4\" font-weight=\"bold\">Rate per 1,000 residents, against the borough</text>\n"
        ty += 6
        let harm = rows.contains { $0.harm != nil }
        let cols: [(String, Double)] = harm
            ? [("Period", 12), ("Incidents", 50), ("Harm", 68), ("Rate", 86), ("Borough incidents", 102), ("Borough harm", 136), ("Borough rate", 160)]
            : [("Period", 12), ("Incidents", 62), ("Rate", 85), ("Borough incidents", 105), ("Borough rate", 140)]
        for (h, hx) in cols { o += "<text x=\"\(n(hx))\" y=\"\(n(ty))\" font-size=\"2.6\" font-weight=\"bold\">\(x(h))</text>" }
        o += "\n"
        for r in rows {
            ty += 4.6
            let rate = r.rate.map { Fmt.fixed($0, 2) } ?? "–", boroughRate = r.boroughRate.map { Fmt.fixed($0, 2) } ?? "–"
            let cells = harm ? [r.period, Fmt.grouped(r.count), r.harm.map(Fmt.number) ?? "–", rate, Fmt.grouped(r.boroughCount), r.boroughHarm.map(Fmt.number) ?? "–", boroughRate]
                : [r.period, Fmt.grouped(r.count), rate, Fmt.grouped(r.boroughCount), boroughRate]
            for (i, (_, hx)) in cols.enumerated() { o += "<text x=\"\(n(hx))\" y=\"\(n(ty))\" font-size=\"2.6\">\(x(cells[i]))</text>" }
            o += "\n"
        }
        return o
    }

    /// One line per change between periods (the exact test of equal Poisson rates: p and what it means), below `ty`
    /// (advanced past them).
    private func changeLines(ty: inout Double) -> String {
        let n = SVG.n, x = SVG.x
        ty += 9
        var o = "<text x=\"12\" y=\"\(n(ty))\" font-size=\"3.4\" font-weight=\"bold\">Change between periods (exact test of equal Poisson rates)</text>\n"
        for c in changes {
            ty += 5
            let pct = c.percent.map { "\($0 >= 0 ? "+" : "")\(Fmt.fixed($0, 1)) %" } ?? "n/a"
            let bor = c.boroughPercent.map { "\($0 >= 0 ? "+" : "")\(Fmt.fixed($0, 1)) %" } ?? "n/a"
            let verdict = c.p < 0.05 ? "unlikely to be chance alone (p < 0.05)" : "could be chance variation (p ≥ 0.05)"
            o += "<text x=\"12\" y=\"\(n(ty))\" font-size=\"2.6\">\(x(c.from)) → \(x(c.to)): \(c.change >= 0 ? "+" : "")\(c.change) (\(pct)), p = \(Fmt.fixed(c.p, 3)): \(x(verdict)); borough \(bor)</text>\n"
        }
        return o
    }

    /// The small map's heading and one-line key below `ty`, then the map (when at least 30 mm are left above the
    /// attribution): the area with its neighbours and hot cells.
    private func smallMap(ty: Double, W: Double, H: Double) -> String {
        let n = SVG.n, x = SVG.x
        // `hotLabel` is "heading|note": the note goes on a line of its own, smaller.
        let parts = hotLabel.split(separator: "|", maxSplits: 1).map(String.init)
        let mx = 12.0, my = ty + 14 + (parts.count > 1 ? 4 : 0), mw = W - 24, mh = H - my - 15.6 - 3.2 * Double(attribution.count)
        var o = "<text x=\"\(n(mx))\" y=\"\(n(ty + 8))\" font-size=\"3.4\" font-weight=\"bold\">\(x(parts[0]))</text>\n"
        if parts.count > 1 { o += "<text x=\"\(n(mx))\" y=\"\(n(ty + 12))\" font-size=\"2.5\" fill=\"#333333\">\(x(parts[1]))</text>\n" }
        // A one-line key to the small map.
        var key = ["green outline: the area", "red: hotspot cells", "grey: neighbouring areas"]
        let kinds = Set(contexts.flatMap(\.kinds))
        if kinds.contains(where: \.isLine) { key.append("brown lines: roads") }
        if kinds.contains(.station) { key.append("circles: stations") }
        if kinds.contains(.area) { key.append("dashed purple: town centres") }
        o += "<text x=\"\(n(mx))\" y=\"\(n(ty + (parts.count > 1 ? 16 : 12)))\" font-size=\"2.5\" fill=\"#333333\">Key: \(x(key.joined(separator: " · ")))</text>\n"
        if mh > 30, let e = area.extent { o += miniMap(e, mx: mx, my: my, mw: mw, mh: mh) }
        return o
    }

    /// The map of the area's extent `e` (padded by 8 %) fitted into the box (mx, my, mw, mh) mm: neighbours, the area,
    /// context layers, hot cells, the area's outline, context names placed clear of the north arrow and scale bar.
    private func miniMap(_ e: Extent, mx: Double, my: Double, mw: Double, mh: Double) -> String {
        let n = SVG.n
        let pad = max(e.width, e.height) * 0.08
        let ex = Extent(minX: e.minX - pad, minY: e.minY - pad, maxX: e.maxX + pad, maxY: e.maxY + pad)
        let s = min(mw / ex.width, mh / ex.height)
        let ox = mx + (mw - ex.width * s) / 2, oy = my + (mh - ex.height * s) / 2
        func path(_ g: MultiPolygon) -> String {
            g.rings.filter { $0.count > 2 }.map { r in "M" + r.map { "\(n(ox + ($0.x - ex.minX) * s)) \(n(oy + (ex.maxY - $0.y) * s))" }.joined(separator: "L") + "Z" }.joined()
        }
        func p(_ q: XY) -> XY { XY(ox + (q.x - ex.minX) * s, oy + (ex.maxY - q.y) * s) }
        func line(_ l: [XY]) -> String { "M" + l.map { "\(n(p($0).x)) \(n(p($0).y))" }.joined(separator: "L") }
        var o = "<defs><clipPath id=\"mini\"><rect x=\"\(n(mx))\" y=\"\(n(my))\" width=\"\(n(mw))\" height=\"\(n(mh))\"/></clipPath></defs>\n<g clip-path=\"url(#mini)\">\n"
        for g in neighbours { o += "<path d=\"\(path(g))\" fill=\"#f4f4f4\" stroke=\"#9a9a9a\" stroke-width=\"0.2\"/>\n" }
        o += "<path d=\"\(path(area))\" fill=\"#ffffff\" stroke=\"none\"/>\n"
        o += MapDocument.contextBeneathSVG(contexts, path: path, line: line)
        if !hotCells.isEmpty { o += "<path d=\"\(hotCells.map(path).joined())\" fill=\"#d7301f\" fill-opacity=\"\(contexts.isEmpty ? "0.85" : "0.7")\" stroke=\"none\"/>\n" }
        o += MapDocument.contextLinesSVG(contexts, path: path, line: line)
        o += "<path d=\"\(path(area))\" fill=\"none\" stroke=\"#1b7837\" stroke-width=\"0.8\" fill-rule=\"evenodd\"/>\n"
        o += MapDocument.contextSymbolsSVG(contexts, p)
        // Station and town-centre names placed like the print maps' (no overlap, clear of the frame, arrow, scale bar).
        let frame = PageRect(x: mx, y: my, w: mw, h: mh)
        let arrow = PageRect(x: mx + mw - 8 - 4.5, y: my + 1.5, w: 9, h: 17)
        let barW = SVG.scaleBarLength(metresPerMM: 1 / s, maxWidth: 40).mm
        let bar = PageRect(x: mx + 5 - 3, y: my + mh - 5 - 5.5, w: barW + 6, h: 9)
        let vx = ex.minX - (ox - mx) / s, vy = ex.maxY + (oy - my) / s
        let view = Extent(minX: vx, minY: vy - mh / s, maxX: vx + mw / s, maxY: vy)
        let labels = MapDocument.contextLabels(contexts, within: view, metresPerMM: 1 / s)
        let (placed, _) = LabelPlacer(frame: frame, obstacles: [arrow, bar] + MapDocument.symbolBoxes(contexts, p))
            .place(labels.map { MapDocument.request($0, p) })
        o += MapDocument.labelsSVG(placed.map { (labels[$0.request], $0) }) + "</g>\n"
        o += "<rect x=\"\(n(mx))\" y=\"\(n(my))\" width=\"\(n(mw))\" height=\"\(n(mh))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"0.3\"/>\n"
        o += "<rect x=\"\(n(arrow.x))\" y=\"\(n(arrow.y))\" width=\"\(n(arrow.w))\" height=\"\(n(arrow.h))\" fill=\"#ffffff\" fill-opacity=\"0.85\" rx=\"0.8\"/>\n"
        o += SVG.scaleBar(x: mx + 5, y: my + mh - 5, metresPerMM: 1 / s, maxWidth: 40)
        o += SVG.northArrow(x: mx + mw - 8, y: my + 4)
        return o
    }
}
