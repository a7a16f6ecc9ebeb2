/// Marching squares over cell-centre values: the region where value ≥ `level`, as polygons (exterior rings
/// counter-clockwise, holes clockwise), with linear interpolation along square edges. The grid is padded with
/// NoData, so every contour closes (at the outer cells it runs halfway to the next centre, i.e. along the cell edge).
/// Saddles are resolved by the mean of the four corners (above the level: the high corners join).
public func isobands(values: [Double], grid: SquareGrid, level: Double) -> MultiPolygon {
    let nr = grid.nrows + 2, nc = grid.ncols + 2  // padded
    func v(_ i: Int, _ j: Int) -> Double {
        let r = i - 1, c = j - 1
        guard r >= 0, r < grid.nrows, c >= 0, c < grid.ncols else { return .nan }
        return values[r * grid.ncols + c]
    }
    func inside(_ x: Double) -> Bool { !x.isNaN && x >= level }
    func centre(_ i: Int, _ j: Int) -> XY {
        XY(grid.x0 + (Double(j - 1) + 0.5) * grid.cellSize, grid.y0 + (Double(i - 1) + 0.5) * grid.cellSize)
    }
    // An edge crossing is keyed by its lower/left corner and its direction (0 = east, 1 = north).
    func key(_ i: Int, _ j: Int, _ dir: Int) -> Int { (i * nc + j) * 2 + dir }
    func point(_ i: Int, _ j: Int, _ dir: Int) -> XY {
        let a = centre(i, j), b = dir == 0 ? centre(i, j + 1) : centre(i + 1, j)
        let va = v(i, j), vb = dir == 0 ? v(i, j + 1) : v(i + 1, j)
        var t = 0.5
        if va.isFinite && vb.isFinite && va != vb { t = min(1, max(0, (level - va) / (vb - va))) }
        return XY(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
    }
    var next: [Int: Int] = [:]
    for i in 0..<(nr - 1) {
        for j in 0..<(nc - 1) {
            // Corners counter-clockwise: bl, br, tr, tl; edges bottom, right, top, left.
            let cv = [v(i, j), v(i, j + 1), v(i + 1, j + 1), v(i + 1, j)]
            let ins = cv.map(inside)
            if ins.allSatisfy({ $0 }) || !ins.contains(true) { continue }
            let edges = [key(i, j, 0), key(i, j + 1, 1), key(i + 1, j, 0), key(i, j, 1)]
            var crossings: [(key: Int, exit: Bool)] = []
            for e in 0..<4 where ins[e] != ins[(e + 1) % 4] { crossings.append((edges[e], ins[e])) }
            let finite = cv.filter { !$0.isNaN }
            let centreInside = !finite.isEmpty && inside(finite.reduce(0, +) / Double(finite.count)) && finite.count == 4
            let m = crossings.count
            for (idx, c) in crossings.enumerated() where c.exit {
                // Pair with the next entry (high corners join through the centre) or the previous one.
                let partner = centreInside || m == 2 ? crossings[(idx + 1) % m] : crossings[(idx + m - 1) % m]
                next[c.key] = partner.key
            }
        }
    }
    // Follow the links into rings.
    var rings: [[XY]] = []
    var visited = Set<Int>()
    for start in next.keys.sorted() where !visited.contains(start) {
        var ring: [XY] = []
        var k = start
        while !visited.contains(k), let n = next[k] {
            visited.insert(k)
            let dir = k % 2, cell = k / 2
            ring.append(point(cell / nc, cell % nc, dir))
            k = n
        }
        if ring.count >= 3 { ring.append(ring[0]); rings.append(ring) }
    }
    // Exteriors are counter-clockwise (high on the left); holes go to the smallest exterior holding them.
    var polys = rings.filter { Polygon.signedArea2($0) > 0 }.map { Polygon(exterior: $0) }
    let holes = rings.filter { Polygon.signedArea2($0) < 0 }
    for h in holes {
        let p = h[0]
        var best: Int?
        for (k, poly) in polys.enumerated() where pointInRing(p, poly.exterior) {
            if best == nil || abs(Polygon.signedArea2(poly.exterior)) < abs(Polygon.signedArea2(polys[best!].exterior)) { best = k }
        }
        if let b = best { polys[b].holes.append(h) }
    }
    return MultiPolygon(polys)
}

/// Even-odd test of a point against one closed ring.
public func pointInRing(_ p: XY, _ r: [XY]) -> Bool {
    var c = false
    for i in 0..<(r.count - 1) {
        let a = r[i], b = r[i + 1]
        if (a.y > p.y) != (b.y > p.y), p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) { c.toggle() }
    }
    return c
}
