import Foundation
import HotspotCore
import HotspotIO

/// The one-page stop-and-search summary for one period (A4 landscape, mm): headline numbers, searches per month (all
/// and by type), bars by object of search and by outcome, a small choropleth of searches per area, the borough's
/// disproportionality table with the caveat on residents, and the sources and command.
public struct StopsSummaryPage: Sendable {
    /// A headline figure: a big value, what it is, and the numbers behind it.
    public struct Headline: Sendable {
        public var value: String, label: String, detail: String
        public init(value: String, label: String, detail: String) { self.value = value; self.label = label; self.detail = detail }
    }
    /// One row of the disproportionality table, already formatted ("<3" for a suppressed count, "–" for none).
    public struct RatioRow: Sendable {
        public var group: String, searches: String, residents: String, rate: String, ratio: String, interval: String
        public init(group: String, searches: String, residents: String, rate: String, ratio: String, interval: String) {
            self.group = group; self.searches = searches; self.residents = residents; self.rate = rate; self.ratio = ratio; self.interval = interval
        }
    }
    public var page = MapPage(paper: .a4, orientation: .landscape)
    public var title: String, subtitle: String
    public var headlines: [Headline]
    /// Month labels and the series (all searches first, then one per search type).
    public var months: [String], series: [(String, [Double?])]
    /// Searches by object of search and by outcome, largest first.
    public var objects: [(String, Int)], outcomes: [(String, Int)]
    /// Areas drawn on the small map (fitted by `LondonContextPage.shapes(_:box:)` into `mapBox`) and their searches.
    public var areas: [(shape: LondonContextPage.Shape?, searches: Int)]
    public var mapTitle: String
    public var ratioTitle: String, ratios: [RatioRow], ratioNote: String, caveat: String
    public var sources: [String], command: String

    /// The small map's box on the page (mm).
    public static let mapBox = (x: 160.0, y: 52.0, w: 125.0, h: 54.0)

    public init(title: String, subtitle: String, headlines: [Headline], months: [String], series: [(String, [Double?])],
                objects: [(String, Int)], outcomes: [(String, Int)], areas: [(shape: LondonContextPage.Shape?, searches: Int)], mapTitle: String,
                ratioTitle: String, ratios: [RatioRow], ratioNote: String, caveat: String, sources: [String], command: String) {
        self.title = title; self.subtitle = subtitle; self.headlines = headlines; self.months = months; self.series = series
        self.objects = objects; self.outcomes = outcomes; self.areas = areas; self.mapTitle = mapTitle
        self.ratioTitle = ratioTitle; self.ratios = ratios; self.ratioNote = ratioNote; self.caveat = caveat
        self.sources = sources; self.command = command
    }

    public func svg() -> String {
        let (W, H) = page.size, n = SVG.n, x = SVG.x
        var o = SVG.header(width: W, height: H, title: title)
        o += "<text x=\"12\" y=\"14\" font-size=\"6\" font-weight=\"bold\">\(x(title))</text>\n"
        o += "<text x=\"12\" y=\"20.5\" font-size=\"3.2\">\(x(subtitle))</text>\n"
        o += headlineBoxes(y: 25, w: W - 24)
        o += monthlyChart(x: 12, y: 45, w: 140, h: 56)
        o += bars("Searches by object of search", objects, x: 12, y: 106, w: 140, rows: 8)
        o += bars("Searches by outcome", outcomes, x: 12, y: 150, w: 140, rows: 8)
        o += smallMap()
        o += ratioTable(x: 160, y: 126, w: W - 172)
        // Sources, then the command (wrapped), at the foot of the page.
        let wrapped = SVG.wrap("Command: " + command, width: W - 24, size: 2.0)
        let more = " … (in full in metadata.json)", room = W - 24 - FontMetrics.width(more, size: 2.0, bold: false)
        let cmd = wrapped.count <= 3 ? wrapped : Array(wrapped.prefix(2)) + [fit(wrapped[2], room, 2.0) + more]
        let foot = sources.map { ($0, "#555555") } + cmd.map { ($0, "#333333") }
        for (k, (line, colour)) in foot.enumerated() {
            o += "<text x=\"12\" y=\"\(n(H - 4 - 2.7 * Double(foot.count - 1 - k)))\" font-size=\"2.0\" fill=\"\(colour)\">\(x(line))</text>\n"
        }
        return o + "</svg>\n"
    }

