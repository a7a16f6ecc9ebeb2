import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// How the grid was chosen, reported back to the user and into the metadata.
public struct GridChoice: Sendable, Codable {
    public var grid: SquareGrid
    /// "fixed" or the rule's name.
    public var cellSizeSource: String
    /// "boundary" or "incidents".
    public var extentSource: String
    public var clipped: Bool
}

/// Grid counts over the study area, with the cells kept after an optional clip to the boundary.
public struct GridProduct: Sendable {
    /// The grid's extent: `--extent` when given (incidents outside it are kept for neighbourhoods and densities),
    /// else the boundary's, else the incidents'.
    public static func studyExtent(_ inc: IncidentTable, boundary: LoadedLayer?, extent: Extent?) throws -> (Extent, String) {
        if let extent { return (extent, "extent") }
        let bExt = boundary?.areas.extent
        guard let ext = bExt ?? inc.extent else { throw GridError.emptyExtent }
        return (ext, bExt == nil ? "incidents" : "boundary")
    }

    /// The rule's cell size, refused when the extent has no width or height (one point, one line).
    static func derivedSize(_ rule: CellSizeRule, _ ext: Extent) throws -> Double {
        let c = rule.cellSize(for: ext)
        guard c > 0, c.isFinite else { throw GridError.singlePoint }
        return c
    }

    public var choice: GridChoice
    public var counts: GridCounts
    /// Indices of the cells written (all cells, or those touching the boundary when clipped).
    public var cells: [Int]
    /// The weighted sum's column: `harm` with a harm table (`--weights`), else `weighted_count`.
    public var weightedColumn = "weighted_count"

    /// Chooses the grid (extent from the boundary or the incidents; cell size fixed or by rule), bins, clips.
    /// Address space a grid product takes per cell at its peak: counts, a surface or statistics, a mask and each
    /// kept cell's polygon and properties while its layers and map are written. Measured as VmPeak of `grid`, `kde`
    /// and `gistar` at 20 m against 40 m cells over the demo's extent (272,104 against 68,026 cells, release build,
    /// under `ulimit -v`): 3.2 KB per cell for each of the three; 4 KB leaves room (issue 21: 512 B let a grid pass
    /// the check and die in an allocation).
    public static let bytesPerCell = 4096
    /// What emerging hot spot analysis adds per cell and time step (the space-time cube's counts, Gi* z and p, bins
    /// and the trend series): measured 233 B per cell-step at 40 against 80 m cells over 15 months; 256 B.
    public static let bytesPerCellStep = 256

    public static func compute(_ inc: IncidentTable, cellSize: Double?, rule: CellSizeRule = .sfhotspot,
                               boundary: LoadedLayer?, clip: Bool, cellLimit: Int, extent: Extent? = nil) throws -> GridProduct {
        let (ext, extentSource) = try studyExtent(inc, boundary: boundary, extent: extent)
        let c = try cellSize ?? derivedSize(rule, ext)
        let grid = try SquareGrid(covering: ext, cellSize: c, cellLimit: cellLimit)
        try MemoryLimit.check(need: grid.cellCount * bytesPerCell, for: "a grid of \(Fmt.counted(grid.cellCount, "cell")) of \(Fmt.number(c)) m",
                              fix: "a larger --cell or a smaller --extent")
        let counts = binPoints(x: inc.x, y: inc.y, weights: inc.weight, grid: grid)
        var cells = Array(0..<grid.cellCount)
        if clip, let b = boundary {
            cells = try cellsTouching(b, grid: grid)
        }
        return GridProduct(choice: GridChoice(grid: grid, cellSizeSource: cellSize == nil ? rule.rawValue : "fixed",
                                              extentSource: extentSource,
                                              clipped: clip && boundary != nil),
                           counts: counts, cells: cells, weightedColumn: inc.weightedColumn)
    }

    /// Cells whose square intersects any area of the layer.
    static func cellsTouching(_ layer: LoadedLayer, grid: SquareGrid) throws -> [Int] {
        try cellsTouching(layer, count: grid.cellCount) { grid.cellPolygon($0) }
    }

    /// Per cell: does it touch the boundary? (The mask of `--clip` for surfaces and statistics.)
    static func mask(_ layer: LoadedLayer, grid: SquareGrid) throws -> [Bool] {
        var m = [Bool](repeating: false, count: grid.cellCount)
        for k in try cellsTouching(layer, grid: grid) { m[k] = true }
        return m
    }

