import Foundation
import HotspotIO

/// Charts for print evidence (SVG, mm units, the maps' font), readable in black-and-white: series differ by dash
/// pattern and marker shape as well as by grey level, bars by fill and hatching, and values are labelled.
public struct LineChart: Sendable {
    public enum Marker: String, Sendable, CaseIterable { case circle, square, triangle, diamond, cross }
    public struct Series: Sendable {
        public var name: String, values: [Double?], dash: String?, marker: Marker, colour: String
        public init(name: String, values: [Double?], dash: String? = nil, marker: Marker = .circle, colour: String = "#000000") {
            self.name = name; self.values = values; self.dash = dash; self.marker = marker; self.colour = colour
        }
    }
    /// Black-and-white styles, in order: solid/circle, dashed/square, dotted/triangle, dash-dot/diamond, long dash/cross,
    /// then dash-dot-dot/triangle, fine dots/square and long dash/circle in other greys (eight before they repeat).
    public static let styles: [(dash: String?, marker: Marker, colour: String)] = [
        (nil, .circle, "#000000"), ("3 1.5", .square, "#404040"), ("0.8 1", .triangle, "#606060"), ("3 1 0.8 1", .diamond, "#202020"), ("5 2", .cross, "#808080"),
        ("4 1 0.8 1 0.8 1", .triangle, "#000000"), ("0.4 0.8", .square, "#202020"), ("6 1.5", .circle, "#909090"),
    ]
    public var title: String
    public var yLabel: String
    /// X-axis labels (months), one per value.
    public var categories: [String]
    public var series: [Series]
    public var width = 170.0, height = 80.0
    /// A vertical line before category `index` (e.g. a change date), labelled.
    public var divider: (index: Int, label: String)?
    public init(title: String, yLabel: String, categories: [String], series: [Series]) {
        self.title = title; self.yLabel = yLabel; self.categories = categories; self.series = series
    }

    /// Series styled in turn by `styles`.
    public static func styled(_ named: [(String, [Double?])]) -> [Series] {
        named.enumerated().map { i, s in
            let st = styles[i % styles.count]
            return Series(name: s.0, values: s.1, dash: st.dash, marker: st.marker, colour: st.colour)
        }
    }