    /// The headline figures in boxes across the page.
    func headlineBoxes(y: Double, w: Double) -> String {
        let n = SVG.n, x = SVG.x, count = Double(max(1, headlines.count)), bw = (w - 3 * (count - 1)) / count
        var o = ""
        for (k, h) in headlines.enumerated() {
            let bx = 12 + Double(k) * (bw + 3)
            o += "<rect x=\"\(n(bx))\" y=\"\(n(y))\" width=\"\(n(bw))\" height=\"15\" fill=\"#f2f2f2\" stroke=\"#bdbdbd\" stroke-width=\"0.2\"/>"
            o += "<text x=\"\(n(bx + 2))\" y=\"\(n(y + 6.5))\" font-size=\"5.2\" font-weight=\"bold\">\(x(h.value))</text>"
            o += "<text x=\"\(n(bx + 2))\" y=\"\(n(y + 10.2))\" font-size=\"2.5\">\(x(fit(h.label, bw - 4, 2.5)))</text>"
            o += "<text x=\"\(n(bx + 2))\" y=\"\(n(y + 13.4))\" font-size=\"2.1\" fill=\"#444444\">\(x(fit(h.detail, bw - 4, 2.1)))</text>\n"
        }
        return o
    }

    /// The monthly chart (monthly.svg's drawing) scaled to `w` mm wide and drawn at (x, y), its height set to fill `h` mm.
    func monthlyChart(x: Double, y: Double, w: Double, h: Double) -> String {
        LineChart(title: "Searches per month", yLabel: "searches", categories: months, series: LineChart.styled(series))
            .embedded(x: x, y: y, width: w, height: h)
    }

    /// Horizontal bars, largest first: the first `rows` − 1 values and the rest summed as "all others" when there are
    /// more; each labelled with its count and share.
    func bars(_ title: String, _ values: [(String, Int)], x bx: Double, y by: Double, w bw: Double, rows: Int) -> String {
        let n = SVG.n, x = SVG.x
        var shown = values
        if values.count > rows {
            shown = Array(values.prefix(rows - 1))
            shown.append(("all others (\(values.count - rows + 1))", values.dropFirst(rows - 1).map(\.1).reduce(0, +)))
        }
        let total = max(1, values.map(\.1).reduce(0, +)), top = Double(max(1, shown.map(\.1).max() ?? 1))
        let lx = bx + 56, lw = bw - 56 - 22, row = 4.3
        var o = "<text x=\"\(n(bx))\" y=\"\(n(by + 2.5))\" font-size=\"3.0\" font-weight=\"bold\">\(x(title))</text>\n"
        if shown.isEmpty { return o + "<text x=\"\(n(bx))\" y=\"\(n(by + 8))\" font-size=\"2.4\">No searches.</text>\n" }
        for (k, (name, v)) in shown.enumerated() {
            let y = by + 5 + Double(k) * row, w = lw * Double(v) / top
            o += "<text x=\"\(n(lx - 1))\" y=\"\(n(y + 3))\" font-size=\"2.3\" text-anchor=\"end\">\(x(fit(name, 54, 2.3)))</text>"
            o += "<rect x=\"\(n(lx))\" y=\"\(n(y + 0.6))\" width=\"\(n(max(w, 0.2)))\" height=\"3.1\" fill=\"#6b6b6b\"/>"
            o += "<text x=\"\(n(lx + w + 1))\" y=\"\(n(y + 3))\" font-size=\"2.2\">\(x("\(Fmt.grouped(v)) (\(share(v, total)))"))</text>\n"
        }
        return o
    }