    /// Cells (any shape) that intersect any area of the layer (GEOS intersects).
    static func cellsTouching(_ layer: LoadedLayer, count: Int, cell: (Int) -> MultiPolygon) throws -> [Int] {
        let ctx = try GEOSContext()
        // Prepared areas (GEOS prepared intersects: the same answer, indexed) and a bounding-box test first.
        let prepared = try layer.areas.map { try PreparedGeometry(try GEOSGeometry(ctx, $0.geometry)) }
        let boxes = layer.areas.map(\.geometry.extent)
        return try (0..<count).filter { k in
            let poly = cell(k)
            guard let e = poly.extent else { return false }
            let near = boxes.indices.filter { i in boxes[i].map { $0.minX <= e.maxX && e.minX <= $0.maxX && $0.minY <= e.maxY && e.minY <= $0.maxY } ?? false }
            guard !near.isEmpty else { return false }
            let c = try GEOSGeometry(ctx, poly)
            return near.contains { prepared[$0].intersects(c) }
        }
    }

    /// One row per written cell: id, col, row, easting/northing of the centre (EPSG:27700), count, weighted count
    /// (`harm` with a harm table).
    public var table: Table {
        let g = choice.grid
        var t = Table(columns: ["id", "col", "row", "easting", "northing", "count", weightedColumn])
        t.rows = cells.map { k in
            let c = g.centre(index: k)
            return [.string(g.cellID(k)), .int(k % g.ncols), .int(k / g.ncols), .double(c.x, decimals: 1),
                    .double(c.y, decimals: 1), .int(Int(counts.counts[k])), .double(counts.weighted[k], decimals: nil)]
        }
        return t
    }

    public var geometries: [MultiPolygon] {
        cells.map { choice.grid.cellPolygon($0) }
    }
}

/// Counts per hexagon over the study area.
public struct HexProduct: Sendable {
    public var grid: HexGrid
    public var counts: GridCounts
    public var cells: [Int]
    public var cellSizeSource: String
    /// The weighted sum's column: `harm` with a harm table (`--weights`), else `weighted_count`.
    public var weightedColumn = "weighted_count"

    public static func compute(_ inc: IncidentTable, size: Double?, rule: CellSizeRule, orientation: HexOrientation,
                               boundary: LoadedLayer?, clip: Bool, cellLimit: Int, extent: Extent? = nil) throws -> HexProduct {
        let (ext, _) = try GridProduct.studyExtent(inc, boundary: boundary, extent: extent)
        let d = try size ?? GridProduct.derivedSize(rule, ext)
        let hex = try HexGrid(covering: ext, size: d, orientation: orientation, cellLimit: cellLimit)
        try MemoryLimit.check(need: hex.cellCount * GridProduct.bytesPerCell, for: "a grid of \(Fmt.counted(hex.cellCount, "hexagon")) of \(Fmt.number(d)) m",
                              fix: "a larger --cell or a smaller --extent")
        let counts = binPoints(x: inc.x, y: inc.y, weights: inc.weight, hex: hex)
        var cells = Array(0..<hex.cellCount)
        if clip, let b = boundary { cells = try GridProduct.cellsTouching(b, count: hex.cellCount) { hex.cellPolygon($0) } }
        else {
            // Without a clip, keep the hexagons that reach the extent.
            cells = cells.filter { k in
                let c = hex.centre(index: k), r = hex.radius
                return c.x + r >= ext.minX && c.x - r <= ext.maxX && c.y + r >= ext.minY && c.y - r <= ext.maxY
            }
        }
        return HexProduct(grid: hex, counts: counts, cells: cells, cellSizeSource: size == nil ? rule.rawValue : "fixed",
                          weightedColumn: inc.weightedColumn)
    }

    public var table: Table {
        var t = Table(columns: ["id", "col", "row", "easting", "northing", "count", weightedColumn])
        t.rows = cells.map { k in
            let c = grid.centre(index: k)
            return [.string(grid.cellID(k)), .int(grid.col0 + k % grid.ncols), .int(grid.row0 + k / grid.ncols),
                    .double(c.x, decimals: 1), .double(c.y, decimals: 1), .int(Int(counts.counts[k])),
                    .double(counts.weighted[k], decimals: nil)]
        }
        return t
    }

    public var geometries: [MultiPolygon] { cells.map { grid.cellPolygon($0) } }
}
