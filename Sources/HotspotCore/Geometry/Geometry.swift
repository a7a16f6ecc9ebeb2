/// A coordinate pair: (easting, northing) in metres for a projected CRS, (longitude, latitude) for EPSG:4326.
public struct XY: Sendable, Equatable, Hashable, Codable {
    public var x: Double, y: Double
    @inlinable public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// A polygon as a value: one exterior ring and any holes. Rings are closed (first point repeated last).
public struct Polygon: Sendable, Equatable, Codable {
    public var exterior: [XY]
    public var holes: [[XY]]
    public init(exterior: [XY], holes: [[XY]] = []) { self.exterior = exterior; self.holes = holes }

    /// Twice the signed area of a ring (shoelace formula): positive when counter-clockwise.
    public static func signedArea2(_ ring: [XY]) -> Double {
        guard ring.count > 2 else { return 0 }
        var s = 0.0
        for i in 0..<(ring.count - 1) { s += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y }
        return s
    }

    /// Area in square units of the CRS (m² for EPSG:27700): exterior minus holes.
    public var area: Double {
        abs(Polygon.signedArea2(exterior)) / 2 - holes.reduce(0) { $0 + abs(Polygon.signedArea2($1)) / 2 }
    }

    /// The same polygon with the RFC 7946 winding: exterior counter-clockwise, holes clockwise.
    public var rightHandRule: Polygon {
        func orient(_ r: [XY], ccw: Bool) -> [XY] { (Polygon.signedArea2(r) > 0) == ccw ? r : r.reversed() }
        return Polygon(exterior: orient(exterior, ccw: true), holes: holes.map { orient($0, ccw: false) })
    }

    public var extent: Extent {
        Extent(x: exterior.map(\.x), y: exterior.map(\.y)) ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0)
    }
}

/// One or more polygons: every area (ward, LSOA, hotspot) is a multipolygon value.
public struct MultiPolygon: Sendable, Equatable, Codable {
    public var polygons: [Polygon]
    public init(_ polygons: [Polygon]) { self.polygons = polygons }
    public var area: Double { polygons.reduce(0) { $0 + $1.area } }
    public var extent: Extent? {
        polygons.map(\.extent).reduce(nil) { acc, e in acc.map { $0.union(e) } ?? e }
    }
    public var rightHandRule: MultiPolygon { MultiPolygon(polygons.map(\.rightHandRule)) }
    /// Every ring (exteriors and holes), for edge walks.
    public var rings: [[XY]] { polygons.flatMap { [$0.exterior] + $0.holes } }
    public var vertexCount: Int { rings.reduce(0) { $0 + $1.count } }
}

/// A named area of a polygon layer (ward, LSOA, study boundary).
public struct Area: Sendable, Equatable {
    /// Identifier, e.g. an ONS code (E05… ward, E01… LSOA).
    public var id: String
    public var name: String
    public var geometry: MultiPolygon
    public init(id: String, name: String, geometry: MultiPolygon) {
        self.id = id; self.name = name; self.geometry = geometry
    }
}

extension Sequence where Element == MultiPolygon {
    /// Bounding box of all the geometries, or nil when there are none (or all are empty).
    public var extent: Extent? { compactMap(\.extent).reduce(nil as Extent?) { a, e in a.map { $0.union(e) } ?? e } }
}

extension Sequence where Element == Area {
    /// Bounding box of a layer's areas, or nil when it has none.
    public var extent: Extent? { map(\.geometry).extent }
}
