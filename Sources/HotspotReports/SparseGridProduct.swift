import HotspotCore
import HotspotGeo
import HotspotIO

/// Grid counts on the occupied cells only (`--sparse`, `sparse: true`): the grid is laid as the dense one (same
/// origin, cell ids and counts), but memory and output are proportional to the cells holding incidents, so a 100 m
/// grid over England and Wales works. `--max-cells` does not apply; cell polygons are made only for written cells.
public struct SparseGridProduct: Sendable {
    public var choice: GridChoice
    public var counts: SparseGridCounts
    public var weightedColumn = "weighted_count"

    public static func compute(_ inc: IncidentTable, cellSize: Double?, rule: CellSizeRule = .sfhotspot,
                               boundary: LoadedLayer?, extent: Extent? = nil) throws -> SparseGridProduct {
        let choice = try choose(inc, cellSize: cellSize, rule: rule, boundary: boundary, extent: extent)
        let grid = choice.grid
        let counts = PhaseProgress.phase("sparse grid", total: Double(inc.count), unit: "incidents") {
            binPointsSparse(x: inc.x, y: inc.y, weights: inc.weight, grid: grid)
        }
        return SparseGridProduct(choice: choice, counts: counts, weightedColumn: inc.weightedColumn)
    }

    /// The grid laid as the dense one (the study extent, the cell size or its rule), without `--max-cells`.
    public static func choose(_ inc: IncidentTable, cellSize: Double?, rule: CellSizeRule = .sfhotspot,
                              boundary: LoadedLayer?, extent: Extent? = nil) throws -> GridChoice {
        let (ext, extentSource) = try GridProduct.studyExtent(inc, boundary: boundary, extent: extent)
        let c = try cellSize ?? GridProduct.derivedSize(rule, ext)
        let grid = try SquareGrid(covering: ext, cellSize: c, cellLimit: Int.max)
        return GridChoice(grid: grid, cellSizeSource: cellSize == nil ? rule.rawValue : "fixed", extentSource: extentSource, clipped: false)
    }

    /// The dense grid product's columns, one row per occupied cell.
    public var table: Table {
        let g = choice.grid
        var t = Table(columns: ["id", "col", "row", "easting", "northing", "count", weightedColumn])
        t.rows = counts.cells.indices.map { i in
            let k = counts.cells[i], c = g.centre(index: k)
            return [.string(g.cellID(k)), .int(k % g.ncols), .int(k / g.ncols), .double(c.x, decimals: 1),
                    .double(c.y, decimals: 1), .int(Int(counts.counts[i])), .double(counts.weighted[i], decimals: nil)]
        }
        return t
    }

    public var geometries: [MultiPolygon] { counts.cells.map { choice.grid.cellPolygon($0) } }

    /// What metadata.json records of a sparse grid.
    public var parameters: [String: String] { Self.parameters(grid: choice.grid, occupied: counts.cells.count) }

    /// What metadata.json records of a sparse grid with `occupied` cells holding an incident.
    public static func parameters(grid g: SquareGrid, occupied: Int) -> [String: String] {
        ["grid": "sparse (occupied cells only)", "grid_cells": "\(g.cellCount)", "occupied_cells": "\(occupied)",
         "grid_columns": "\(g.ncols)", "grid_rows": "\(g.nrows)"]
    }
}
