import Foundation
import HotspotCore
import HotspotIO

/// "Lewisham in London" for one category (A4 landscape, mm): a choropleth of London's boroughs by rate with the
/// borough outlined, the boroughs ranked by rate with the borough highlighted and London's rate marked, the monthly
/// series of the borough against London (indexed to the first month), and a table of every category.
public struct LondonContextPage: Sendable {
    public struct Borough: Sendable {
        public var name: String, shape: Shape?, rate: Double?, chosen: Bool
        public init(name: String, shape: Shape?, rate: Double?, chosen: Bool) {
            self.name = name; self.shape = shape; self.rate = rate; self.chosen = chosen
        }
    }
    /// A borough drawn on the map box: its SVG path and the centre of its extent, in page mm.
    public struct Shape: Sendable { public var path: String, centre: XY }
    /// The map's box on the page (mm).
    public static let mapBox = (x: 12.0, y: 32.0, w: 140.0, h: 100.0)

    /// The boroughs' shapes fitted together into the map box (or `box`, mm; computed once for every page of a set). Vertices closer
    /// than 0.2 mm on the page to the last one kept are dropped: exact to the eye at a fraction of the size.
    public static func shapes(_ geometries: [MultiPolygon?], box: (x: Double, y: Double, w: Double, h: Double) = mapBox) -> [Shape?] {
        let (mx, my, mw, mh) = box
        let ex = geometries.compactMap { $0?.extent }
        guard let e = ex.first.map({ f in ex.reduce(f) { Extent(minX: min($0.minX, $1.minX), minY: min($0.minY, $1.minY), maxX: max($0.maxX, $1.maxX), maxY: max($0.maxY, $1.maxY)) } }) else {
            return geometries.map { _ in nil }
        }
        let s = min(mw / e.width, mh / e.height), ox = mx + (mw - e.width * s) / 2, oy = my + (mh - e.height * s) / 2
        func page(_ q: XY) -> XY { XY(ox + (q.x - e.minX) * s, oy + (e.maxY - q.y) * s) }
        return geometries.map { g in
            guard let g, let c = g.extent else { return nil }
            return Shape(path: pagePath(g, page), centre: page(XY((c.minX + c.maxX) / 2, (c.minY + c.maxY) / 2)))
        }
    }

    /// The SVG path of `g` on the page (`page` maps metres to mm), vertices closer than 0.2 mm to the last one kept
    /// dropped: exact to the eye at a fraction of the size.
    static func pagePath(_ g: MultiPolygon, _ page: (XY) -> XY) -> String {
        let n = SVG.n
        return g.rings.filter { $0.count > 2 }.map { r in
            var kept: [XY] = []
            for q in r {
                let pt = page(q)
                if let l = kept.last, abs(l.x - pt.x) < 0.2 && abs(l.y - pt.y) < 0.2 { continue }
                kept.append(pt)
            }
            return kept.count < 3 ? "" : "M" + kept.map { "\(n($0.x)) \(n($0.y))" }.joined(separator: "L") + "Z"
        }.joined()
    }

    /// A page's title (6 mm bold), subtitle and note (wrapped, at most `noteLines` lines), from the top left.
    static func header(title: String, subtitle: String, note: String, width W: Double, noteLines: Int) -> String {
        let n = SVG.n, x = SVG.x
        var o = "<text x=\"12\" y=\"14\" font-size=\"6\" font-weight=\"bold\">\(x(title))</text>\n"
        o += "<text x=\"12\" y=\"20.5\" font-size=\"3.2\">\(x(subtitle))</text>\n"
        for (k, line) in SVG.wrap(note, width: W - 24, size: 2.4).prefix(noteLines).enumerated() {
            o += "<text x=\"12\" y=\"\(n(25.5 + 3.2 * Double(k)))\" font-size=\"2.4\" fill=\"#333333\">\(x(line))</text>\n"
        }
        return o
    }
    public struct Row: Sendable {
        public var category: String, rate: String, change: String, londonChange: String, rankRate: String, rankChange: String, current: Bool
        public init(category: String, rate: String, change: String, londonChange: String, rankRate: String, rankChange: String, current: Bool) {
            self.category = category; self.rate = rate; self.change = change; self.londonChange = londonChange
            self.rankRate = rankRate; self.rankChange = rankChange; self.current = current
        }
    }
    public var page = MapPage(paper: .a4, orientation: .landscape)
    public var title: String, subtitle: String, note: String
    public var attribution: [String]
    /// Every borough drawn or ranked (those without a rate are drawn grey and not ranked).
    public var boroughs: [Borough]
    public var londonRate: Double?
    /// "per 1,000 residents, 2025-03..2025-09".
    public var rateLabel: String
    /// The monthly series: month labels, then the borough's and London's values (index, first month = 100).
    public var months: [String], series: [(String, [Double?])]
    public var table: [Row]

