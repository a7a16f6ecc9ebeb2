/// A square grid anchored on the origin of its CRS (for EPSG:27700, the British National Grid false origin), so
/// that cell edges lie at whole multiples of the cell size and grids of the same cell size always line up.
///
/// Cells are half-open, `[x0 + col·c, x0 + (col+1)·c) × [y0 + row·c, y0 + (row+1)·c)`; **row 0 is the southern
/// row**; cell ids are `c{col}_{row}`; cells are stored row-major from the south-west (`index = row·ncols + col`).
/// These are the conventions of `../shared/reference` (x0 = ⌊xmin/c⌋·c, ncols = ⌊(xmax − x0)/c⌋ + 1).
public struct SquareGrid: Sendable, Equatable, Codable {
    /// South-west corner of cell (0, 0), metres.
    public let x0: Double, y0: Double
    /// Cell edge, metres.
    public let cellSize: Double
    public let ncols: Int, nrows: Int

    public init(x0: Double, y0: Double, cellSize: Double, ncols: Int, nrows: Int) {
        self.x0 = x0; self.y0 = y0; self.cellSize = cellSize; self.ncols = ncols; self.nrows = nrows
    }

    /// The grid covering `extent`, anchored at multiples of `cellSize`.
    /// - Throws: `GridError.tooManyCells` above `cellLimit` cells, `.invalidCellSize` for a non-positive size.
    public init(covering extent: Extent, cellSize c: Double, cellLimit: Int = Limits.defaultMaxCells) throws {
        guard c > 0, c.isFinite else { throw GridError.invalidCellSize(c) }
        guard [extent.minX, extent.minY, extent.maxX, extent.maxY].allSatisfy({ $0.isFinite && abs($0) < 1e9 }) else {
            throw GridError.extentOutOfRange
        }
        let x0 = (extent.minX / c).rounded(.down) * c
        let y0 = (extent.minY / c).rounded(.down) * c
        let nc = ((extent.maxX - x0) / c).rounded(.down) + 1
        let nr = ((extent.maxY - y0) / c).rounded(.down) + 1
        guard nc * nr <= Double(cellLimit) else {
            throw GridError.tooManyCells(cells: nc * nr < 9e18 ? Int(nc * nr) : Int.max, limit: cellLimit, cellSize: c,
                                         suggested: SquareGrid.smallestCellSize(for: extent, cellLimit: cellLimit))
        }
        self.init(x0: x0, y0: y0, cellSize: c, ncols: Int(nc), nrows: Int(nr))
    }

    public var cellCount: Int { ncols * nrows }
    public var extent: Extent {
        Extent(minX: x0, minY: y0, maxX: x0 + Double(ncols) * cellSize, maxY: y0 + Double(nrows) * cellSize)
    }

    /// Column of a coordinate, `⌊(x − x0)/c⌋` (may be outside 0..<ncols).
    @inlinable public func column(_ x: Double) -> Int { floorInt((x - x0) / cellSize) }
    @inlinable public func row(_ y: Double) -> Int { floorInt((y - y0) / cellSize) }

    /// Row-major index of the cell holding (x, y), or nil outside the grid.
    @inlinable public func index(x: Double, y: Double) -> Int? {
        let c = column(x), r = row(y)
        guard c >= 0, c < ncols, r >= 0, r < nrows else { return nil }
        return r * ncols + c
    }

    public func centre(col: Int, row: Int) -> (x: Double, y: Double) {
        (x0 + (Double(col) + 0.5) * cellSize, y0 + (Double(row) + 0.5) * cellSize)
    }
    public func centre(index: Int) -> (x: Double, y: Double) { centre(col: index % ncols, row: index / ncols) }

    /// Corners of a cell, counter-clockwise from the south-west.
    public func ring(index: Int) -> [(Double, Double)] {
        let c = index % ncols, r = index / ncols
        let xa = x0 + Double(c) * cellSize, ya = y0 + Double(r) * cellSize
        let xb = xa + cellSize, yb = ya + cellSize
        return [(xa, ya), (xb, ya), (xb, yb), (xa, yb), (xa, ya)]
    }

