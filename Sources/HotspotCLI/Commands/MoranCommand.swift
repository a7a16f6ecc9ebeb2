import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct MoranCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moran",
        abstract: "Local Moran's I clusters (HH, LL) and outliers (HL, LH) on grid cells or wards/LSOAs, and global Moran's I.",
        discussion: """
            I_i = (n − 1) z_i lag_i / Σ z², z standardised counts, lag_i the mean z of the neighbours (row-standardised \
            weights, as esda's Moran_Local; Anselin 1995); neighbours as gistar's, the location itself excluded. \
            Pseudo p from conditional permutations (seeded), adjusted with --adjust; a location is a cluster or \
            outlier when its p < 0.05 (adjusted p ≤ 0.05 with --adjust). Global Moran's I with z under normality and randomisation and a \
            permutation p. Writes moran.geojson/.csv, moran_global.csv, quarantine.csv, metadata.json. Examples:
              hotspot moran Geodata/demo/incidents.csv --cell 200
              hotspot moran Geodata/demo/incidents.csv --areas \\
                lsoa=Geodata/demo/lsoa.geojson --on lsoa --adjust bh \\
                --permutations 9999
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var locations: LocationOptions
    @OptionGroup var mapOptions: MapCLIOptions
    @Option(help: "Adjustment of the pseudo p-values for the many locations tested: none (default, as esda), bh (Benjamini–Hochberg), by (Benjamini–Yekutieli), holm, bonferroni. A pseudo p is at least 1/(permutations + 1): adjusting over many locations needs more permutations.")
    var adjust: PAdjustment = .none
    @Option(parsing: .unconditional, help: "Conditional permutations for the pseudo p-values (99 to 99999).")
    var permutations: Int = 999
    @Option(parsing: .unconditional, help: "Seed for the permutations (results are reproducible, whatever the number of threads).")
    var seed: UInt64 = 12345

    func validate() throws {
        if grid.sparse { throw ValidationError("--sparse is for grid, kde, gistar and emerging; moran needs every cell of the grid: leave out --sparse and use a larger --cell or a smaller --extent") }
        try check(permutations, "--permutations", in: Limits.moranPermutations, example: "999")
        try locations.check(areas)
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output, map: mapOptions)
            var m = MoranJob.Request()
            m.grid = grid.spec; m.on = locations.on; m.neighbours = locations.rule; m.adjust = adjust
            m.permutations = permutations; m.seed = seed; m.map = mapOptions.options
            p.products.moran = m
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try MoranJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            note("Local Moran's I: \(r.local.n) locations, neighbours \(r.locations.neighbours); \(r.clusters) at \(adjust.criterion(0.05))", quiet: input.quiet)
            let g = r.global
            note("global Moran's I \(Fmt.fixed(g.i, 4)) (z \(Fmt.fixed(g.zRandom, 2)) under randomisation, permutation p \(Fmt.fixed(g.pSim, 3)))", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
