import Foundation
import HotspotCore
import HotspotIO

/// The grid a product is computed on, declared once for grid, kde, gistar and emerging: the cell size (or the rule
/// that picks it from the extent), the extent, whether cells outside the boundary are dropped, the most cells allowed,
/// and hexagons instead of squares. Decoded from a project file by `decode`, built from `--cell`, `--cell-rule`,
/// `--extent`, `--clip`, `--max-cells` and `--hex` by the CLI's `GridOptions.spec`.
public struct GridSpec: Sendable, Equatable {
    /// Cell size in metres (a hexagon's distance across flats); nil: the `cellRule`'s.
    public var cell: Double?
    public var cellRule = CellSizeRule.sfhotspot
    /// The grid's extent in EPSG:27700 metres instead of the boundary's or the incidents'.
    public var extent: Extent?
    /// Keep only the cells that touch the boundary.
    public var clip = false
    public var maxCells = Limits.defaultMaxCells
    /// Hexagons of this orientation instead of squares.
    public var hex: HexOrientation?
    /// Only the occupied cells (and, for Gi*, their neighbours) are held and written: for national extents, where
    /// the full grid does not fit (grid, kde, gistar and emerging; square cells, no clip).
    public var sparse = false
    public init() {}

    /// The refusal of `--sparse` by a product that needs every cell of the grid.
    public func refuseSparse(_ product: String) throws {
        if sparse { throw InputError.unusable("--sparse (sparse: true) is for grid, kde, gistar and emerging; \(product) needs every cell of the grid: leave --sparse out and use a larger --cell or a smaller --extent") }
    }

    /// The project-file keys of a grid (inside a product's section).
    public static let keys = ["cell", "cell_rule", "hex", "extent", "clip", "max_cells", "sparse"]

    /// Decodes the grid keys of a product's section.
    static func decode(_ s: [String: Project.Field]) throws -> GridSpec {
        var g = GridSpec()
        g.cell = try s["cell"]?.double(Limits.cellSize)
        g.cellRule = try s["cell_rule"]?.cellRule() ?? .sfhotspot
        g.hex = try s["hex"]?.hex()
        g.extent = try s["extent"]?.extent()
        g.clip = try s["clip"]?.bool() ?? false
        g.maxCells = try s["max_cells"]?.int(Limits.maxCells) ?? Limits.defaultMaxCells
        g.sparse = try s["sparse"]?.bool() ?? false
        if g.sparse && (g.hex != nil || g.clip) { throw InputError.unusable("sparse: true takes square cells without clip: remove hex: or clip: true") }
        return g
    }
}

/// A product's parameters that include a grid: `o.cell`, `o.clip`… read and write its `grid`.
@dynamicMemberLookup
public protocol HasGrid {
    var grid: GridSpec { get set }
}

extension HasGrid {
    public subscript<T>(dynamicMember path: WritableKeyPath<GridSpec, T>) -> T {
        get { grid[keyPath: path] }
        set { grid[keyPath: path] = newValue }
    }
}
