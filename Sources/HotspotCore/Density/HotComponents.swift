/// The connected groups of hot cells on a square grid — the parts that dissolving the cells gives (cells sharing an
/// edge are one part; cells touching only at a corner are two, as in a valid OGC multipolygon) — with each part's
/// peak value, ordered as hotspot polygons are (highest peak first, then larger first).
///
/// Used to track hotspots from one period to the next without building polygons: two parts of successive periods
/// overlap (their dissolved polygons intersect, GEOS's `intersects`) exactly when a cell of one is a cell of the other
/// or shares an edge or a corner with one.
public struct HotComponents: Sendable {
    /// The cells of each part (grid indices, ascending).
    public var cells: [[Int]]
    /// The highest value among each part's cells.
    public var peak: [Double]
    /// The part of each grid cell, or −1.
    public var label: [Int32]
    public let grid: SquareGrid

    /// Parts of the cells `hot` (grid indices) of `grid`, with `values` the surface (one per grid cell).
    public init(hot: [Int], values: [Double], grid: SquareGrid) {
        self.grid = grid
        var label = [Int32](repeating: -1, count: grid.cellCount)
        var isHot = [Bool](repeating: false, count: grid.cellCount)
        for k in hot { isHot[k] = true }
        var parts: [[Int]] = []
        var stack: [Int] = []
        for start in hot.sorted() where label[start] < 0 {
            let id = Int32(parts.count)
            var members: [Int] = []
            label[start] = id; stack.append(start)
            while let k = stack.popLast() {
                members.append(k)
                let c = k % grid.ncols, r = k / grid.ncols
                for (dc, dr) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                    let cc = c + dc, rr = r + dr
                    guard cc >= 0, cc < grid.ncols, rr >= 0, rr < grid.nrows else { continue }
                    let n = rr * grid.ncols + cc
                    if isHot[n] && label[n] < 0 { label[n] = id; stack.append(n) }
                }
            }
            parts.append(members.sorted())
        }
        let peaks = parts.map { p in p.reduce(-Double.infinity) { max($0, values[$1].isNaN ? -Double.infinity : values[$1]) } }
        // Highest peak first, then the larger part, then the lower first cell (a total order: deterministic).
        let order = parts.indices.sorted { (peaks[$0], parts[$0].count, -parts[$0][0]) > (peaks[$1], parts[$1].count, -parts[$1][0]) }
        cells = order.map { parts[$0] }
        peak = order.map { peaks[$0] }
        var relabel = [Int32](repeating: -1, count: parts.count)
        for (new, old) in order.enumerated() { relabel[old] = Int32(new) }
        self.label = label.map { $0 < 0 ? -1 : relabel[Int($0)] }
    }

    public var count: Int { cells.count }

    /// The parts of `other` (on the same grid) that part `k` overlaps or touches (a shared cell, edge or corner),
    /// ascending.
    public func touching(_ k: Int, in other: HotComponents) -> [Int] {
        precondition(grid == other.grid, "parts of different grids")
        var found = Set<Int32>()
        for cell in cells[k] {
            let c = cell % grid.ncols, r = cell / grid.ncols
            for dr in -1...1 {
                for dc in -1...1 {
                    let cc = c + dc, rr = r + dr
                    guard cc >= 0, cc < grid.ncols, rr >= 0, rr < grid.nrows else { continue }
                    let l = other.label[rr * grid.ncols + cc]
                    if l >= 0 { found.insert(l) }
                }
            }
        }
        return found.map(Int.init).sorted()
    }
}
