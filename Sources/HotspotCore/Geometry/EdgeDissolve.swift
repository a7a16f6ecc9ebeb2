/// Dissolves polygons that tile the plane edge to edge (grid cells, hexagons): every edge shared by two of them,
/// traversed once in each direction, cancels, and the remaining edges are chained into rings. Exact for cells built
/// from the same vertices (no tolerance, no GEOS), linear in the number of edges. Rings come out in input order, so
/// the result is deterministic; exteriors and holes are not told apart, which an even-odd fill (maps) does not need.
public func dissolveEdgeToEdge(_ parts: [MultiPolygon]) -> [[XY]] {
    struct Key: Hashable { let ax: UInt64, ay: UInt64, bx: UInt64, by: UInt64 }
    func key(_ a: XY, _ b: XY) -> Key { Key(ax: a.x.bitPattern, ay: a.y.bitPattern, bx: b.x.bitPattern, by: b.y.bitPattern) }
    var edges: [(XY, XY)] = []
    var index: [Key: Int] = [:]
    var alive: [Bool] = []
    for mp in parts {
        for ring in mp.rings where ring.count > 3 {
            for i in 0..<(ring.count - 1) {
                let a = ring[i], b = ring[i + 1]
                if a == b { continue }
                if let j = index[key(b, a)], alive[j] {  // the neighbour's edge, the other way round: interior
                    alive[j] = false
                    index[key(b, a)] = nil
                    continue
                }
                index[key(a, b)] = edges.count
                edges.append((a, b))
                alive.append(true)
            }
        }
    }
    // Chain: from each vertex, the unused edges that start there, in input order.
    var from: [XY: [Int]] = [:]
    for (k, e) in edges.enumerated() where alive[k] { from[e.0, default: []].append(k) }
    var rings: [[XY]] = []
    for k in edges.indices where alive[k] {
        var ring = [edges[k].0]
        var e = k
        while alive[e] {
            alive[e] = false
            let end = edges[e].1
            ring.append(end)
            guard let next = from[end]?.first(where: { alive[$0] }) else { break }
            e = next
        }
        if ring.count > 3 { rings.append(ring) }
    }
    return rings
}
