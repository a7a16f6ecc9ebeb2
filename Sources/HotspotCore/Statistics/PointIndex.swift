/// A uniform bucket grid over points, for neighbour searches that would otherwise compare every pair: k nearest
/// neighbours by expanding rings of buckets, and fixed-distance bands from the 3 × 3 buckets around a point. Results
/// are exactly the brute force's (distance, then index, for ties), in O(n · k) expected time instead of O(n² log n).
public struct PointIndex: Sendable {
    let x: [Double], y: [Double]
    let x0: Double, y0: Double, size: Double
    let ncols: Int, nrows: Int
    /// Points of bucket b: members[start[b] ..< start[b + 1]].
    let start: [Int], members: [Int32]

    /// Buckets of `size` metres (default: about two points a bucket over the points' extent).
    public init(x: [Double], y: [Double], size: Double? = nil) {
        self.x = x; self.y = y
        let minX = x.min() ?? 0, maxX = x.max() ?? 0, minY = y.min() ?? 0, maxY = y.max() ?? 0
        let area = max(maxX - minX, 1) * max(maxY - minY, 1)
        var s = size ?? (2 * area / Double(max(1, x.count))).squareRoot()
        // At most about 4 million buckets, whatever the size asked for.
        s = max(s, (area / 4e6).squareRoot(), 1e-9)
        x0 = minX; y0 = minY; self.size = s
        let nc = Int((max(maxX - minX, 0) / s).rounded(.down)) + 1, nr = Int((max(maxY - minY, 0) / s).rounded(.down)) + 1
        ncols = nc; nrows = nr
        var count = [Int](repeating: 0, count: nc * nr + 1)
        let b = x.indices.map { i in min(Int((y[i] - minY) / s), nr - 1) * nc + min(Int((x[i] - minX) / s), nc - 1) }
        for k in b { count[k + 1] += 1 }
        for k in 1..<count.count { count[k] += count[k - 1] }
        var fill = count, m = [Int32](repeating: 0, count: x.count)
        for i in x.indices { m[fill[b[i]]] = Int32(i); fill[b[i]] += 1 }
        start = count; members = m
    }

    func bucket(_ i: Int) -> (c: Int, r: Int) {
        (min(Int((x[i] - x0) / size), ncols - 1), min(Int((y[i] - y0) / size), nrows - 1))
    }

    /// The `k` nearest other points of point `i`, by (squared distance, index).
    public func nearest(_ i: Int, k: Int) -> [Int] {
        let (c, r) = bucket(i)
        var cand: [(Double, Int)] = []
        var ring = 0
        while true {
            for rr in (r - ring)...(r + ring) where rr >= 0 && rr < nrows {
                for cc in (c - ring)...(c + ring) where cc >= 0 && cc < ncols {
                    guard abs(rr - r) == ring || abs(cc - c) == ring else { continue }
                    let b = rr * ncols + cc
                    for m in members[start[b]..<start[b + 1]] where Int(m) != i {
                        let j = Int(m), dx = x[j] - x[i], dy = y[j] - y[i]
                        cand.append((dx * dx + dy * dy, j))
                    }
                }
            }
            let covered = ring >= max(ncols, nrows)
            if cand.count >= k || covered {
                cand.sort { ($0.0, $0.1) < ($1.0, $1.1) }
                if cand.count > k { cand.removeLast(cand.count - k) }
                // Any point in the next ring is at least ring · size away.
                let bound = Double(ring) * size
                if covered || (cand.count == k && bound * bound > cand[k - 1].0) { return cand.map(\.1) }
            }
            ring += 1
        }
    }

    /// The other points within `d` of point `i` (distance ≤ d), by index.
    public func within(_ i: Int, distance d: Double) -> [Int] {
        let (c, r) = bucket(i)
        let reach = Int((d / size).rounded(.up))
        var out: [Int] = []
        for rr in max(0, r - reach)...min(nrows - 1, r + reach) {
            for cc in max(0, c - reach)...min(ncols - 1, c + reach) {
                let b = rr * ncols + cc
                for m in members[start[b]..<start[b + 1]] where Int(m) != i {
                    let j = Int(m), dx = x[j] - x[i], dy = y[j] - y[i]
                    if dx * dx + dy * dy <= d * d { out.append(j) }
                }
            }
        }
        return out.sorted()
    }
}

extension Neighbourhood {
    /// Points within `distance` of each other (self included), through a bucket index.
    public static func distanceBand(x: [Double], y: [Double], distance d: Double) -> Neighbourhood {
        let index = PointIndex(x: x, y: y, size: max(d, 1e-9))
        return Neighbourhood(lists: x.indices.map { index.within($0, distance: d) })
    }
}
