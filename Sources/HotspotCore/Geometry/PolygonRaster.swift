/// A coarse raster pre-classification of a polygon layer, so that most points are attributed without an exact
/// geometric test: a cell that no polygon edge crosses lies wholly inside one polygon (or none), and only points in
/// *edge cells* need the exact test (done by the caller, e.g. with GEOS prepared geometries).
///
/// Built in O(vertices + rows × edges): edges are walked in pieces no longer than a cell and the bounding box of each
/// piece is marked (a conservative supercover); the remaining cells are filled by an even-odd scanline through their
/// centres, polygon by polygon.
public struct PolygonRaster: Sendable {
    public static let outside: Int32 = -1
    public static let edge: Int32 = -2

    public let grid: SquareGrid
    /// Per cell: the index of the polygon that wholly contains it, `outside`, or `edge`.
    public let label: [Int32]

    /// - Parameters:
    ///   - areas: polygons in a projected CRS (metres).
    ///   - targetCells: roughly how many raster cells to use (more cells: fewer exact tests, slower build).
    public init(areas: [MultiPolygon], targetCells: Int = 1 << 18) {
        let ext = areas.extent
            ?? Extent(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let side = max(1e-6, ((ext.width * ext.height) / Double(targetCells)).squareRoot())
        let g = SquareGrid(x0: ext.minX - side, y0: ext.minY - side, cellSize: side,
                           ncols: Int((ext.width / side).rounded(.up)) + 3,
                           nrows: Int((ext.height / side).rounded(.up)) + 3)
        var label = [Int32](repeating: PolygonRaster.outside, count: g.cellCount)
        // 1. Edge cells.
        for area in areas {
            for ring in area.rings where ring.count > 1 {
                for i in 0..<(ring.count - 1) {
                    let a = ring[i], b = ring[i + 1]
                    let len = max(abs(b.x - a.x), abs(b.y - a.y))
                    let pieces = max(1, Int((len / side).rounded(.up)))
                    for p in 0..<pieces {
                        let t0 = Double(p) / Double(pieces), t1 = Double(p + 1) / Double(pieces)
                        let ax = a.x + (b.x - a.x) * t0, ay = a.y + (b.y - a.y) * t0
                        let bx = a.x + (b.x - a.x) * t1, by = a.y + (b.y - a.y) * t1
                        // Widen by one cell where the piece touches a cell edge exactly.
                        let c0 = max(0, g.column(min(ax, bx)) - 1), c1 = min(g.ncols - 1, g.column(max(ax, bx)) + 1)
                        let r0 = max(0, g.row(min(ay, by)) - 1), r1 = min(g.nrows - 1, g.row(max(ay, by)) + 1)
                        for r in r0...r1 { for c in c0...c1 { label[r * g.ncols + c] = PolygonRaster.edge } }
                    }
                }
            }
        }
        // 2. Scanline fill of the other cells, through cell centres (even-odd over all rings of a polygon); where
        //    polygons overlap, the lowest index keeps the cell (the same rule as the exact test).
        var xs: [Double] = []
        for (k, area) in areas.enumerated() {
            guard let e = area.extent else { continue }
            let r0 = max(0, g.row(e.minY)), r1 = min(g.nrows - 1, g.row(e.maxY))
            guard r0 <= r1 else { continue }
            for r in r0...r1 {
                let yc = g.y0 + (Double(r) + 0.5) * side
                xs.removeAll(keepingCapacity: true)
                for ring in area.rings where ring.count > 1 {
                    for i in 0..<(ring.count - 1) {
                        let a = ring[i], b = ring[i + 1]
                        if (a.y > yc) != (b.y > yc) {
                            xs.append(a.x + (yc - a.y) / (b.y - a.y) * (b.x - a.x))
                        }
                    }
                }
                xs.sort()
                var j = 0
                while j + 1 < xs.count {
                    // Cells whose centre lies in [xs[j], xs[j+1]).
                    let cStart = max(0, Int(((xs[j] - g.x0) / side - 0.5).rounded(.up)))
                    let cEnd = min(g.ncols - 1, Int(((xs[j + 1] - g.x0) / side - 0.5).rounded(.down)))
                    if cStart <= cEnd {
                        for c in cStart...cEnd where label[r * g.ncols + c] == PolygonRaster.outside {
                            label[r * g.ncols + c] = Int32(k)
                        }
                    }
                    j += 2
                }
            }
        }
        self.grid = g
        self.label = label
    }

    /// Label of the cell holding (x, y); `outside` beyond the raster.
    @inlinable public func lookup(x: Double, y: Double) -> Int32 {
        guard let i = grid.index(x: x, y: y) else { return PolygonRaster.outside }
        return label[i]
    }

    /// Fraction of cells that need an exact test (diagnostic).
    public var edgeFraction: Double {
        Double(label.lazy.filter { $0 == PolygonRaster.edge }.count) / Double(max(1, label.count))
    }
}
