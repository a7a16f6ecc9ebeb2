import HotspotCore

/// An SQLite R-tree (the `rtree` module's shadow tables `_node`, `_rowid`, `_parent`) packed in one pass by
/// sort-tile-recursive (STR) order instead of a million single inserts (≈ 26 s for a million cells → ≈ 1 s).
/// The stored coordinates are the module's own: 32-bit floats rounded outwards (`rtreeValueDown`/`Up`), so a query
/// finds the same rows as in a tree built by inserts; only the grouping of entries into nodes differs.
/// Node layout (sqlite/ext/rtree/rtree.c): 2 bytes tree depth (root only), 2 bytes cell count, then per cell an 8-byte
/// id (row id in a leaf, child node number above) and minX, maxX, minY, maxY as 4-byte floats, all big-endian,
/// zero-padded to the node size. The root is node 1.
struct RTreeBulk {
    struct Box { var minX: Float, maxX: Float, minY: Float, maxY: Float }

    /// Node blobs in node-number order (node 1 is the root), each `nodeSize` bytes.
    var nodes: [[UInt8]] = []
    /// (row id, leaf node number) per entry, by row id as given.
    var rowNodes: [(Int64, Int64)] = []
    /// (node number, parent node number) for every node but the root, by node number.
    var parents: [(Int64, Int64)] = []

    /// `rtreeValueDown`: the largest float not above `d`.
    static func down(_ d: Double) -> Float {
        var f = Float(d)
        if Double(f) > d { f = Float(d * (d < 0 ? 1.0 + 1.0 / 8388608.0 : 1.0 - 1.0 / 8388608.0)) }
        return f
    }
    /// `rtreeValueUp`: the smallest float not below `d`.
    static func up(_ d: Double) -> Float {
        var f = Float(d)
        if Double(f) < d { f = Float(d * (d < 0 ? 1.0 - 1.0 / 8388608.0 : 1.0 + 1.0 / 8388608.0)) }
        return f
    }

    /// Packs entries (`ids` ascending, one box each) into nodes of at most `(nodeSize - 4) / 24` cells.
    init(ids: [Int64], boxes: [Box], nodeSize: Int) {
        precondition(ids.count == boxes.count)
        let m = max(2, (nodeSize - 4) / 24)
        guard !ids.isEmpty else { return }
        // Levels from the leaves up: each node as the indices of its entries in the level below (or in `ids`).
        var levels: [[[Int]]] = []
        var levelBoxes: [[Box]] = [boxes]
        while true {
            let groups = RTreeBulk.str(levelBoxes[levelBoxes.count - 1], m: m)
            levels.append(groups)
            let below = levelBoxes[levelBoxes.count - 1]
            let up = groups.map { g in
                g.dropFirst().reduce(below[g[0]]) { b, i in
                    let c = below[i]
                    return Box(minX: min(b.minX, c.minX), maxX: max(b.maxX, c.maxX), minY: min(b.minY, c.minY), maxY: max(b.maxY, c.maxY))
                }
            }
            if groups.count == 1 { break }
            levelBoxes.append(up)
        }
        // Node numbers from the root down, level by level: the root is 1.
        var first: [Int] = Array(repeating: 0, count: levels.count)
        var next = 1
        for l in stride(from: levels.count - 1, through: 0, by: -1) { first[l] = next; next += levels[l].count }
        let depth = levels.count - 1
        rowNodes = Array(repeating: (0, 0), count: ids.count)
        for l in stride(from: levels.count - 1, through: 0, by: -1) {
            let cellBoxes = levelBoxes[l]
            for (n, g) in levels[l].enumerated() {
                let nodeNo = Int64(first[l] + n)
                var blob = [UInt8](repeating: 0, count: nodeSize)
                if l == depth { RTreeBulk.put16(&blob, 0, UInt16(depth)) }
                RTreeBulk.put16(&blob, 2, UInt16(g.count))
                for (c, i) in g.enumerated() {
                    let o = 4 + 24 * c
                    let key = l == 0 ? ids[i] : Int64(first[l - 1] + i)
                    withUnsafeBytes(of: UInt64(bitPattern: key).bigEndian) { for (j, b) in $0.enumerated() { blob[o + j] = b } }
                    let b = cellBoxes[i]
                    for (j, v) in [b.minX, b.maxX, b.minY, b.maxY].enumerated() {
                        withUnsafeBytes(of: v.bitPattern.bigEndian) { for (q, x) in $0.enumerated() { blob[o + 8 + 4 * j + q] = x } }
                    }
                    if l == 0 { rowNodes[i] = (ids[i], nodeNo) } else { parents.append((key, nodeNo)) }
                }
                nodes.append(blob)
            }
        }
        parents.sort { $0.0 < $1.0 }
    }

    private static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) { b[o] = UInt8(v >> 8); b[o + 1] = UInt8(v & 0xff) }

    /// Sort-tile-recursive grouping: ⌈√(n/m)⌉ vertical slices by centre x, each cut into runs of `m` by centre y;
    /// ties broken by position, so the same boxes always give the same groups.
    static func str(_ boxes: [Box], m: Int) -> [[Int]] {
        let n = boxes.count
        let leaves = (n + m - 1) / m
        let slices = Int(Double(leaves).squareRoot().rounded(.up))
        let perSlice = slices * m
        func cx(_ i: Int) -> Double { Double(boxes[i].minX) + Double(boxes[i].maxX) }
        func cy(_ i: Int) -> Double { Double(boxes[i].minY) + Double(boxes[i].maxY) }
        let order = (0..<n).sorted { a, b in cx(a) != cx(b) ? cx(a) < cx(b) : a < b }
        var groups: [[Int]] = []
        groups.reserveCapacity(leaves + slices)
        for s in stride(from: 0, to: n, by: perSlice) {
            let slice = order[s..<min(n, s + perSlice)].sorted { a, b in cy(a) != cy(b) ? cy(a) < cy(b) : a < b }
            for g in stride(from: 0, to: slice.count, by: m) { groups.append(Array(slice[g..<min(slice.count, g + m)])) }
        }
        return groups
    }
}
