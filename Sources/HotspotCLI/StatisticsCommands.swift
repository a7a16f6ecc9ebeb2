import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
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
    @Flag(help: "Report bins from raw p instead of Benjamini–Hochberg adjusted p.")
    var noFdr = false
    @Option(parsing: .unconditional, help: "Conditional permutations for a pseudo p-value (0 = none; 999 is usual).")
    var permutations: Int = 0
    @Option(parsing: .unconditional, help: "Seed for the permutations (results are reproducible).")
    var seed: UInt64 = 12345

    func validate() throws {
        try check(permutations, "--permutations", in: 0...99_999, example: "999")
        try locations.check(areas)
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output, map: mapOptions)
            var g = Project.GiStarRequest()
            g.cell = grid.cell; g.rule = grid.cellRule; g.clip = grid.clip; g.maxCells = grid.maxCells; g.hex = grid.hex
            g.extent = grid.gridExtent; g.on = locations.on; g.neighbours = locations.rule; g.fdr = !noFdr
            g.permutations = permutations; g.seed = seed; g.map = mapOptions.options
            p.products.gistar = g
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try GiStarJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let bins = r.gi.bins(fdr: !noFdr)
            let hot = bins.filter { $0 > 0 }.count, cold = bins.filter { $0 < 0 }.count
            note("Gi*: \(r.gi.n) locations, neighbours \(r.neighbours); \(hot) hot and \(cold) cold at ≥ 90% confidence\(noFdr ? "" : " (FDR)")", quiet: input.quiet)
            note("hottest: \(r.hottest(3, fdr: !noFdr))", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

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
            emerging-summary.csv, recent-summary.csv, quarantine.csv, metadata.json. Example:
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
    @Option(parsing: .unconditional, help: ArgumentHelp("Time step: month (default), Nmonths (e.g. 6months), week (ISO), Ndays.", valueName: "step"))
    var step: String = "month"
    @Option(help: ArgumentHelp("First day of the first step, YYYY-MM or YYYY-MM-DD (so that e.g. March–September windows line up). Default: the first month present.", valueName: "date"))
    var start: String?
    @Option(help: ArgumentHelp("A day in the final step, YYYY-MM or YYYY-MM-DD: fixes the last step instead of taking it from the data (a final step with no incidents counts as empty, it is not dropped).", valueName: "date"))
    var end: String?
    @Option(parsing: .unconditional, help: "Neighbourhood time window: previous steps included in a cell's neighbourhood (ArcGIS default 1; 0 = Gi* per step on its own).")
    var window: Int = 1
    @Option(parsing: .unconditional, help: "Significance level for a hot/cold step (ArcGIS: 0.10, 90% confidence).")
    var alpha: Double = 0.10
    @Option(parsing: .unconditional, help: "Significance level of the Mann-Kendall trend.")
    var trendAlpha: Double = 0.05
    @Option(help: "FDR for the step significance: slice (Benjamini–Hochberg within each step, default), cube, none.")
    var fdr: FDRScope = .slice
    @Flag(help: "An earlier significant cold step makes a location Oscillating rather than New/Consecutive (sfdep's reading).")
    var priorColdOscillating = false
    @Flag(help: "Let Intensifying/Persistent/Diminishing apply without a significant final step (Historical then never applies).")
    var persistentWithoutFinalStep = false

    func validate() throws {
        try locations.check(areas)
        if case .knn? = locations.rule, locations.on == nil {
            throw ValidationError("knn neighbours are for polygon layers (--on NAME); on a grid use distance:METRES, queen or rook")
        }
        if StepLength(parsing: step) == nil { throw ValidationError("--step '\(step)' is not understood: use month, 6months, week or 7days") }
        if let s = start, DateParser.parse(s) == nil { throw ValidationError("--start '\(s)' is not a date: use YYYY-MM or YYYY-MM-DD") }
        if let s = end, DateParser.parse(s) == nil { throw ValidationError("--end '\(s)' is not a date: use YYYY-MM or YYYY-MM-DD") }
        if let a = start.flatMap({ DateParser.parse($0)?.day }), let b = end.flatMap({ DateParser.parse($0)?.day }), b < a {
            throw ValidationError("--end \(end!) is before --start \(start!)")
        }
        try check(window, "--window", in: 0...100, example: "1")
        try check(radius, "--radius", in: 1...100_000, unit: "metres", example: "400")
        try check(alpha, "--alpha", in: 0.0001...0.5, example: "0.10")
        try check(trendAlpha, "--trend-alpha", in: 0.0001...0.5, example: "0.05")
    }

    func run() throws {
        try runJob {
            var o = EmergingJobOptions()
            o.cell = grid.cell; o.cellRule = grid.cellRule; o.maxCells = grid.maxCells; o.clip = grid.clip; o.extent = grid.gridExtent
            o.radius = radius; o.step = StepLength(parsing: step)!
            o.on = locations.on
            o.neighbours = locations.rule; o.start = start.flatMap { DateParser.parse($0)?.day }
            o.end = end.flatMap { DateParser.parse($0)?.day }
            o.window = window
            o.map = mapOptions.options
            o.emerging.alpha = alpha; o.emerging.trendAlpha = trendAlpha; o.emerging.fdr = fdr
            o.emerging.priorOppositeMakesOscillating = priorColdOscillating
            o.emerging.persistentRequiresFinalStep = !persistentWithoutFinalStep
            var p = request(input, areas, output, map: mapOptions)
            p.products.emerging = o
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try EmergingJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            note("cube: \(r.cells.count) \(locations.on == nil ? "cells" : "areas") × \(r.cube.steps.count) steps of \(o.step.description) (\(r.cube.steps.label(0)) … \(r.cube.steps.label(r.cube.steps.count - 1)))", quiet: input.quiet)
            for (p, n) in r.summary { note("  \(p.name): \(n)", quiet: input.quiet) }
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare named periods (e.g. March–September 2019, 2020, 2021) per ward, LSOA, cell and focus area.",
        discussion: """
            For each area and crime type: counts and rates per 1,000 residents per period; change, % change and the \
            exact test of equal Poisson rates (conditional binomial, exposure = days in the period) between \
            consecutive periods; and the borough-wide % change beside each area's. Writes compare-NAME.csv/.geojson per \
            layer, compare-borough.csv, compare-focus.csv, compare-cells.csv (with --cell), metadata.json. Example:
              hotspot compare 2018-0[3-9]-*.csv 2022-0[3-9]-*.csv --period \\
                2018-03..2018-09 --period 2022-03..2022-09 \\
                --areas wards=lbl_wd22_proposed_bng.geojson --population \\
                  wards=population_census2011_wd22.csv \\
                --focus "Rushey Green" --focus "Lewisham Central"
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var timing: PeriodOptions
    @Option(name: .customLong("focus"), help: ArgumentHelp("An area to report on its own, by name or code (repeatable).", valueName: "name"))
    var focus: [String] = []
    @Option(parsing: .unconditional, help: ArgumentHelp("Also compare grid cells of this size (metres).", valueName: "metres"))
    var cell: Double?
    var periods: [String] { timing.periods }

    func validate() throws {
        try check(cell, "--cell", in: 1...100_000, unit: "metres", example: "250")
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output)
            p.focus = focus
            p.products.compare = .init(periods: periods.compactMap(Period.init(parsing:)), cell: cell)
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try CompareJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            if let b = r.tables["borough"], let row = b.rows.first {
                note("borough: " + zip(b.columns, row).filter { $0.0.hasPrefix("count_") || $0.0.hasPrefix("pct_change_") && !$0.0.contains("vs") }.map { "\($0.0)=\($0.1.csv)" }.joined(separator: " "), quiet: input.quiet)
            }
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

struct AccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "How well last period's hotspots predicted this period: hit rate, PAI, Recapture Rate Index.",
        discussion: """
            PAI = (n/N)/(a/A) (Chainey et al. 2008); RRI = (n₂/n₁)/(N₂/N₁) (Levine 2008), with --earlier. \
            Example (hot cells of an earlier kde run against later incidents):
              hotspot accuracy later.csv --hotspots out/kde/hotspots.geojson \\
                --earlier earlier.csv --boundary borough.geojson
              hotspot accuracy later.csv --hotspots out/emerging/emerging.geojson \\
                --where "category=New Hot Spot"
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("The hotspot product: hotspots.geojson, density.geojson, emerging.geojson, a .gpkg, or any polygon source OGR reads (Shapefile, FlatGeobuf, MapInfo, file.gpkg:layer, a PostGIS table as PG:… tables=…).", valueName: "file"))
    var hotspots: String
    @Option(name: .customLong("where"), help: ArgumentHelp("Keep features whose property equals a value, e.g. hot=1 or 'category=New Hot Spot'.", valueName: "property=value"))
    var whereClause: String?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Incident files of the period the product was made from (for the RRI).", valueName: "file"))
    var earlier: [String] = []
    @Option(help: ArgumentHelp("Study-area boundary (its area is A in the PAI; default: the later incidents' extent).", valueName: "file"))
    var boundary: String?

    func validate() throws {
        if let w = whereClause, !w.contains("=") { throw ValidationError("--where takes property=value, e.g. --where hot=1") }
    }

    func run() throws {
        try runJob {
            let wp = whereClause.map { w -> (String, String) in
                let i = w.firstIndex(of: "=")!
                return (String(w[..<i]), String(w[w.index(after: i)...]))
            }
            var p = request(input, nil, output)
            p.boundary = boundary.map { LayerSpec(name: "boundary", path: $0) }
            p.products.accuracy = .init(hotspots: hotspots, whereProperty: wp, earlier: earlier)
            try p.checkOutput()
            let r = try AccuracyJob.run(p, command: commandLine)
            let a = r.accuracy
            note("\(r.selected) hotspot feature(s), \(Fmt.fixed(a.areaM2 / 1e6, 3)) km² of \(Fmt.fixed(a.studyAreaM2 / 1e6, 3)) km²: captured \(a.captured) of \(a.total) later incidents, hit rate \(Fmt.fixed(a.hitRate * 100, 1))%, PAI \(Fmt.fixed(a.pai, 2))" + (a.rri.map { ", RRI \(Fmt.fixed($0, 2))" } ?? ""), quiet: input.quiet)
            note("wrote \(r.written.joined(separator: ", ")) in \(output.out)", quiet: input.quiet)
        }
    }
}

extension FDRScope: ExpressibleByArgument {}

/// Periods to compare (compare, profile).
struct PeriodOptions: ParsableArguments {
    @Option(name: .customLong("period"), help: ArgumentHelp("A period, YYYY-MM..YYYY-MM (inclusive) or YYYY-MM-DD..YYYY-MM-DD; repeat, in order.", valueName: "from..to"))
    var periods: [String] = []

    func validate() throws {
        for p in periods where Period(parsing: p) == nil {
            throw ValidationError("--period '\(p)' is not understood: use YYYY-MM..YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (first ≤ last, years \(DateParser.years.lowerBound)–\(DateParser.years.upperBound)), e.g. --period 2019-03..2019-09")
        }
        if periods.count < 2 { throw ValidationError("give at least two periods, e.g. --period 2019-03..2019-09 --period 2020-03..2020-09") }
        let ps = periods.compactMap(Period.init(parsing:))
        for k in 1..<ps.count where ps[k].first <= ps[k - 1].last { throw ValidationError("periods must be in order and must not overlap (\(ps[k - 1].name), \(ps[k].name))") }
    }
}

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "One page per focus area: counts by crime type per period, rate against the borough, change and its p, a small map.",
        discussion: """
            The council's own reporting compares a ward across windows, e.g. March–September of 2019, 2020 and 2021. \
            For each --focus area: a grouped bar chart of counts by crime type for each period, its rate per 1,000 \
            residents (--population) against the borough's, the change between periods with the exact test of equal \
            Poisson rates (as compare), and a small map of the area with its hotspot cells in the last period. Writes \
            profile-NAME.svg/.pdf/.png and profile-NAME.csv, with all of compare's outputs. Example:
              hotspot profile 2022-*.csv 2018-*.csv --period 2018-03..2018-09 \\
                --period 2022-03..2022-09 --areas wards=wards.geojson \\
                --population wards=population.csv --focus "Rushey Green"
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var timing: PeriodOptions
    @OptionGroup var mapOptions: MapCLIOptions

    func validate() throws {
        if mapOptions.focus.isEmpty { throw ValidationError("give at least one --focus AREA (a ward's name or code), e.g. --focus \"Rushey Green\"") }
        if areas.layers.isEmpty { throw ValidationError("give the layer the focus areas are in, e.g. --areas wards=wards.geojson --population wards=population.csv") }
    }

    func run() throws {
        try runJob {
            var mo = mapOptions.options ?? { var m = mapOptions; m.map = true; return m.options! }()
            mo.page = MapPage(paper: mapOptions.paper ?? .a4, orientation: .portrait)
            var p = request(input, areas, output, map: mapOptions)
            p.products.compare = .init(periods: timing.periods.compactMap(Period.init(parsing:)), profile: mo)
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try CompareJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
