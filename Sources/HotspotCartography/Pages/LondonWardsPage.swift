import Foundation
import HotspotCore
import HotspotIO

/// "Lewisham's wards in London" for one category (A4 landscape, mm): the borough's wards coloured by where their rate
/// stands among every London ward (percentile classes fixed across categories, so pages compare), named on the map
/// with the shared label placer, and a table of each ward's rate, change and percentiles, small counts marked.
public struct LondonWardsPage: Sendable {
    public struct Ward: Sendable {
        public var name: String
        /// Its boundary (EPSG:27700 metres); nil: listed in the table only.
        public var geometry: MultiPolygon?
        /// Label centres to try, best first (EPSG:27700).
        public var labelAt: [XY]
        public var residents: Double
        /// Crimes in the second period, its rate per 1,000 residents, the change in % (nil: none before).
        public var count: Int, rate: Double?, change: Double?
        /// Percentile ranks among London's wards (0–100) of the rate and of the change.
        public var pctRate: Double?, pctChange: Double?
        /// A period's count is small: the change is unstable.
        public var small: Bool
        /// Outlined and set in bold (the ward a profile is about, the wards a restricted area touches).
        public var highlight = false
        public init(name: String, geometry: MultiPolygon?, labelAt: [XY], residents: Double, count: Int, rate: Double?, change: Double?,
                    pctRate: Double?, pctChange: Double?, small: Bool) {
            self.name = name; self.geometry = geometry; self.labelAt = labelAt; self.residents = residents; self.count = count
            self.rate = rate; self.change = change; self.pctRate = pctRate; self.pctChange = pctChange; self.small = small
        }
    }
    public var page = MapPage(paper: .a4, orientation: .landscape)
    public var title: String, subtitle: String
    /// What the percentiles and populations are (wrapped under the subtitle, at most three lines).
    public var note: String
    public var attribution: [String]
    public var wards: [Ward]
    /// "2025-03..2025-09": the period the rates and counts are of.
    public var period: String
    /// The number of London wards the percentiles are among, and the small-count threshold.
    public var londonWards: Int, smallCount: Int
    /// Lines under the table: the borough against London (rate, rank, change) for the page's category.
    public var boroughLines: [String] = []

    public init(title: String, subtitle: String, note: String, attribution: [String], wards: [Ward], period: String, londonWards: Int, smallCount: Int) {
        self.title = title; self.subtitle = subtitle; self.note = note; self.attribution = attribution; self.wards = wards
        self.period = period; self.londonWards = londonWards; self.smallCount = smallCount
    }

    /// Percentile class breaks of the rate among London's wards: the lowest quarter, 25–50, 50–75, 75–90, the top 10 %.
    public static let breaks = [25.0, 50, 75, 90]
    static let classNames = ["lowest 25 %", "25–50th", "50–75th", "75–90th", "highest 10 %"]
    /// ColorBrewer YlOrRd (colour-blind safe), as the borough pages.
    static let ramp = LondonContextPage.ramp

    /// The class (0–4) of a percentile rank: the number of breaks it exceeds.
    public static func classIndex(_ pct: Double) -> Int { breaks.filter { pct > $0 }.count }

    /// `text` cut with an ellipsis to at most `width` mm at `size` (a long ward name must not run into the next column).
    static func fit(_ text: String, width: Double, size: Double, bold: Bool) -> String {
        guard FontMetrics.width(text, size: size, bold: bold) > width else { return text }
        var t = Substring(text)
        while !t.isEmpty && FontMetrics.width(t + "…", size: size, bold: bold) > width { t = t.dropLast() }
        return t.trimmingCharacters(in: .whitespaces) + "…"
    }

