/// An axis-aligned box: minimum and maximum x (longitude or easting) and y.
public struct BBox: Sendable, Equatable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double
    public init(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    public static let empty = BBox(.infinity, .infinity, -.infinity, -.infinity)
    public var isEmpty: Bool { !(minX <= maxX && minY <= maxY) }
    public func intersects(_ o: BBox) -> Bool { !isEmpty && !o.isEmpty && minX <= o.maxX && o.minX <= maxX && minY <= o.maxY && o.minY <= maxY }
    public func contains(_ x: Double, _ y: Double) -> Bool { x >= minX && x <= maxX && y >= minY && y <= maxY }
    public mutating func add(_ x: Double, _ y: Double) {
        guard x.isFinite, y.isFinite else { return }
        minX = Swift.min(minX, x); minY = Swift.min(minY, y); maxX = Swift.max(maxX, x); maxY = Swift.max(maxY, y)
    }
    public mutating func add(_ b: BBox) {
        guard !b.isEmpty else { return }
        add(b.minX, b.minY); add(b.maxX, b.maxY)
    }
}

/// A simple-features geometry as GeoJSON has them (no GeometryCollection), coordinates in flat arrays.
/// `rings` holds the point count of each line or ring in order; `polygons` the ring count of each polygon of a
/// MultiPolygon (a Polygon is one polygon of `rings.count` rings).
public struct Geometry: Sendable, Equatable {
    public enum Kind: String, Sendable { case point = "Point", multiPoint = "MultiPoint", lineString = "LineString"
        case multiLineString = "MultiLineString", polygon = "Polygon", multiPolygon = "MultiPolygon" }
    public var kind: Kind
    public var x: [Double], y: [Double]
    public var rings: [Int]
    public var polygons: [Int]

    public init(kind: Kind, x: [Double], y: [Double], rings: [Int] = [], polygons: [Int] = []) {
        self.kind = kind; self.x = x; self.y = y; self.rings = rings; self.polygons = polygons
    }

    public var bbox: BBox {
        var b = BBox.empty
        for i in x.indices { b.add(x[i], y[i]) }
        return b
    }

    /// From a GeoJSON geometry object; nil for `null`; throws for anything malformed or a GeometryCollection.
    public static func from(json: JSON) throws -> Geometry? {
        if case .null = json { return nil }
        guard let type = json["type"]?.stringValue, let kind = Kind(rawValue: type) else {
            throw LayerError.malformed("a geometry of type \(json["type"]?.text ?? "(none)") (only Point, LineString, Polygon and their Multi forms are served)")
        }
        guard let c = json["coordinates"]?.arrayValue else { throw LayerError.malformed("a \(type) without coordinates") }
        var g = Geometry(kind: kind, x: [], y: [])
        func pos(_ p: JSON) throws {
            guard let a = p.arrayValue, a.count >= 2, let x = a[0].doubleValue, let y = a[1].doubleValue else {
                throw LayerError.malformed("a position that is not [x, y]")
            }
            g.x.append(x); g.y.append(y)
        }
        func line(_ l: JSON) throws {
            guard let a = l.arrayValue else { throw LayerError.malformed("a line that is not an array of positions") }
            for p in a { try pos(p) }
            g.rings.append(a.count)
        }
        func poly(_ p: JSON) throws -> Int {
            guard let a = p.arrayValue else { throw LayerError.malformed("a polygon that is not an array of rings") }
            for r in a { try line(r) }
            return a.count
        }
        switch kind {
        case .point: try pos(.array(c))
        case .multiPoint: for p in c { try pos(p) }
        case .lineString: try line(.array(c))
        case .multiLineString: for l in c { try line(l) }
        case .polygon: _ = try poly(.array(c))
        case .multiPolygon: for p in c { g.polygons.append(try poly(p)) }
        }
        return g
    }