    public init(title: String, subtitle: String, note: String, attribution: [String], boroughs: [Borough], londonRate: Double?,
                rateLabel: String, months: [String], series: [(String, [Double?])], table: [Row]) {
        self.title = title; self.subtitle = subtitle; self.note = note; self.attribution = attribution; self.boroughs = boroughs
        self.londonRate = londonRate; self.rateLabel = rateLabel; self.months = months; self.series = series; self.table = table
    }

    /// Quintile classes of the rates, light to dark (ColorBrewer YlOrRd, colour-blind safe).
    public static let ramp = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]

    /// Decimals that show the smallest non-zero rate with two significant digits (at least `least`, at most 6):
    /// a rare category's rates of 0.003 per 1,000 do not all read 0.00.
    func decimals(least: Int) -> Int {
        guard let m = boroughs.compactMap(\.rate).filter({ $0 > 0 }).min() else { return least }
        return max(least, min(6, 1 - Int(log10(m).rounded(.down))))
    }

    /// The class breaks: the 20th, 40th, 60th and 80th percentiles of the rates (nearest rank).
    static func breaks(_ v: [Double]) -> [Double] {
        let s = v.sorted()
        guard !s.isEmpty else { return [] }
        return [0.2, 0.4, 0.6, 0.8].map { q in s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))] }
    }

    public func svg() -> String {
        let (W, H) = page.size
        let n = SVG.n, x = SVG.x
        var o = SVG.header(width: W, height: H, title: title)
        o += Self.header(title: title, subtitle: subtitle, note: note, width: W, noteLines: 2)
        o += map(mx: Self.mapBox.x, my: Self.mapBox.y, mw: Self.mapBox.w, mh: Self.mapBox.h)
        o += bars(bx: 160, by: 32, bw: W - 172, bh: 108)
        o += seriesChart(cx: 12, cy: 148, cw: 140, ch: 50)
        o += tableSVG(tx: 160, ty: 150, tw: W - 172)
        for (k, a) in attribution.enumerated() {
            o += "<text x=\"12\" y=\"\(n(H - 4 - 2.8 * Double(attribution.count - 1 - k)))\" font-size=\"2.1\" fill=\"#555555\">\(x(a))</text>\n"
        }
        return o + "</svg>\n"
    }

    /// The choropleth with its key: quintiles of the ranked boroughs' rates; the borough outlined and named.
    func map(mx: Double, my: Double, mw: Double, mh: Double) -> String {
        let n = SVG.n, x = SVG.x
        let shapes = boroughs.compactMap { b in b.shape.map { (b, $0) } }
        guard !shapes.isEmpty else {
            return "<text x=\"\(n(mx))\" y=\"\(n(my + 10))\" font-size=\"3\">No borough boundaries given (--boroughs-layer): no map.</text>\n"
        }
        let br = Self.breaks(boroughs.compactMap(\.rate))
        func fill(_ r: Double?) -> String { r.map { v in Self.ramp[br.filter { v > $0 }.count] } ?? "#d9d9d9" }
        var o = ""
        for (b, g) in shapes { o += "<path d=\"\(g.path)\" fill=\"\(fill(b.rate))\" stroke=\"#ffffff\" stroke-width=\"0.3\" fill-rule=\"evenodd\"/>\n" }
        for (b, g) in shapes where b.chosen {
            o += "<path d=\"\(g.path)\" fill=\"none\" stroke=\"#000000\" stroke-width=\"0.9\" fill-rule=\"evenodd\"/>\n"
            o += "<text x=\"\(n(g.centre.x))\" y=\"\(n(g.centre.y + 1))\" font-size=\"3\" font-weight=\"bold\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"0.8\" paint-order=\"stroke\">\(x(b.name))</text>\n"
        }
        // Key: five classes and "not ranked".
        let ky = my + mh + 3
        o += "<text x=\"\(n(mx))\" y=\"\(n(ky + 2))\" font-size=\"2.5\" font-weight=\"bold\">Rate \(x(rateLabel)), quintiles of the boroughs</text>\n"
        let lows = [boroughs.compactMap(\.rate).min() ?? 0] + br, highs = br + [boroughs.compactMap(\.rate).max() ?? 0], d = decimals(least: 1)
        for k in 0..<5 where k < lows.count {
            let kx = mx + Double(k) * 24
            o += "<rect x=\"\(n(kx))\" y=\"\(n(ky + 4))\" width=\"5\" height=\"3.5\" fill=\"\(Self.ramp[k])\" stroke=\"#777777\" stroke-width=\"0.15\"/>"
            o += "<text x=\"\(n(kx + 6))\" y=\"\(n(ky + 6.9))\" font-size=\"2.3\">\(Fmt.fixed(lows[k], d))–\(Fmt.fixed(highs[k], d))</text>\n"
        }
        o += "<rect x=\"\(n(mx + 120))\" y=\"\(n(ky + 4))\" width=\"5\" height=\"3.5\" fill=\"#d9d9d9\"/><text x=\"\(n(mx + 126))\" y=\"\(n(ky + 6.9))\" font-size=\"2.3\">not in London here</text>\n"
        return o
    }

    /// The ranked boroughs as horizontal bars, the chosen ones dark red, London's rate a dashed line.
    func bars(bx: Double, by: Double, bw: Double, bh: Double) -> String {
        let n = SVG.n, x = SVG.x
        let ranked = boroughs.filter { $0.rate != nil }.sorted { ($0.rate!, $1.name) > ($1.rate!, $0.name) }
        guard !ranked.isEmpty else { return "" }
        let top = max(ranked[0].rate!, londonRate ?? 0) * 1.08, row = min(4.2, (bh - 8) / Double(ranked.count)), lx = bx + 36, lw = bw - 36 - 10
        var o = "<text x=\"\(n(bx))\" y=\"\(n(by + 2))\" font-size=\"2.8\" font-weight=\"bold\">Boroughs ranked by rate \(x(rateLabel))</text>\n"
        if let l = londonRate {
            let lxr = lx + lw * l / max(top, 1e-12), y1 = by + 5 + Double(ranked.count) * row
            o += "<line x1=\"\(n(lxr))\" y1=\"\(n(by + 4))\" x2=\"\(n(lxr))\" y2=\"\(n(y1))\" stroke=\"#555555\" stroke-width=\"0.3\" stroke-dasharray=\"1 0.8\"/>"
            o += "<text x=\"\(n(lxr))\" y=\"\(n(y1 + 2.6))\" font-size=\"2.2\" text-anchor=\"middle\">London \(Fmt.fixed(l, decimals(least: 2)))</text>\n"
        }
        let d = decimals(least: 2)
        for (k, b) in ranked.enumerated() {
            // The rank as in the tables: 1 + the boroughs with a higher rate (ties share it).
            let rank = 1 + ranked.filter { $0.rate! > b.rate! }.count
            let y = by + 5 + Double(k) * row, w = lw * b.rate! / max(top, 1e-12)
            o += "<text x=\"\(n(lx - 1))\" y=\"\(n(y + row * 0.72))\" font-size=\"\(n(min(2.3, row * 0.75)))\" text-anchor=\"end\"\(b.chosen ? " font-weight=\"bold\"" : "")>\(rank). \(x(b.name))</text>"
            o += "<rect x=\"\(n(lx))\" y=\"\(n(y + row * 0.12))\" width=\"\(n(w))\" height=\"\(n(row * 0.76))\" fill=\"\(b.chosen ? "#a50f15" : "#bdbdbd")\"/>"
            o += "<text x=\"\(n(lx + w + 0.8))\" y=\"\(n(y + row * 0.72))\" font-size=\"\(n(min(2.1, row * 0.7)))\" stroke=\"#ffffff\" stroke-width=\"0.5\" paint-order=\"stroke\">\(Fmt.fixed(b.rate!, d))</text>\n"
        }
        return o
    }

    /// The monthly series (index, first month = 100) as a line chart scaled into the box.
    func seriesChart(cx: Double, cy: Double, cw: Double, ch: Double) -> String {
        LineChart(title: "Monthly, indexed to the first month (= 100)", yLabel: "index", categories: months, series: LineChart.styled(series))
            .embedded(x: cx, y: cy, width: cw, height: ch)
    }

    /// Every category: rate, change, London's change, the ranks; the page's own category in bold.
    func tableSVG(tx: Double, ty: Double, tw: Double) -> String {
        let n = SVG.n, x = SVG.x
        let cols: [(String, Double, String)] = [("Category", 0, "start"), ("Rate", 0.49, "end"), ("Change", 0.6, "end"), ("London", 0.71, "end"), ("Rank rate", 0.84, "end"), ("Rank change", 1.0, "end")]
        var o = ""
        for (t, f, a) in cols { o += "<text x=\"\(n(tx + tw * f))\" y=\"\(n(ty))\" font-size=\"2.3\" font-weight=\"bold\" text-anchor=\"\(a)\">\(x(t))</text>" }
        o += "<line x1=\"\(n(tx))\" y1=\"\(n(ty + 0.9))\" x2=\"\(n(tx + tw))\" y2=\"\(n(ty + 0.9))\" stroke=\"#000000\" stroke-width=\"0.2\"/>\n"
        for (k, r) in table.enumerated() {
            let y = ty + 4 + Double(k) * 3.1
            if r.current { o += "<rect x=\"\(n(tx - 0.5))\" y=\"\(n(y - 2.4))\" width=\"\(n(tw + 1))\" height=\"3.1\" fill=\"#fee0d2\"/>" }
            let cells = [String(r.category.prefix(38)), r.rate, r.change, r.londonChange, r.rankRate, r.rankChange]
            for (c, (_, f, a)) in zip(cells, cols) {
                o += "<text x=\"\(n(tx + tw * f))\" y=\"\(n(y))\" font-size=\"2.2\" text-anchor=\"\(a)\"\(r.current ? " font-weight=\"bold\"" : "")>\(x(c))</text>"
            }
            o += "\n"
        }
        return o
    }
}