    /// Searches per area, quintile classes (ColorBrewer PuBu, as the stops layers), with its key.
    func smallMap() -> String {
        let n = SVG.n, x = SVG.x, (mx, my, _, mh) = Self.mapBox
        var o = "<text x=\"\(n(mx))\" y=\"\(n(my - 5.5))\" font-size=\"3.0\" font-weight=\"bold\">\(x(mapTitle))</text>\n"
        let drawn = areas.compactMap { a in a.shape.map { ($0, a.searches) } }
        guard !drawn.isEmpty else {
            return o + "<text x=\"\(n(mx))\" y=\"\(n(my + 4))\" font-size=\"2.4\">No area layer given (--areas NAME=FILE): no map.</text>\n"
        }
        let v = drawn.map { Double($0.1) }, br = LondonContextPage.breaks(v)
        let ramp = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]
        for (s, c) in drawn {
            o += "<path d=\"\(s.path)\" fill=\"\(ramp[br.filter { Double(c) > $0 }.count])\" stroke=\"#ffffff\" stroke-width=\"0.3\" fill-rule=\"evenodd\"/>\n"
        }
        let lows = [v.min() ?? 0] + br, highs = br + [v.max() ?? 0], ky = my + mh + 2
        for k in 0..<5 {
            let kx = mx + Double(k) * 25
            o += "<rect x=\"\(n(kx))\" y=\"\(n(ky))\" width=\"5\" height=\"3.2\" fill=\"\(ramp[k])\" stroke=\"#777777\" stroke-width=\"0.15\"/>"
            o += "<text x=\"\(n(kx + 6))\" y=\"\(n(ky + 2.7))\" font-size=\"2.3\">\(Fmt.number(lows[k]))–\(Fmt.number(highs[k]))</text>\n"
        }
        return o
    }

    /// The borough's ratios per group, then the method note and the caveat on residents.
    func ratioTable(x tx: Double, y ty: Double, w tw: Double) -> String {
        let n = SVG.n, x = SVG.x
        let cols: [(String, Double, String)] = [("Group", 0, "start"), ("Searches", 0.33, "end"), ("Residents", 0.5, "end"),
                                                ("per 1,000", 0.63, "end"), ("× White", 0.76, "end"), ("95 % CI", 1.0, "end")]
        var o = "<text x=\"\(n(tx))\" y=\"\(n(ty - 3))\" font-size=\"3.0\" font-weight=\"bold\">\(x(ratioTitle))</text>\n"
        var y = ty + 2
        if ratios.isEmpty {
            o += "<text x=\"\(n(tx))\" y=\"\(n(y))\" font-size=\"2.4\">No residents by group given (--population-by-group): no ratios.</text>\n"
        } else {
            for (t, f, a) in cols { o += "<text x=\"\(n(tx + tw * f))\" y=\"\(n(y))\" font-size=\"2.3\" font-weight=\"bold\" text-anchor=\"\(a)\">\(x(t))</text>" }
            o += "<line x1=\"\(n(tx))\" y1=\"\(n(y + 0.9))\" x2=\"\(n(tx + tw))\" y2=\"\(n(y + 0.9))\" stroke=\"#000000\" stroke-width=\"0.2\"/>\n"
            for r in ratios {
                y += 3.4
                for (c, (_, f, a)) in zip([r.group, r.searches, r.residents, r.rate, r.ratio, r.interval], cols) {
                    o += "<text x=\"\(n(tx + tw * f))\" y=\"\(n(y))\" font-size=\"2.3\" text-anchor=\"\(a)\">\(x(c))</text>"
                }
                o += "\n"
            }
        }
        y += 4.5
        for line in SVG.wrap(ratioNote, width: tw, size: 2.2) { o += "<text x=\"\(n(tx))\" y=\"\(n(y))\" font-size=\"2.2\" fill=\"#333333\">\(x(line))</text>\n"; y += 2.9 }
        y += 1.2
        for line in SVG.wrap(caveat, width: tw, size: 2.5, bold: true) {
            o += "<text x=\"\(n(tx))\" y=\"\(n(y))\" font-size=\"2.5\" font-weight=\"bold\">\(x(line))</text>\n"; y += 3.2
        }
        return o
    }

    /// "12.3 %", "<0.1 %" for a share that would round to 0.0.
    func share(_ v: Int, _ total: Int) -> String {
        let p = 100 * Double(v) / Double(total)
        return p > 0 && p < 0.05 ? "<0.1 %" : Fmt.fixed(p, 1) + " %"
    }

    /// `s` cut with an ellipsis to fit `width` mm at `size` mm.
    func fit(_ s: String, _ width: Double, _ size: Double) -> String {
        guard FontMetrics.width(s, size: size, bold: false) > width else { return s }
        var t = s
        while t.count > 1 && FontMetrics.width(t + "…", size: size, bold: false) > width { t.removeLast() }
        return t + "…"
    }
}
