import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct OptimizedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimized",
        abstract: "Optimized hot spots (as ArcGIS Pro's tool): the cell and the distance band chosen from the data, then Gi* with FDR.",
        discussion: """
            Incidents are counted in a fishnet whose cell is the larger of their mean nearest-neighbour distance and \
            1/100 of their extent (locational outliers, more than 3 SD above the mean nearest-neighbour distance, left \
            out), or in hexagons, or in the areas of a layer (--on). Global Moran's I is computed over --bands \
            distance bands (incremental spatial autocorrelation); Gi* uses the first significant peak of its z, else \
            the mean distance to the k nearest locations (k = 5 % of them, 3 to 30). Bins from Benjamini–Hochberg \
            adjusted p. Writes optimized.geojson/.csv, isa.csv, isa.svg, report.txt (every choice and its reason), \
            quarantine.csv, metadata.json. Examples:
              hotspot optimized Geodata/demo/incidents.csv
              hotspot optimized Geodata/demo/incidents.csv --boundary \\
                Geodata/demo/boundary.geojson --clip --hex flat
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var mapOptions: MapCLIOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Cell size in metres (a hexagon's distance across flats). Default: from the data, as above.", valueName: "metres"))
    var cell: Double?
    @Option(help: ArgumentHelp("Hexagons instead of a fishnet: flat (flat-topped) or pointy.", valueName: "orientation"))
    var hex: HexOrientation?
    @Flag(help: "Every cell touching the --boundary is a location, empty ones included (ArcGIS's bounding polygons); without it, only cells holding an incident.")
    var clip = false
    @Option(parsing: .unconditional, help: "Refuse grids with more cells than this.")
    var maxCells: Int = Limits.defaultMaxCells
    @Option(help: ArgumentHelp("Count in this polygon layer (one of --areas) instead of cells.", valueName: "name"))
    var on: String?
    @Option(parsing: .unconditional, help: "Distance bands of the incremental spatial autocorrelation (3 to 30).")
    var bands: Int = 10

    func validate() throws {
        try check(cell, "--cell", in: Limits.cellSize, unit: "metres", example: "100")
        try check(maxCells, "--max-cells", in: Limits.maxCells, example: "5000000")
        try check(bands, "--bands", in: Limits.optimizedBands, example: "10")
        if let on, !areas.layers.contains(where: { $0.name == on }) { throw ValidationError("--on \(on) needs --areas \(on)=FILE") }
        if on != nil, cell != nil || hex != nil || clip { throw ValidationError("--on counts in a layer's areas: --cell, --hex and --clip are for cells") }
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output, map: mapOptions)
            var o = OptimizedJob.Request()
            o.cell = cell; o.hex = hex; o.clip = clip; o.maxCells = maxCells; o.on = on; o.bands = bands; o.map = mapOptions.options
            p.products.optimized = o
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try OptimizedJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let c = r.computed, s = c.scale
            for key in ["cell_size", "aggregation"] { if let ch = c.choices.first(where: { $0.key == key }) { note("\(ch.key.replacingOccurrences(of: "_", with: " ")): \(ch.value)", quiet: input.quiet) } }
            let peak = s.isa.firstPeak.map { "first peak \(Fmt.fixed(s.distances[$0], 1)) m" } ?? "no significant peak"
            note("bands: \(s.distances.count) from \(Fmt.fixed(s.start, 1)) m by \(Fmt.fixed(s.increment, 1)) m; \(peak); distance band \(Fmt.fixed(s.chosen, 1)) m", quiet: input.quiet)
            note("Gi* (FDR): \(r.hot) hot and \(r.cold) cold of \(c.locations.ids.count) locations", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
