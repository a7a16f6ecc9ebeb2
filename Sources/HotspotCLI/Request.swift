import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotReports

/// A command line as a request: the same `Project` value `hotspot run` decodes from a project file, built from the
/// shared option groups; each command then sets its one product.
func request(_ input: InputOptions, _ areas: AreaOptions?, _ output: OutputOptions, map: MapCLIOptions? = nil) -> Project {
    var p = Project(files: input.files, out: output.out)
    p.read = input.readOptions
    p.gridDirectories = input.gridDirectories
    p.boundary = areas?.boundarySpec
    p.layers = areas?.specs ?? []
    p.focus = map?.focus ?? []
    p.sourceTable = input.sourceTable
    p.database = output.database.map { Project.Database(url: $0, schema: output.schema) }
    p.flatGeobuf = output.flatGeobuf
    if let m = map?.options { p.map = m }
    return p
}

extension GridOptions {
    /// The grid of `hotspot grid` (and the grid part of other products).
    func gridRequest(map: MapOptions?) -> Project.GridRequest {
        var g = Project.GridRequest()
        g.grid = spec; g.map = map
        return g
    }

    /// The grid flags as the one grid specification every product takes.
    var spec: GridSpec {
        var g = GridSpec()
        g.cell = cell; g.cellRule = cellRule; g.clip = clip; g.maxCells = maxCells; g.hex = hex; g.extent = gridExtent; g.sparse = sparse
        return g
    }
}
