import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct Grid: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count incidents per square grid cell (BNG-anchored).",
        discussion: """
            Cells are half-open [x0, x0+c) × [y0, y0+c), anchored at multiples of the cell size in EPSG:27700, row 0 \
            in the south, ids E{easting}N{northing} of the south-west corner (stable across runs). Writes grid.geojson, grid.csv, quarantine.csv and metadata.json. Example:
              hotspot grid Geodata/demo/incidents.csv --boundary \\
                Geodata/demo/boundary.geojson --clip --cell 250
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var mapOptions: MapCLIOptions

    func validate() throws {
        if mapOptions.map && grid.hex != nil { throw ValidationError("--map draws square grids; hexagon maps are not available yet: drop --hex or --map") }
    }

    func run() throws {
        try runJob {
            var req = request(input, areas, output, map: mapOptions)
            req.products.grid = grid.gridRequest(map: mapOptions.options)
            try req.checkOutput()
            if let orientation = grid.hex {
                ProgressView.install(quiet: input.quiet)
                let (inc, p, written) = try GridJob.runHex(req, command: commandLine)
                note(summaryLine(inc), quiet: input.quiet)
                note("grid: \(p.cells.count) \(orientation.rawValue)-top hexagons, \(Fmt.number(p.grid.size)) m across flats (\(p.cellSizeSource)), \(p.counts.outside) incidents outside", quiet: input.quiet)
                note("wrote \(written.joined(separator: ", ")) in \(output.out)", quiet: input.quiet)
                return
            }
            ProgressView.install(quiet: input.quiet)
            if grid.sparse {
                let (inc, p, written, warnings) = try GridJob.runSparse(req, command: commandLine)
                note(summaryLine(inc), quiet: input.quiet)
                let g = p.choice.grid
                note("grid (sparse): \(p.counts.cells.count) occupied cells of \(g.ncols) × \(g.nrows) = \(g.cellCount) cells of \(Fmt.number(g.cellSize)) m (\(p.choice.cellSizeSource)), origin E \(Fmt.number(g.x0)) N \(Fmt.number(g.y0)), \(p.counts.outside) incidents outside the grid", quiet: input.quiet)
                reportEnd(warnings: warnings, written: written, out: output.out, quiet: input.quiet)
                return
            }
            let r = try GridJob.run(req, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let g = r.product.choice.grid
            note("grid: \(g.ncols) × \(g.nrows) cells of \(Fmt.number(g.cellSize)) m (\(r.product.choice.cellSizeSource)), origin E \(Fmt.number(g.x0)) N \(Fmt.number(g.y0)), \(r.product.cells.count) cells written, \(r.product.counts.outside) incidents outside the grid", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