    public func svg() -> String {
        let (W, H) = page.size
        let n = SVG.n, x = SVG.x
        var o = SVG.header(width: W, height: H, title: title)
        o += LondonContextPage.header(title: title, subtitle: subtitle, note: note, width: W, noteLines: 3)
        o += map(mx: 12, my: 36, mw: 140, mh: 138)
        o += tableSVG(tx: 160, ty: 40, tw: W - 172, th: H - 40 - 14 - 2.8 * Double(attribution.count))
        for (k, a) in attribution.enumerated() {
            o += "<text x=\"12\" y=\"\(n(H - 4 - 2.8 * Double(attribution.count - 1 - k)))\" font-size=\"2.1\" fill=\"#555555\">\(x(a))</text>\n"
        }
        return o + "</svg>\n"
    }

    /// The wards fitted into the box, filled by class, outlined, named (labels that do not fit are left to the table).
    func map(mx: Double, my: Double, mw: Double, mh: Double) -> String {
        let n = SVG.n, x = SVG.x
        let shown = wards.filter { $0.geometry?.extent != nil }
        guard let e0 = shown.first?.geometry?.extent else {
            return "<text x=\"\(n(mx))\" y=\"\(n(my + 10))\" font-size=\"3\">No ward boundary matched these wards (--wards-layer, by ward code or name): no map.</text>\n"
        }
        let e = shown.compactMap { $0.geometry?.extent }.reduce(e0) {
            Extent(minX: min($0.minX, $1.minX), minY: min($0.minY, $1.minY), maxX: max($0.maxX, $1.maxX), maxY: max($0.maxY, $1.maxY))
        }
        let keyH = 16.0, boxH = mh - keyH
        let s = min(mw / e.width, boxH / e.height), ox = mx + (mw - e.width * s) / 2, oy = my + (boxH - e.height * s) / 2
        func p(_ q: XY) -> XY { XY(ox + (q.x - e.minX) * s, oy + (e.maxY - q.y) * s) }
        func path(_ g: MultiPolygon) -> String { LondonContextPage.pagePath(g, p) }
        var o = ""
        for w in shown {
            let fill = w.pctRate.map { Self.ramp[Self.classIndex($0)] } ?? "#d9d9d9"
            o += "<path d=\"\(path(w.geometry!))\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"0.4\" fill-rule=\"evenodd\"/>\n"
        }
        o += "<path d=\"\(shown.map { path($0.geometry!) }.joined())\" fill=\"none\" stroke=\"#444444\" stroke-width=\"0.15\" fill-rule=\"evenodd\"/>\n"
        for w in shown where w.highlight {
            o += "<path d=\"\(path(w.geometry!))\" fill=\"none\" stroke=\"#000000\" stroke-width=\"0.9\" fill-rule=\"evenodd\"/>\n"
        }
        let labels = shown.map { MapLabel(text: $0.name, anchor: .area($0.labelAt), priority: $0.highlight ? 100 : 60, size: 2.3, bold: $0.highlight, leader: true) }
        let frame = PageRect(x: mx, y: my, w: mw, h: boxH)
        let (placed, _) = LabelPlacer(frame: frame).place(labels.map { MapDocument.request($0, p) })
        o += MapDocument.labelsSVG(placed.map { (labels[$0.request], $0) })
        o += SVG.scaleBar(x: mx + 2, y: my + boxH - 3, metresPerMM: 1 / s, maxWidth: 30)
        // Key: the five percentile classes and "no rate".
        let ky = my + boxH + 3
        o += "<text x=\"\(n(mx))\" y=\"\(n(ky + 2))\" font-size=\"2.5\" font-weight=\"bold\">Rate per 1,000 residents, \(x(period)): percentile among London's \(Fmt.grouped(londonWards)) wards</text>\n"
        for k in 0..<5 {
            let kx = mx + Double(k) * 25
            o += "<rect x=\"\(n(kx))\" y=\"\(n(ky + 4))\" width=\"5\" height=\"3.5\" fill=\"\(Self.ramp[k])\" stroke=\"#777777\" stroke-width=\"0.15\"/>"
            o += "<text x=\"\(n(kx + 6))\" y=\"\(n(ky + 6.9))\" font-size=\"2.3\">\(x(Self.classNames[k]))</text>\n"
        }
        if wards.contains(where: { $0.pctRate == nil }) {
            o += "<rect x=\"\(n(mx))\" y=\"\(n(ky + 9))\" width=\"5\" height=\"3.5\" fill=\"#d9d9d9\"/><text x=\"\(n(mx + 6))\" y=\"\(n(ky + 11.9))\" font-size=\"2.3\">no rate</text>\n"
        }
        return o
    }