    public func svg() -> String {
        // The last category's label, centred on the right edge when it is drawn, must not be clipped (about 0.7 mm a
        // character at 2.3 mm type: half of it beyond the edge).
        let every = max(1, Int((Double(max(1, categories.count)) / 14).rounded(.up)))
        let lastDrawn = categories.count > 1 && (categories.count - 1) % every == 0
        let left = 14.0, right = max(4.0, lastDrawn ? 0.69 * Double(categories.last?.count ?? 0) + 0.3 : 4.0), top = 10.0
        let pw = width - left - right, columns = legendColumns(plotWidth: pw)
        let legendH = 5.0 * Double((series.count + columns - 1) / columns), bottom = 14.0 + legendH, ph = height - top - bottom
        let maxV = max(1, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let (step, top0) = Chart.niceAxis(maxV)
        let n = max(1, categories.count)
        func x(_ i: Int) -> Double { left + (n == 1 ? pw / 2 : pw * Double(i) / Double(n - 1)) }
        func y(_ v: Double) -> Double { top + ph * (1 - v / top0) }
        var s = Chart.header(width, height, title)
        s += "<text x=\"\(Chart.n(left))\" y=\"5\" font-size=\"3.4\" font-weight=\"bold\">\(Chart.x(title))</text>\n"
        // Axes and grid.
        s += Chart.gridLines(left: left, width: pw, step: step, top: top0, y: y)
        s += "<line x1=\"\(Chart.n(left))\" y1=\"\(Chart.n(top + ph))\" x2=\"\(Chart.n(left + pw))\" y2=\"\(Chart.n(top + ph))\" stroke=\"#000000\" stroke-width=\"0.3\"/>"
        s += "<line x1=\"\(Chart.n(left))\" y1=\"\(Chart.n(top))\" x2=\"\(Chart.n(left))\" y2=\"\(Chart.n(top + ph))\" stroke=\"#000000\" stroke-width=\"0.3\"/>\n"
        s += "<text transform=\"translate(3.2 \(Chart.n(top + ph / 2))) rotate(-90)\" font-size=\"2.6\" text-anchor=\"middle\">\(Chart.x(yLabel))</text>\n"
        for (i, c) in categories.enumerated() where i % every == 0 {
            s += "<text x=\"\(Chart.n(x(i)))\" y=\"\(Chart.n(top + ph + 4))\" font-size=\"2.3\" text-anchor=\"middle\">\(Chart.x(c))</text>"
        }
        s += "\n"
        if let d = divider, d.index > 0, d.index < n {
            let dx = (x(d.index - 1) + x(d.index)) / 2
            s += "<line x1=\"\(Chart.n(dx))\" y1=\"\(Chart.n(top))\" x2=\"\(Chart.n(dx))\" y2=\"\(Chart.n(top + ph))\" stroke=\"#000000\" stroke-width=\"0.3\" stroke-dasharray=\"1 1\"/>"
            s += "<text x=\"\(Chart.n(dx + 1))\" y=\"\(Chart.n(top + 3))\" font-size=\"2.4\">\(Chart.x(d.label))</text>\n"
        }
        for se in series {
            var path = "", pen = false
            for (i, val) in se.values.enumerated() {
                guard let val else { pen = false; continue }
                path += "\(pen ? "L" : "M")\(Chart.n(x(i))) \(Chart.n(y(val)))"
                pen = true
            }
            s += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(se.colour)\" stroke-width=\"0.5\"\(se.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            for (i, val) in se.values.enumerated() { if let val { s += Chart.marker(se.marker, x(i), y(val), se.colour) } }
            s += "\n"
        }
        // Legend: as many per row as the longest name allows (three at most).
        for (k, se) in series.enumerated() {
            let lx = left + Double(k % columns) * (pw / Double(columns)), ly = height - legendH + 2 + Double(k / columns) * 5
            s += "<line x1=\"\(Chart.n(lx))\" y1=\"\(Chart.n(ly))\" x2=\"\(Chart.n(lx + 8))\" y2=\"\(Chart.n(ly))\" stroke=\"\(se.colour)\" stroke-width=\"0.5\"\(se.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            s += Chart.marker(se.marker, lx + 4, ly, se.colour)
            s += "<text x=\"\(Chart.n(lx + 10))\" y=\"\(Chart.n(ly + 0.9))\" font-size=\"2.5\">\(Chart.x(se.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Legend entries per row: three, or fewer when the longest name (about 1.4 mm a character at 2.5 mm type, plus
    /// the 10 mm sample) would run into the next column.
    func legendColumns(plotWidth pw: Double) -> Int {
        let longest = Double(series.map(\.name.count).max() ?? 0)
        let need = 10 + 1.4 * longest + 3
        return max(1, min(3, Int(pw / need)))
    }
}

/// Grouped bars (e.g. March–September windows per year, for each zone), fills distinguishable in black-and-white.
public struct BarChart: Sendable {
    public var title: String, yLabel: String
    /// Groups along the x axis (e.g. years) and the bars in each (e.g. zones), values[group][bar].
    public var groups: [String], bars: [String], values: [[Double]]
    public var width = 170.0, height = 75.0
    public init(title: String, yLabel: String, groups: [String], bars: [String], values: [[Double]]) {
        self.title = title; self.yLabel = yLabel; self.groups = groups; self.bars = bars; self.values = values
    }
    static let fills = ["#000000", "#ffffff", "#8c8c8c", "url(#hatch)", "#d0d0d0"]

    public func svg() -> String {
        let left = 14.0, right = 4.0, top = 10.0, bottom = 20.0
        let pw = width - left - right, ph = height - top - bottom
        let (step, top0) = Chart.niceAxis(max(1, values.flatMap { $0 }.max() ?? 1))
        func y(_ v: Double) -> Double { top + ph * (1 - v / top0) }
        var s = Chart.header(width, height, title)
        s += "<defs><pattern id=\"hatch\" width=\"1.6\" height=\"1.6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1.6\" stroke=\"#000000\" stroke-width=\"0.5\"/></pattern></defs>\n"
        s += "<text x=\"\(Chart.n(left))\" y=\"5\" font-size=\"3.4\" font-weight=\"bold\">\(Chart.x(title))</text>\n"
        s += Chart.gridLines(left: left, width: pw, step: step, top: top0, y: y)
        s += "<text transform=\"translate(3.2 \(Chart.n(top + ph / 2))) rotate(-90)\" font-size=\"2.6\" text-anchor=\"middle\">\(Chart.x(yLabel))</text>\n"
        let gw = pw / Double(max(1, groups.count)), bw = gw * 0.8 / Double(max(1, bars.count))
        for (g, name) in groups.enumerated() {
            for (b, _) in bars.enumerated() {
                let val = values[g][b], bx = left + Double(g) * gw + gw * 0.1 + Double(b) * bw
                s += "<rect x=\"\(Chart.n(bx))\" y=\"\(Chart.n(y(val)))\" width=\"\(Chart.n(bw * 0.92))\" height=\"\(Chart.n(top + ph - y(val)))\" fill=\"\(Self.fills[b % Self.fills.count])\" stroke=\"#000000\" stroke-width=\"0.25\"/>"
                s += "<text x=\"\(Chart.n(bx + bw * 0.46))\" y=\"\(Chart.n(y(val) - 0.8))\" font-size=\"2.2\" text-anchor=\"middle\">\(Fmt.number(val))</text>"
            }
            s += "<text x=\"\(Chart.n(left + Double(g) * gw + gw / 2))\" y=\"\(Chart.n(top + ph + 4))\" font-size=\"2.5\" text-anchor=\"middle\">\(Chart.x(name))</text>\n"
        }
        s += "<line x1=\"\(Chart.n(left))\" y1=\"\(Chart.n(top + ph))\" x2=\"\(Chart.n(left + pw))\" y2=\"\(Chart.n(top + ph))\" stroke=\"#000000\" stroke-width=\"0.3\"/>\n"
        for (b, name) in bars.enumerated() {
            let lx = left + Double(b % 3) * (pw / 3), ly = height - 9 + Double(b / 3) * 5
            s += "<rect x=\"\(Chart.n(lx))\" y=\"\(Chart.n(ly - 2))\" width=\"5\" height=\"3\" fill=\"\(Self.fills[b % Self.fills.count])\" stroke=\"#000000\" stroke-width=\"0.25\"/>"
            s += "<text x=\"\(Chart.n(lx + 7))\" y=\"\(Chart.n(ly + 0.6))\" font-size=\"2.5\">\(Chart.x(name))</text>\n"
        }
        return s + "</svg>\n"
    }
}

enum Chart {
    static func n(_ v: Double) -> String { Fmt.fixed(v, 2) }
    static func x(_ s: String) -> String { SVG.x(s) }
    /// Horizontal grid lines every `step` from 0 to `top`, each labelled at the left of the plot.
    static func gridLines(left: Double, width: Double, step: Double, top: Double, y: (Double) -> Double) -> String {
        var s = "", v = 0.0
        while v <= top + 1e-9 {
            s += "<line x1=\"\(n(left))\" y1=\"\(n(y(v)))\" x2=\"\(n(left + width))\" y2=\"\(n(y(v)))\" stroke=\"#cccccc\" stroke-width=\"0.15\"/>"
            s += "<text x=\"\(n(left - 1))\" y=\"\(n(y(v) + 0.9))\" font-size=\"2.4\" text-anchor=\"end\">\(Fmt.number(v))</text>\n"
            v += step
        }
        return s
    }
    static func header(_ w: Double, _ h: Double, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(w))mm\" height=\"\(n(h))mm\" viewBox=\"0 0 \(n(w)) \(n(h))\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" role=\"img\"><title>\(x(title))</title><rect width=\"\(n(w))\" height=\"\(n(h))\" fill=\"#ffffff\"/>\n"
    }
    /// A round axis step (1, 2 or 5 × 10^k) giving about five lines, and the axis top (a multiple of it ≥ `maxV`).
    static func niceAxis(_ maxV: Double) -> (step: Double, top: Double) {
        let raw = maxV / 5
        let mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let s = max(step, 1)
        return (s, (maxV / s).rounded(.up) * s)
    }
    static func marker(_ m: LineChart.Marker, _ cx: Double, _ cy: Double, _ colour: String) -> String {
        let r = 0.9
        switch m {
        case .circle: return "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(colour)\"/>"
        case .square: return "<rect x=\"\(n(cx - r))\" y=\"\(n(cy - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\" fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"0.35\"/>"
        case .triangle: return "<path d=\"M\(n(cx)) \(n(cy - r * 1.2))L\(n(cx + r)) \(n(cy + r * 0.8))L\(n(cx - r)) \(n(cy + r * 0.8))Z\" fill=\"\(colour)\"/>"
        case .diamond: return "<path d=\"M\(n(cx)) \(n(cy - r * 1.2))L\(n(cx + r)) \(n(cy))L\(n(cx)) \(n(cy + r * 1.2))L\(n(cx - r)) \(n(cy))Z\" fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"0.35\"/>"
        case .cross: return "<path d=\"M\(n(cx - r)) \(n(cy - r))L\(n(cx + r)) \(n(cy + r))M\(n(cx - r)) \(n(cy + r))L\(n(cx + r)) \(n(cy - r))\" stroke=\"\(colour)\" stroke-width=\"0.4\"/>"
        }
    }
}

extension LineChart {
    /// The chart drawn into a page at (x, y) mm, scaled to `width` mm with its height set to fill `height` mm: its SVG
    /// body in a translated, scaled group.
    public func embedded(x: Double, y: Double, width: Double, height: Double) -> String {
        var chart = self
        let k = width / chart.width
        chart.height = height / k
        let svg = chart.svg()
        guard let start = svg.range(of: "<svg"), let open = svg.range(of: ">", range: start.upperBound..<svg.endIndex),
              let close = svg.range(of: "</svg>", options: .backwards) else { return "" }
        return "<g transform=\"translate(\(SVG.n(x)) \(SVG.n(y))) scale(\(SVG.n(k)))\">" + svg[open.upperBound..<close.lowerBound] + "</g>\n"
    }
}
