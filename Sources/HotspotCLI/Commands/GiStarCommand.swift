import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct GiStarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gistar",
        abstract: "Getis-Ord Gi* hot and cold spots on grid cells or on wards/LSOAs, with FDR.",
        discussion: """
            z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²)/(n − 1))), binary weights, the location itself \
            included (Ord & Getis 1995). p two-sided; bins ±3/±2/±1 at 99/95/90% confidence, from Benjamini–Hochberg \
            adjusted p unless --no-fdr. Writes gistar.geojson/.csv, quarantine.csv, metadata.json. Examples:
              hotspot gistar Geodata/demo/incidents.csv --cell 200 --neighbours \\
                distance:400
              hotspot gistar Geodata/demo/incidents.csv --areas \\
                lsoa=Geodata/demo/lsoa.geojson --on lsoa --neighbours queen
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var locations: LocationOptions
    @OptionGroup var mapOptions: MapCLIOptions
    @Flag(help: "Report bins from raw p instead of Benjamini–Hochberg adjusted p (the same as --adjust none).")
    var noFdr = false
    @Option(help: "Adjustment of p for the many locations tested: none, bh (Benjamini–Hochberg, default), by (Benjamini–Yekutieli), holm, bonferroni.")
    var adjust: PAdjustment?
    @Option(parsing: .unconditional, help: "Conditional permutations for a pseudo p-value (0 = none; 999 is usual).")
    var permutations: Int = 0
    @Option(parsing: .unconditional, help: "Seed for the permutations (results are reproducible).")
    var seed: UInt64 = 12345

    func validate() throws {
        try check(permutations, "--permutations", in: 0...99_999, example: "999")
        try locations.check(areas)
        if grid.sparse && permutations > 0 { throw ValidationError("--permutations needs every cell's neighbour list: leave it out with --sparse") }
        if grid.sparse && locations.on != nil { throw ValidationError("--sparse is for grid cells; --on \(locations.on!) runs on the layer's areas: leave out --sparse") }
        if noFdr, let a = adjust, a != .none { throw ValidationError("--no-fdr is --adjust none: give one of them") }
    }

    /// The adjustment asked for: --adjust, else none with --no-fdr, else Benjamini–Hochberg.
    var adjustment: PAdjustment { adjust ?? (noFdr ? .none : .bh) }

    func run() throws {
        try runJob {
            var p = request(input, areas, output, map: mapOptions)
            var g = Project.GiStarRequest()
            g.grid = grid.spec; g.on = locations.on; g.neighbours = locations.rule; g.adjust = adjustment
            g.permutations = permutations; g.seed = seed; g.map = mapOptions.options
            p.products.gistar = g
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try GiStarJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let bins = r.gi.bins(fdr: adjustment != .none)
            let hot = bins.filter { $0 > 0 }.count + r.unreportedSignificant.hot, cold = bins.filter { $0 < 0 }.count + r.unreportedSignificant.cold
            note("Gi*: \(r.gi.n) locations, neighbours \(r.neighbours); \(hot) hot and \(cold) cold at ≥ 90% confidence\(adjustment.shortLabel)", quiet: input.quiet)
            note("hottest: \(r.hottest(3, fdr: adjustment != .none))", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

extension FDRScope: ExpressibleByArgument {}
extension PAdjustment: ExpressibleByArgument {}
