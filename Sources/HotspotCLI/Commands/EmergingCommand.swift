import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct EmergingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emerging",
        abstract: "Emerging hot spot analysis: new, intensifying, persistent, diminishing, sporadic… places over time.",
        discussion: """
            Builds a space-time cube of counts (grid cell × time step), computes space-time Gi* (neighbours: the \
            cell's disc in this and the previous --window steps; ArcGIS's formulation), tests each cell's z series for \
            a trend with Mann-Kendall, and classifies it with ArcGIS Pro's Emerging Hot Spot rules (ESRI table order, \
            first match; a step is hot when significant at --alpha with z > 0; "90%" means 10·n ≥ 9·T). Also gives \
            the recent/non-recent typology of sfhotspot (persistent, emerging, former, intermittent). \
            Writes emerging.geojson/.csv (per cell: counts per step, latest Gi*, trends, category), \
            emerging-summary.csv, recent-summary.csv, quarantine.csv, metadata.json. With --sparse (national \
            extents), only the cells with an incident in some step and the cells within the neighbour distance of one \
            are held and written, with the dense run's numbers; emerging-summary.csv still counts every cell. Example:
              hotspot emerging Geodata/demo/incidents.csv --boundary \\
                Geodata/demo/boundary.geojson --clip --cell 200
              hotspot emerging Geodata/demo/incidents.csv --areas \\
                lsoa=Geodata/demo/lsoa.geojson --on lsoa
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var output: OutputOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Neighbourhood distance in metres (default: cell × √2, queen).", valueName: "metres"))
    var radius: Double?
    @OptionGroup var locations: LocationOptions
    @OptionGroup var mapOptions: MapCLIOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Time step: month (default), Nmonths (e.g. 6months), week (ISO), Ndays.", valueName: "step"),
            transform: parsed(StepLength.init(parsing:), StepLength.hint))
    var step: StepLength = .months(1)
    @Option(help: ArgumentHelp("First day of the first step, YYYY-MM or YYYY-MM-DD (so that e.g. March–September windows line up). Default: the first month present.", valueName: "date"),
            transform: parsed(DateArgument.parse, DateArgument.hint))
    var start: DateArgument?
    @Option(help: ArgumentHelp("A day in the final step, YYYY-MM or YYYY-MM-DD: fixes the last step instead of taking it from the data (a final step with no incidents counts as empty, it is not dropped).", valueName: "date"),
            transform: parsed(DateArgument.parse, DateArgument.hint))
    var end: DateArgument?
    @Option(parsing: .unconditional, help: "Neighbourhood time window: previous steps included in a cell's neighbourhood (ArcGIS default 1; 0 = Gi* per step on its own).")
    var window: Int = 1
    @Option(parsing: .unconditional, help: "Significance level for a hot/cold step (ArcGIS: 0.10, 90% confidence).")
    var alpha: Double = 0.10
    @Option(parsing: .unconditional, help: "Significance level of the Mann-Kendall trend.")
    var trendAlpha: Double = 0.05
    @Option(help: "FDR for the step significance: slice (Benjamini–Hochberg within each step, default), cube, none.")
    var fdr: FDRScope = .slice
    @Option(help: "Adjustment within --fdr's scope: bh (Benjamini–Hochberg, default), by (Benjamini–Yekutieli), holm, bonferroni; none is --fdr none.")
    var adjust: PAdjustment?
    @Flag(help: "An earlier significant cold step makes a location Oscillating rather than New/Consecutive (sfdep's reading).")
    var priorColdOscillating = false
    @Flag(help: "Let Intensifying/Persistent/Diminishing apply without a significant final step (Historical then never applies).")
    var persistentWithoutFinalStep = false

    func validate() throws {
        if grid.sparse && locations.on != nil { throw ValidationError("--sparse is for grids: leave it out with --on (a layer's areas are held whole)") }
        try locations.check(areas)
        if case .knn? = locations.rule, locations.on == nil {
            throw ValidationError("knn neighbours are for polygon layers (--on NAME); on a grid use distance:METRES, queen or rook")
        }
        if let start, let end, end.day < start.day { throw ValidationError("--end \(end.text) is before --start \(start.text)") }
        try check(window, "--window", in: 0...100, example: "1")
        try check(radius, "--radius", in: Limits.distance, unit: "metres", example: "400")
        try check(alpha, "--alpha", in: 0.0001...0.5, example: "0.10")
        try check(trendAlpha, "--trend-alpha", in: 0.0001...0.5, example: "0.05")
        if fdr == .none, let a = adjust, a != .none { throw ValidationError("--fdr none uses raw p: --adjust \(a.rawValue) needs --fdr slice or cube") }
    }

    func run() throws {
        try runJob {
            var o = EmergingJobOptions()
            o.grid = grid.spec
            o.radius = radius; o.step = step
            o.on = locations.on
            o.neighbours = locations.rule; o.start = start?.day
            o.end = end?.day
            o.window = window
            o.map = mapOptions.options
            o.emerging.alpha = alpha; o.emerging.trendAlpha = trendAlpha; o.emerging.fdr = adjust == PAdjustment.none ? .none : fdr; o.emerging.adjust = adjust ?? .bh
            o.emerging.priorOppositeMakesOscillating = priorColdOscillating
            o.emerging.persistentRequiresFinalStep = !persistentWithoutFinalStep
            var p = request(input, areas, output, map: mapOptions)
            p.products.emerging = o
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try EmergingJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let what = locations.on != nil ? "areas" : grid.sparse ? "cells written (of \(r.grid?.cellCount ?? 0); --sparse counts the others below without writing them)" : "cells"
            note("cube: \(r.cells.count) \(what) × \(r.cube.steps.count) steps of \(o.step.description) (\(r.cube.steps.label(0)) … \(r.cube.steps.label(r.cube.steps.count - 1)))", quiet: input.quiet)
            for (p, n) in r.summary { note("  \(p.name): \(n)", quiet: input.quiet) }
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
