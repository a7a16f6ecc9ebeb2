import HotspotCore
import HotspotGeo
import HotspotIO

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
    public var choice: GridChoice
    public var counts: GridCounts
    /// Indices of the cells written (all cells, or those touching the boundary when clipped).
    public var cells: [Int]

    /// Chooses the grid (extent from the boundary or the incidents; cell size fixed or by rule), bins, clips.
    public static func compute(_ inc: IncidentTable, cellSize: Double?, rule: CellSizeRule = .sfhotspot,
                               boundary: LoadedLayer?, clip: Bool, cellLimit: Int) throws -> GridProduct {
        let bExt = boundary?.areas.compactMap(\.geometry.extent).reduce(nil as Extent?) { a, e in a.map { $0.union(e) } ?? e }
        guard let ext = bExt ?? inc.extent else { throw GridError.emptyExtent }
        let c = cellSize ?? rule.cellSize(for: ext)
        let grid = try SquareGrid(covering: ext, cellSize: c, cellLimit: cellLimit)
        let counts = binPoints(x: inc.x, y: inc.y, weights: inc.weight, grid: grid)
        var cells = Array(0..<grid.cellCount)
        if clip, let b = boundary {
            cells = try cellsTouching(b, grid: grid)
        }
        return GridProduct(choice: GridChoice(grid: grid, cellSizeSource: cellSize == nil ? rule.rawValue : "fixed",
                                              extentSource: bExt == nil ? "incidents" : "boundary",
                                              clipped: clip && boundary != nil),
                           counts: counts, cells: cells)
    }

    /// Cells whose square intersects any area of the layer (cells wholly inside come from the raster index).
    static func cellsTouching(_ layer: LoadedLayer, grid: SquareGrid) throws -> [Int] {
        let ctx = try GEOSContext()
        let geoms = try layer.areas.map { try GEOSGeometry(ctx, $0.geometry) }
        return try (0..<grid.cellCount).filter { k in
            let r = grid.ring(index: k)
            let cell = try GEOSGeometry(ctx, MultiPolygon([Polygon(exterior: r.map { XY($0.0, $0.1) })]))
            return geoms.contains { $0.intersects(cell) }
        }
    }

    /// One row per written cell: id, col, row, easting/northing of the centre (EPSG:27700), count, weighted count.
    public var table: Table {
        let g = choice.grid
        var t = Table(columns: ["id", "col", "row", "easting", "northing", "count", "weighted_count"])
        t.rows = cells.map { k in
            let c = g.centre(index: k)
            return [.string(g.cellID(k)), .int(k % g.ncols), .int(k / g.ncols), .double(c.x, decimals: 1),
                    .double(c.y, decimals: 1), .int(Int(counts.counts[k])), .double(counts.weighted[k], decimals: nil)]
        }
        return t
    }

    public var geometries: [MultiPolygon] {
        cells.map { k in MultiPolygon([Polygon(exterior: choice.grid.ring(index: k).map { XY($0.0, $0.1) })]) }
    }
}