    /// One row per ward: residents, crimes, rate, change, the two percentiles; small counts marked with an asterisk.
    func tableSVG(tx: Double, ty: Double, tw: Double, th: Double) -> String {
        let n = SVG.n, x = SVG.x
        let cols: [(String, Double, String)] = [("Ward", 0, "start"), ("Residents", 0.37, "end"), ("Crimes", 0.48, "end"), ("Rate", 0.58, "end"),
                                                 ("Change", 0.7, "end"), ("Pctl rate", 0.84, "end"), ("Pctl change", 1.0, "end")]
        let row = min(4.0, (th - 10) / Double(max(wards.count, 1))), size = min(2.3, row * 0.75)
        var o = ""
        for (t, f, a) in cols { o += "<text x=\"\(n(tx + tw * f))\" y=\"\(n(ty))\" font-size=\"2.3\" font-weight=\"bold\" text-anchor=\"\(a)\">\(x(t))</text>" }
        o += "<line x1=\"\(n(tx))\" y1=\"\(n(ty + 0.9))\" x2=\"\(n(tx + tw))\" y2=\"\(n(ty + 0.9))\" stroke=\"#000000\" stroke-width=\"0.2\"/>\n"
        func pct(_ v: Double?) -> String { v.map { ($0 >= 0 ? "+" : "") + Fmt.fixed($0, 1) + "%" } ?? "n/a" }
        for (k, w) in wards.enumerated() {
            let y = ty + 1 + row * Double(k + 1)
            if k % 2 == 1 { o += "<rect x=\"\(n(tx - 0.5))\" y=\"\(n(y - row * 0.78))\" width=\"\(n(tw + 1))\" height=\"\(n(row))\" fill=\"#f3f3f3\"/>" }
            let cells = [Self.fit(w.name, width: tw * (cols[1].1 - 0.1) - (w.small ? 3 : 0), size: size, bold: w.highlight) + (w.small ? " *" : ""), Fmt.grouped(Int(w.residents.rounded())), Fmt.grouped(w.count),
                         w.rate.map { Fmt.fixed($0, 2) } ?? "–", pct(w.change), w.pctRate.map { Fmt.fixed($0, 0) } ?? "–", w.pctChange.map { Fmt.fixed($0, 0) } ?? "–"]
            for (c, (_, f, a)) in zip(cells, cols) {
                o += "<text x=\"\(n(tx + tw * f))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(a)\"\(w.highlight ? " font-weight=\"bold\"" : "")>\(x(c))</text>"
            }
            o += "\n"
        }
        let fy = ty + 1 + row * Double(wards.count + 1) + 2
        if wards.contains(where: \.small) {
            o += "<text x=\"\(n(tx))\" y=\"\(n(fy))\" font-size=\"2.1\" fill=\"#333333\">* fewer than \(smallCount) crimes in a period: the change is unstable.</text>\n"
        }
        o += "<text x=\"\(n(tx))\" y=\"\(n(fy + 3))\" font-size=\"2.1\" fill=\"#333333\">Pctl: percentile among London's wards (100: the highest rate or the largest rise).</text>\n"
        for (k, line) in boroughLines.enumerated() {
            o += "<text x=\"\(n(tx))\" y=\"\(n(fy + 9 + 3.6 * Double(k)))\" font-size=\"2.5\"\(k == 0 ? " font-weight=\"bold\"" : "")>\(x(line))</text>\n"
        }
        return o
    }
}
