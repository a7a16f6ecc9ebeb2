import Foundation
import HotspotCore
import HotspotIO

/// A rectangle on the page (millimetres, y down as in SVG).
public struct PageRect: Sendable, Equatable {
    public var x: Double, y: Double, w: Double, h: Double
    public init(x: Double, y: Double, w: Double, h: Double) { self.x = x; self.y = y; self.w = w; self.h = h }
    public var maxX: Double { x + w }
    public var maxY: Double { y + h }
    public var centre: XY { XY(x + w / 2, y + h / 2) }
    public func intersects(_ o: PageRect) -> Bool { x < o.maxX && o.x < maxX && y < o.maxY && o.y < maxY }
    public func contains(_ o: PageRect) -> Bool { o.x >= x && o.y >= y && o.maxX <= maxX && o.maxY <= maxY }
    public func inset(_ d: Double) -> PageRect { PageRect(x: x + d, y: y + d, w: w - 2 * d, h: h - 2 * d) }
    /// The point of the rectangle nearest to `p`.
    public func nearest(to p: XY) -> XY { XY(min(max(p.x, x), maxX), min(max(p.y, y), maxY)) }
}

/// One placer for every label of a map (area names, hotspot ids, context names): candidate positions per feature,
/// tried in order of priority (highest first, then in the order given); a label is placed at the first candidate whose
/// box lies inside the frame and overlaps no placed label and no obstacle (north arrow, scale bar, point symbols).
/// Labels that may move away from their feature (`leader`) are then tried on rings of positions around it, joined to
/// it by a leader line; a label with no free position is dropped and reported. Greedy placement by priority is the
/// standard cartographic heuristic (Imhof 1975 for the order of point positions; Christensen, Marks & Shieber 1995
/// for the greedy scheme).
public struct LabelPlacer: Sendable {
    /// Where a label may go.
    public enum Anchor: Sendable {
        /// Inside an area: label centres to try, best first (page mm).
        case area([XY])
        /// Beside a small feature's box (hotspot polygons): its edges, then around it.
        case beside(PageRect)
        /// Beside a point symbol of radius `clearance` mm: the eight positions of Imhof's order.
        case point(XY, clearance: Double)
        /// Along lines (page mm), best first: rotated to their longest nearly straight stretches, where the text fits.
        case line([[XY]])
    }
    public struct Request: Sendable {
        public var text: String
        /// Font size, mm.
        public var size: Double
        public var bold: Bool
        public var italic: Bool
        public var colour: String
        /// Higher first: focus areas > hotspots > wards > context.
        public var priority: Int
        public var anchor: Anchor
        /// May be moved away from its feature with a leader line.
        public var leader: Bool
        /// The layer it belongs to (the SVG group, and the drop report).
        public var layer: String
        public init(text: String, size: Double, bold: Bool = false, italic: Bool = false, colour: String = "#111111", priority: Int,
                    anchor: Anchor, leader: Bool = false, layer: String) {
            self.text = text; self.size = size; self.bold = bold; self.italic = italic; self.colour = colour
            self.priority = priority; self.anchor = anchor; self.leader = leader; self.layer = layer
        }
    }
    public struct Placed: Sendable {
        public var request: Int
        /// The text's anchor point (SVG `x`, `y` with `text-anchor="middle"`: centre of the baseline).
        public var x: Double, y: Double
        /// Rotation in degrees about (x, y), clockwise on the page; 0 for horizontal text.
        public var rotation: Double
        /// The box the label claims (halo included; for rotated text, the bounding box of the rotated box).
        public var box: PageRect
        /// A leader line from the feature to the label, when it was moved away.
        public var leader: (from: XY, to: XY)?
    }

    /// The map frame: every label box lies inside it (less `margin`).
    public var frame: PageRect
    /// Boxes no label may cover.
    public var obstacles: [PageRect]
    public var margin = 0.6

    public init(frame: PageRect, obstacles: [PageRect] = []) { self.frame = frame; self.obstacles = obstacles }

    /// The box of horizontal `text` centred on `x` with its baseline at `y`, halo included.
    public static func box(_ text: String, size: Double, bold: Bool, x: Double, y: Double) -> PageRect {
        let w = FontMetrics.width(text, size: size, bold: bold), halo = haloWidth(size) / 2
        return PageRect(x: x - w / 2 - halo, y: y - FontMetrics.top * size - halo, w: w + 2 * halo, h: (FontMetrics.top + FontMetrics.descent) * size + 2 * halo)
    }
    /// The white halo's stroke width around text of `size` mm.
    public static func haloWidth(_ size: Double) -> Double { size * 0.28 }