    /// Cell `index` as a polygon value (counter-clockwise square), for dissolving, clipping and export.
    public func cellPolygon(_ index: Int) -> MultiPolygon {
        MultiPolygon([Polygon(exterior: ring(index: index).map { XY($0.0, $0.1) })])
    }

    /// A cell's id says where it is: `E{easting}N{northing}` of its south-west corner in metres (e.g.
    /// `E533900N170600`), so the same place has the same id in every run, week and product of the same cell size,
    /// whatever the extent (col/row count from each run's own origin).
    public func cellID(_ index: Int) -> String {
        func m(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
        return "E\(m(x0 + Double(index % ncols) * cellSize))N\(m(y0 + Double(index / ncols) * cellSize))"
    }

    /// Smallest multiple of 10 m giving at most `cellLimit` cells over `extent`, counted as `init(covering:)`
    /// counts them (origin on a multiple of the cell size, one more column and row than the span): the size the
    /// error message suggests, which must fit.
    static func smallestCellSize(for e: Extent, cellLimit: Int) -> Double {
        func cells(_ c: Double) -> Double {
            let x0 = (e.minX / c).rounded(.down) * c, y0 = (e.minY / c).rounded(.down) * c
            return (((e.maxX - x0) / c).rounded(.down) + 1) * (((e.maxY - y0) / c).rounded(.down) + 1)
        }
        let raw = ((e.width * e.height) / Double(cellLimit)).squareRoot()
        var c = max(10, (raw / 10).rounded(.up) * 10)
        while c < 1e9 && cells(c) > Double(cellLimit) { c += 10 }
        return min(1e9, c)
    }
}

public enum GridError: Error, Equatable, CustomStringConvertible {
    case invalidCellSize(Double)
    case tooManyCells(cells: Int, limit: Int, cellSize: Double, suggested: Double)
    case emptyExtent
    case extentOutOfRange
    case singlePoint

    public var description: String {
        switch self {
        case .invalidCellSize(let c): return "cell size must be a positive number of metres (got \(c))"
        case let .tooManyCells(n, limit, c, s):
            return "a \(Int(c)) m grid over this extent has \(n) cells, above the limit of \(limit); "
                + "use a larger --cell (≥ \(Int(s)) m fits), raise --max-cells, or keep only the occupied cells with --sparse (grid, kde, gistar)"
        case .emptyExtent: return "no incidents to analyse (none accepted, e.g. every row failed its date, coordinate or weight check, or none selected by --type/--from/--to: hotspot inspect FILE says why) and no --boundary or --extent to lay the grid on"
        case .extentOutOfRange: return "the grid extent has coordinates beyond ±1,000,000 km: check the boundary's and the incidents' CRS"
        case .singlePoint: return "the incidents all lie at one point, so no cell size can be derived from their extent; give --cell METRES or a --boundary"
        }
    }
}

/// Default cell-size rules. Each returns metres and is reported back to the user.
public enum CellSizeRule: String, Sendable, Codable, CaseIterable {
    /// sfhotspot: the shorter side of the extent / 50, rounded down to a multiple of 100 m; if that is 0, side / 50.
    case sfhotspot
    /// ArcGIS Pro Kernel Density: the shorter side of the extent / 250.
    case arcgis

    public func cellSize(for e: Extent) -> Double {
        let side = min(e.width, e.height)
        switch self {
        case .sfhotspot:
            let c = ((side / 50) / 100).rounded(.down) * 100
            return c > 0 ? c : side / 50
        case .arcgis:
            return side / 250
        }
    }
}

/// ⌈v⌉ and ⌊v⌋ as integers without a libm call (on baseline x86-64 `rounded(.up/.down)` is a call to ceil/floor):
/// the same integers as `Int(v.rounded(.up))` and `Int(v.rounded(.down))` for every v an `Int` can hold.
@inlinable @inline(__always) public func ceilInt(_ v: Double) -> Int { let t = Int(v); return Double(t) < v ? t + 1 : t }
@inlinable @inline(__always) public func floorInt(_ v: Double) -> Int { let t = Int(v); return Double(t) > v ? t - 1 : t }
