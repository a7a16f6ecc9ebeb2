import Foundation
import HotspotCore

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

/// A print map in British National Grid, drawn as SVG (vector, editable): a classified fill layer, outlines with
/// haloed labels, optional points, and the furniture a tasking map needs (title, period, parameters, legend with
/// the count per class, scale bar, north arrow, attribution). Geometries are EPSG:27700 metres.
public struct MapDocument: Sendable {
    /// A classified layer: one dissolved geometry per class (nil where the class is empty).
    public struct Fill: Sendable {
        public var classification: Classification
        public var shapes: [MultiPolygon?]
        public init(classification: Classification, shapes: [MultiPolygon?]) { self.classification = classification; self.shapes = shapes }
    }
    /// Outlined polygons with optional labels (ward names, hotspot ids).
    public struct Outline: Sendable {
        public var name: String
        public var geometries: [MultiPolygon]
        public var stroke: String
        public var width: Double
        public var dash: String?
        public var fill: String?
        public var labels: [(at: XY, text: String)]
        public var labelSize: Double
        /// Labels centred on their point (`middle`), or starting just right of and above it (`start`).
        public var labelAnchor: String
        public var labelColour: String
        public init(name: String, geometries: [MultiPolygon], stroke: String, width: Double, dash: String? = nil, fill: String? = nil,
                    labels: [(at: XY, text: String)] = [], labelSize: Double = 2.6, labelAnchor: String = "middle", labelColour: String = "#111111") {
            self.name = name; self.geometries = geometries; self.stroke = stroke; self.width = width; self.dash = dash
            self.fill = fill; self.labels = labels; self.labelSize = labelSize; self.labelAnchor = labelAnchor; self.labelColour = labelColour
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
    public var outlines: [Outline] = []
    public var points: [XY] = []
    /// Legend entries for the outlines (name, stroke colour).
    public var outlineLegend: [(String, String)] = []

    public init(page: MapPage, extent: Extent, title: String, subtitle: String, details: [String], attribution: [String], madeOn: String? = nil) {
        self.page = page; self.extent = extent; self.title = title; self.subtitle = subtitle; self.details = details
        self.attribution = attribution; self.madeOn = madeOn
    }

    struct Layout { var frame: (x: Double, y: Double, w: Double, h: Double); var legend: (x: Double, y: Double, w: Double) }

    var layout: Layout {
        let (w, h) = page.size
        let top = 12 + 6.5 + 5.5 * Double(details.count) + 4
        let bottom = 8 + 3.2 * Double(attribution.count + (madeOn == nil ? 0 : 1))
        if page.orientation == .landscape {
            let lw = 70.0
            return Layout(frame: (10, top, w - 20 - lw - 5, h - top - bottom), legend: (w - 10 - lw, top, lw))
        }
        let lh = 70.0
        return Layout(frame: (10, top, w - 20, h - top - bottom - lh - 5), legend: (10, h - bottom - lh, w - 20))
    }

    /// The SVG document (millimetre user units, deterministic text).
    public func svg() -> String {
        let (W, H) = page.size
        let L = layout, f = L.frame
        // Scale: metres → mm, the extent centred in the frame.
        let padX = extent.width * 0.03 + 1, padY = extent.height * 0.03 + 1
        let e = Extent(minX: extent.minX - padX, minY: extent.minY - padY, maxX: extent.maxX + padX, maxY: extent.maxY + padY)
        let s = min(f.w / e.width, f.h / e.height)
        let ox = f.x + (f.w - e.width * s) / 2, oy = f.y + (f.h - e.height * s) / 2
        func px(_ x: Double) -> Double { ox + (x - e.minX) * s }
        func py(_ y: Double) -> Double { oy + (e.maxY - y) * s }
        func path(_ g: MultiPolygon) -> String {
            var d = ""
            for r in g.rings where r.count > 2 {
                d += "M" + r.map { "\(n(px($0.x))) \(n(py($0.y)))" }.joined(separator: "L") + "Z"
            }
            return d
        }
        var o = SVG.header(width: W, height: H, title: title) + """
        <defs><clipPath id="frame"><rect x="\(n(f.x))" y="\(n(f.y))" width="\(n(f.w))" height="\(n(f.h))"/></clipPath></defs>

        """
        // Title block.
        o += "<text x=\"10\" y=\"15\" font-size=\"6\" font-weight=\"bold\">\(x(title))</text>\n"
        o += "<text x=\"10\" y=\"21.5\" font-size=\"3.6\">\(x(subtitle))</text>\n"
        for (i, d) in details.enumerated() {
            o += "<text x=\"10\" y=\"\(n(27 + 5.5 * Double(i)))\" font-size=\"2.8\" fill=\"#333333\">\(x(d))</text>\n"
        }
        // Map body, clipped to the frame.
        o += "<g clip-path=\"url(#frame)\">\n"
        if let fill {
            o += "<g id=\"\(x(fill.classification.field))\" stroke=\"none\" fill-rule=\"evenodd\">\n"
            for (k, g) in fill.shapes.enumerated() {
                guard let g, k < fill.classification.classes.count else { continue }
                o += "<path fill=\"\(fill.classification.classes[k].fill)\" d=\"\(path(g))\"/>\n"
            }
            o += "</g>\n"
        }
        for l in outlines {
            o += "<g id=\"\(x(l.name))\" fill=\"\(l.fill ?? "none")\" stroke=\"\(l.stroke)\" stroke-width=\"\(n(l.width))\" stroke-linejoin=\"round\""
                + (l.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + " fill-rule=\"evenodd\">\n"
            for g in l.geometries { o += "<path d=\"\(path(g))\"/>\n" }
            o += "</g>\n"
        }
        if !points.isEmpty {
            o += "<g id=\"incidents\" fill=\"#222222\" fill-opacity=\"0.55\">\n"
            for p in points { o += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"0.35\"/>\n" }
            o += "</g>\n"
        }
        // Labels above everything, with a white halo so that they read on any fill.
        for l in outlines where !l.labels.isEmpty {
            o += "<g id=\"\(x(l.name))-labels\" font-size=\"\(n(l.labelSize))\" text-anchor=\"\(l.labelAnchor)\" fill=\"\(l.labelColour)\" "
                + "stroke=\"#ffffff\" stroke-width=\"\(n(l.labelSize * 0.28))\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n"
            let (dx, dy) = l.labelAnchor == "start" ? (0.6, -0.4) : (0, l.labelSize * 0.35)
            for lab in l.labels {
                o += "<text x=\"\(n(px(lab.at.x) + dx))\" y=\"\(n(py(lab.at.y) + dy))\">\(x(lab.text))</text>\n"
            }
            o += "</g>\n"
        }
        o += "</g>\n"
        o += "<rect x=\"\(n(f.x))\" y=\"\(n(f.y))\" width=\"\(n(f.w))\" height=\"\(n(f.h))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"0.3\"/>\n"
        o += northArrow(x: f.x + f.w - 9, y: f.y + 5)
        o += scaleBar(x: f.x + 5, y: f.y + f.h - 6, metresPerMM: 1 / s, maxWidth: min(50, f.w / 3))
        o += legend(L.legend)
        // Attribution and date.
        var y = H - 8 - 3.2 * Double(attribution.count + (madeOn == nil ? 0 : 1)) + 3.2
        if let madeOn { o += "<text x=\"10\" y=\"\(n(y))\" font-size=\"2.3\" fill=\"#333333\">Map made \(x(madeOn))</text>\n"; y += 3.2 }
        for a in attribution { o += "<text x=\"10\" y=\"\(n(y))\" font-size=\"2.3\" fill=\"#333333\">\(x(a))</text>\n"; y += 3.2 }
        return o + "</svg>\n"
    }

    func legend(_ p: (x: Double, y: Double, w: Double)) -> String {
        var o = "<g id=\"legend\" font-size=\"2.8\">\n"
        var y = p.y + 4
        if let c = fill?.classification {
            o += "<text x=\"\(n(p.x))\" y=\"\(n(y))\" font-size=\"3.2\" font-weight=\"bold\">\(x(c.title))</text>\n"
            y += 3
            let present = c.present
            let columns = page.orientation == .portrait && present.count > 6 ? 2 : 1
            let colW = p.w / Double(columns)
            for (i, item) in present.enumerated() {
                let cx = p.x + Double(i % columns) * colW, cy = y + Double(i / columns) * 5
                o += "<rect x=\"\(n(cx))\" y=\"\(n(cy))\" width=\"6\" height=\"3.6\" fill=\"\(item.cls.fill)\" stroke=\"#666666\" stroke-width=\"0.15\"/>\n"
                o += "<text x=\"\(n(cx + 7.5))\" y=\"\(n(cy + 2.8))\">\(x(item.cls.label)) (\(item.cls.count))</text>\n"
            }
            y += Double((present.count + columns - 1) / columns) * 5 + 3
            if present.isEmpty { o += "<text x=\"\(n(p.x))\" y=\"\(n(y))\">(nothing to show)</text>\n"; y += 5 }
        }
        for (name, stroke) in outlineLegend {
            o += "<line x1=\"\(n(p.x))\" y1=\"\(n(y + 1.8))\" x2=\"\(n(p.x + 6))\" y2=\"\(n(y + 1.8))\" stroke=\"\(stroke)\" stroke-width=\"0.6\"/>\n"
            o += "<text x=\"\(n(p.x + 7.5))\" y=\"\(n(y + 2.8))\">\(x(name))</text>\n"
            y += 5
        }
        if !points.isEmpty {
            o += "<circle cx=\"\(n(p.x + 3))\" cy=\"\(n(y + 1.8))\" r=\"0.6\" fill=\"#222222\"/>\n"
            o += "<text x=\"\(n(p.x + 7.5))\" y=\"\(n(y + 2.8))\">Incidents (\(points.count))</text>\n"
        }
        return o + "</g>\n"
    }

    func northArrow(x: Double, y: Double) -> String { SVG.northArrow(x: x, y: y) }
    func scaleBar(x: Double, y: Double, metresPerMM: Double, maxWidth: Double) -> String {
        SVG.scaleBar(x: x, y: y, metresPerMM: metresPerMM, maxWidth: maxWidth)
    }
    func n(_ v: Double) -> String { SVG.n(v) }
    func x(_ s: String) -> String { SVG.x(s) }
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
    static func scaleBar(x: Double, y: Double, metresPerMM: Double, maxWidth: Double) -> String {
        let maxM = maxWidth * metresPerMM
        var len = pow(10, (log10(maxM)).rounded(.down))
        for m in [5.0, 2.0, 1.0] where len * m <= maxM { len *= m; break }
        let w = len / metresPerMM
        func label(_ m: Double) -> String { m >= 1000 ? "\(Fmt.number(m / 1000)) km" : "\(Fmt.number(m)) m" }
        return """
        <g id="scale-bar" font-size="2.4" text-anchor="middle">\
        <rect x="\(n(x - 1.5))" y="\(n(y - 5))" width="\(n(w + 3))" height="\(n(7))" fill="#ffffff" fill-opacity="0.8"/>\
        <rect x="\(n(x))" y="\(n(y))" width="\(n(w / 2))" height="1.2" fill="#111111"/>\
        <rect x="\(n(x + w / 2))" y="\(n(y))" width="\(n(w / 2))" height="1.2" fill="#ffffff" stroke="#111111" stroke-width="0.2"/>\
        <text x="\(n(x))" y="\(n(y - 1))">0</text><text x="\(n(x + w / 2))" y="\(n(y - 1))">\(label(len / 2))</text>\
        <text x="\(n(x + w))" y="\(n(y - 1))">\(label(len))</text></g>

        """
    }

    /// A number for SVG: two decimals, trailing zeros dropped.
    static func n(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// XML text escaping.
    static func x(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
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
        guard let tool = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw OutputError.cannotWrite(svg, "rsvg-convert (Debian package librsvg2-bin) is needed for PNG and PDF maps: run tools/setup, or ask for --map-format svg")
        }
        let out = svg + ".\(format.rawValue).tmp"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-f", format.rawValue, "--dpi-x", "\(dpi)", "--dpi-y", "\(dpi)", "-o", out, svg]
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