    /// Places `requests`; returns the labels placed (in request order) and the indices of those dropped.
    public func place(_ requests: [Request]) -> (placed: [Placed], dropped: [Int]) {
        let order = requests.indices.sorted { (requests[$0].priority, -$0) > (requests[$1].priority, -$1) }
        var taken = obstacles
        var placed: [Placed] = [], dropped: [Int] = []
        let inner = frame.inset(margin)
        func free(_ b: PageRect) -> Bool { inner.contains(b) && !taken.contains { $0.intersects(b) } }
        // A label beside one feature (a hotspot id) must not sit on another such feature, where it would name the wrong one.
        let besides: [(Int, PageRect)] = requests.indices.compactMap { if case .beside(let b) = requests[$0].anchor { return ($0, b) }; return nil }
        func clear(_ i: Int, _ b: PageRect) -> Bool { !besides.contains { $0.0 != i && $0.1.intersects(b) } }
        for i in order {
            let r = requests[i]
            let own = candidates(r).first { free($0.box) && clear(i, $0.box) }
            let moved = r.leader ? (displaced(r).first { free($0.box) && clear(i, $0.box) } ?? displaced(r).first { free($0.box) }) : nil
            if let p = own ?? moved {
                taken.append(p.box)
                placed.append(Placed(request: i, x: p.x, y: p.y, rotation: p.rotation, box: p.box, leader: p.leader))
            } else {
                dropped.append(i)
            }
        }
        return (placed.sorted { $0.request < $1.request }, dropped.sorted())
    }

    typealias Candidate = (x: Double, y: Double, rotation: Double, box: PageRect, leader: (from: XY, to: XY)?)

    /// A horizontal label centred on `c` (its box's centre).
    func centred(_ r: Request, _ c: XY) -> Candidate {
        // Baseline so that the box (top … descent) is centred on c.
        let y = c.y + (FontMetrics.top - FontMetrics.descent) * r.size / 2
        return (c.x, y, 0, Self.box(r.text, size: r.size, bold: r.bold, x: c.x, y: y), nil)
    }

    /// A horizontal label whose box touches `p` from direction (dx, dy) ∈ {-1, 0, 1}²: (1, 0) starts right of p.
    func beside(_ r: Request, _ p: XY, dx: Double, dy: Double, gap: Double) -> Candidate {
        let probe = centred(r, XY(0, 0)).box
        let cx = p.x + dx * (probe.w / 2 + gap), cy = p.y + dy * (probe.h / 2 + gap)
        return centred(r, XY(cx, cy))
    }

    func candidates(_ r: Request) -> [Candidate] {
        switch r.anchor {
        case .area(let points):
            return points.map { centred(r, $0) }
        case .point(let p, let clearance):
            // Imhof's order: right, upper right, lower right, left, upper left, lower left, above, below.
            let s = 0.7071
            return [(1, 0), (s, -s), (s, s), (-1, 0), (-s, -s), (-s, s), (0, -1), (0, 1)].map {
                beside(r, p, dx: $0.0, dy: $0.1, gap: clearance + 0.4)
            }
        case .beside(let b):
            let c = b.centre
            return [XY(b.maxX, c.y), XY(b.maxX, b.y), XY(c.x, b.y), XY(b.x, c.y), XY(c.x, b.maxY), XY(b.maxX, b.maxY), XY(b.x, b.y), XY(b.x, b.maxY)]
                .map { p in
                    let dx = p.x == b.maxX ? 1.0 : p.x == b.x ? -1.0 : 0, dy = p.y == b.y ? -1.0 : p.y == b.maxY ? 1.0 : 0
                    return beside(r, p, dx: dx, dy: dy, gap: 0.5)
                }
        case .line(let lines):
            return lines.flatMap { alongLine(r, $0) }
        }
    }

    /// Positions further away, joined to the feature by a leader line: rings at 4, 7, 10 and 14 mm, 12 directions.
    func displaced(_ r: Request) -> [Candidate] {
        let from: XY
        switch r.anchor {
        case .area(let ps): guard let p = ps.first else { return [] }; from = p
        case .beside(let b): from = b.centre
        case .point(let p, _): from = p
        case .line: return []
        }
        var out: [Candidate] = []
        for radius in [4.0, 7.0, 10.0, 14.0] {
            for k in 0..<12 {
                let a = Double(k) * .pi / 6
                var c = centred(r, XY(from.x + radius * cos(a), from.y - radius * sin(a)))
                c.leader = (from, c.box.nearest(to: from))
                out.append(c)
            }
        }
        return out
    }