    /// GeoJSON geometry object text with `decimals` places (nil: shortest round-trip text).
    public func write(into out: inout [UInt8], decimals: Int?) {
        out.append(contentsOf: "{\"type\":\"".utf8)
        out.append(contentsOf: kind.rawValue.utf8)
        out.append(contentsOf: "\",\"coordinates\":".utf8)
        var k = 0
        func pos() {
            out.append(UInt8(ascii: "["))
            if let d = decimals { JSONWriter.fixed(x[k], d, into: &out) } else { out.append(contentsOf: JSONWriter.number(x[k]).utf8) }
            out.append(UInt8(ascii: ","))
            if let d = decimals { JSONWriter.fixed(y[k], d, into: &out) } else { out.append(contentsOf: JSONWriter.number(y[k]).utf8) }
            out.append(UInt8(ascii: "]"))
            k += 1
        }
        var r = 0
        func line() {
            out.append(UInt8(ascii: "["))
            for j in 0..<rings[r] { if j > 0 { out.append(UInt8(ascii: ",")) }; pos() }
            out.append(UInt8(ascii: "]"))
            r += 1
        }
        func lines(_ n: Int) {
            out.append(UInt8(ascii: "["))
            for j in 0..<n { if j > 0 { out.append(UInt8(ascii: ",")) }; line() }
            out.append(UInt8(ascii: "]"))
        }
        switch kind {
        case .point: pos()
        case .multiPoint:
            out.append(UInt8(ascii: "["))
            for j in x.indices { if j > 0 { out.append(UInt8(ascii: ",")) }; pos() }
            out.append(UInt8(ascii: "]"))
        case .lineString: line()
        case .multiLineString, .polygon: lines(rings.count)
        case .multiPolygon:
            out.append(UInt8(ascii: "["))
            for (j, n) in polygons.enumerated() { if j > 0 { out.append(UInt8(ascii: ",")) }; lines(n) }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Whether the geometry meets the box (touching counts): a point inside it, an edge crossing it, or — for
    /// polygons — the box inside a polygon.
    public func intersects(_ box: BBox) -> Bool {
        guard bbox.intersects(box) else { return false }
        switch kind {
        case .point, .multiPoint: return x.indices.contains { box.contains(x[$0], y[$0]) }
        case .lineString, .multiLineString, .polygon, .multiPolygon:
            var start = 0
            for n in rings {
                for j in 0..<n where box.contains(x[start + j], y[start + j]) { return true }
                if n >= 2 {
                    for j in 1..<n where Self.segment(x[start + j - 1], y[start + j - 1], x[start + j], y[start + j], meets: box) { return true }
                }
                start += n
            }
            guard kind == .polygon || kind == .multiPolygon else { return false }
            // No edge meets the box and no vertex is inside it: the box is wholly inside a polygon or outside all.
            return containsPoint((box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2)
        }
    }

    /// Even-odd point in polygon(s) over every ring (holes included).
    public func containsPoint(_ px: Double, _ py: Double) -> Bool {
        var inside = false
        var start = 0
        var ringIndex = 0
        let groups: [Int] = kind == .multiPolygon ? polygons : [rings.count]
        for g in groups {
            var polyInside = false
            for _ in 0..<g {
                let n = rings[ringIndex]
                var j = n - 1
                for i in 0..<n {
                    let xi = x[start + i], yi = y[start + i], xj = x[start + j], yj = y[start + j]
                    if (yi > py) != (yj > py), px < (xj - xi) * (py - yi) / (yj - yi) + xi { polyInside.toggle() }
                    j = i
                }
                start += n; ringIndex += 1
            }
            if polyInside { inside = true }
        }
        return inside
    }

    /// Liang–Barsky clipping: does the segment meet the (closed) box?
    static func segment(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, meets b: BBox) -> Bool {
        var t0 = 0.0, t1 = 1.0
        let dx = x1 - x0, dy = y1 - y0
        for (p, q) in [(-dx, x0 - b.minX), (dx, b.maxX - x0), (-dy, y0 - b.minY), (dy, b.maxY - y0)] {
            if p == 0 { if q < 0 { return false }; continue }
            let r = q / p
            if p < 0 { if r > t1 { return false }; if r > t0 { t0 = r } } else { if r < t0 { return false }; if r < t1 { t1 = r } }
        }
        return true
    }
}
