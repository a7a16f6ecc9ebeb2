import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct NearRepeatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearrepeat",
        abstract: "Knox near-repeat test on dated incidents: bands of distance × days, as the Near Repeat Calculator reports them.",
        discussion: """
            Every pair of incidents falls in a band of distance (same location, then --distance m wide, up to \
            --distance-bands of them, then beyond) and of time (--days wide: 0–7, 8–14 … days, up to --time-bands, \
            then beyond). Observed pairs per band are compared with the mean over --permutations random reassignments \
            of the dates to the incidents (seeded): Knox ratio = observed / expected, pseudo p = (1 + permutations with \
            at least the observed count) / (1 + permutations). A band with p ≤ 0.05 and ratio > 1 is a near-repeat \
            band. Needs the day of each incident: monthly police.uk data are refused. Writes knox.csv, knox.svg, \
            near-repeat-pairs.geojson (+ .fields.csv), quarantine.csv, metadata.json. Example:
              hotspot nearrepeat collisions.csv --format csv --lon-col longitude \\
                --lat-col latitude --date-col date --time-col time
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Width of each distance band (metres).", valueName: "m"))
    var distance: Double = 100
    @Option(parsing: .unconditional, help: "Distance bands after the same-location one (1–20).")
    var distanceBands: Int = 5
    @Option(parsing: .unconditional, help: "Width of each time band (days; 1–365).")
    var days: Int = 7
    @Option(parsing: .unconditional, help: "Time bands (1–20).")
    var timeBands: Int = 4
    @Option(parsing: .unconditional, help: "Permutations of the dates for the expected counts (0–99999).")
    var permutations: Int = 999
    @Option(parsing: .unconditional, help: "Seed for the permutations (results are reproducible).")
    var seed: UInt64 = 12345

    func validate() throws {
        try check(distance, "--distance", in: Limits.distance, unit: "metres", example: "100")
        try check(distanceBands, "--distance-bands", in: NearRepeatJob.bandRange, example: "5")
        try check(days, "--days", in: NearRepeatJob.daysRange, example: "7")
        try check(timeBands, "--time-bands", in: NearRepeatJob.bandRange, example: "4")
        try check(permutations, "--permutations", in: Limits.permutations, example: "999")
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output)
            var r = Project.NearRepeatRequest()
            r.bands = KnoxBands(distance: distance, spatialBands: distanceBands, days: days, temporalBands: timeBands)
            r.permutations = permutations; r.seed = seed
            p.products.nearrepeat = r
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let res = try NearRepeatJob.run(p, command: commandLine)
            note(summaryLine(res.incidents), quiet: input.quiet)
            note("near repeats: " + NearRepeatJob.summary(res.knox), quiet: input.quiet)
            reportEnd(warnings: res.warnings, written: res.written, out: output.out, quiet: input.quiet)
        }
    }
}