    /// Rotated labels along the longest nearly straight stretches of a line (bends under 20° merged), where the
    /// text fits with a margin; upright (rotation within ±90°).
    func alongLine(_ r: Request, _ pts: [XY]) -> [Candidate] {
        guard pts.count >= 2 else { return [] }
        let w = FontMetrics.width(r.text, size: r.size, bold: r.bold)
        var runs: [(a: Int, b: Int, length: Double)] = []
        var start = 0, length = 0.0
        func heading(_ i: Int) -> Double { atan2(pts[i + 1].y - pts[i].y, pts[i + 1].x - pts[i].x) }
        for i in 0..<(pts.count - 1) {
            let seg = hypot(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y)
            if i > start {
                var turn = abs(heading(i) - heading(start))
                if turn > .pi { turn = 2 * .pi - turn }
                if turn > 20 * .pi / 180 { runs.append((start, i, length)); start = i; length = 0 }
            }
            length += seg
        }
        runs.append((start, pts.count - 1, length))
        var out: [Candidate] = []
        for run in runs.sorted(by: { $0.length > $1.length }) where run.length >= w * 1.15 {
            let a = pts[run.a], b = pts[run.b]
            var angle = atan2(b.y - a.y, b.x - a.x) * 180 / .pi
            if angle > 90 { angle -= 180 } else if angle < -90 { angle += 180 }
            for t in [0.5, 0.3, 0.7] {
                let c = XY(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
                // Baseline just below the line's centre so that the text sits on the road.
                let rad = angle * .pi / 180, lift = (FontMetrics.top - FontMetrics.descent) * r.size / 2
                let x = c.x - sin(rad) * lift, y = c.y + cos(rad) * lift
                let h = Self.box(r.text, size: r.size, bold: r.bold, x: 0, y: 0)
                // Bounding box of the rotated box (corners rotated about the anchor).
                let corners = [XY(h.x, h.y), XY(h.maxX, h.y), XY(h.x, h.maxY), XY(h.maxX, h.maxY)].map { p in
                    XY(x + p.x * cos(rad) - p.y * sin(rad), y + p.x * sin(rad) + p.y * cos(rad))
                }
                let minX = corners.map(\.x).min()!, maxX = corners.map(\.x).max()!, minY = corners.map(\.y).min()!, maxY = corners.map(\.y).max()!
                out.append((x, y, angle, PageRect(x: minX, y: minY, w: maxX - minX, h: maxY - minY), nil))
            }
        }
        return out
    }
}

/// Points inside a polygon from which to try a label, best first: the given point (GEOS point on surface), then
/// points of a 9 × 9 lattice over the polygon's largest part that lie inside it, the furthest from its edges
/// first (a coarse pole of inaccessibility; Mapbox polylabel, 2016, refines the same idea).
public enum LabelCandidates {
    public static func inside(_ g: MultiPolygon, first: XY?) -> [XY] {
        var out: [XY] = first.map { [$0] } ?? []
        guard let part = g.polygons.max(by: { $0.area < $1.area }) else { return out }
        let e = part.extent
        var lattice: [(XY, Double)] = []
        for i in 1...9 {
            for j in 1...9 {
                let p = XY(e.minX + e.width * Double(i) / 10, e.minY + e.height * Double(j) / 10)
                guard contains(part, p) else { continue }
                lattice.append((p, edgeDistance(part, p)))
            }
        }
        out += lattice.sorted { ($0.1, $0.0.x, $0.0.y) > ($1.1, $1.0.x, $1.0.y) }.prefix(30).map(\.0)
        return out
    }

    /// Even-odd ray casting over every ring.
    static func contains(_ p: Polygon, _ q: XY) -> Bool {
        var inside = false
        for r in [p.exterior] + p.holes where r.count > 2 {
            var j = r.count - 1
            for i in 0..<r.count {
                if (r[i].y > q.y) != (r[j].y > q.y), q.x < (r[j].x - r[i].x) * (q.y - r[i].y) / (r[j].y - r[i].y) + r[i].x { inside.toggle() }
                j = i
            }
        }
        return inside
    }

    static func edgeDistance(_ p: Polygon, _ q: XY) -> Double {
        var best = Double.infinity
        for r in [p.exterior] + p.holes where r.count > 1 {
            for i in 0..<(r.count - 1) {
                let a = r[i], b = r[i + 1]
                let dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy
                let t = l2 > 0 ? max(0, min(1, ((q.x - a.x) * dx + (q.y - a.y) * dy) / l2)) : 0
                best = min(best, hypot(q.x - a.x - t * dx, q.y - a.y - t * dy))
            }
        }
        return best
    }
}
