/// Any simple-feature geometry a context layer holds (OGC Simple Features, flattened to 2D): points, lines or
/// polygons. Multi-part geometries keep every part; collections are split by kind (a feature is one kind).
public enum FeatureGeometry: Sendable, Equatable {
    case points([XY])
    case lines([[XY]])
    case polygons(MultiPolygon)
    case empty

    /// Every coordinate, in order (for projecting a whole layer in one batch).
    public var coordinates: [XY] {
        switch self {
        case .points(let p): return p
        case .lines(let ls): return ls.flatMap { $0 }
        case .polygons(let m): return m.rings.flatMap { $0 }
        case .empty: return []
        }
    }

    /// The same geometry with its coordinates replaced, in `coordinates` order.
    public func replacing(_ xy: ArraySlice<XY>) -> FeatureGeometry {
        var i = xy.startIndex
        func take(_ n: Int) -> [XY] { defer { i += n }; return Array(xy[i..<(i + n)]) }
        switch self {
        case .points(let p): return .points(take(p.count))
        case .lines(let ls): return .lines(ls.map { take($0.count) })
        case .polygons(let m):
            return .polygons(MultiPolygon(m.polygons.map { p in Polygon(exterior: take(p.exterior.count), holes: p.holes.map { take($0.count) }) }))
        case .empty: return .empty
        }
    }

    public var extent: Extent? {
        let c = coordinates
        guard !c.isEmpty else { return nil }
        return Extent(x: c.map(\.x), y: c.map(\.y))
    }
}
