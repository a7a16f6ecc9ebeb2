import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct KDE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kde",
        abstract: "Kernel density surface and hotspot polygons.",
        discussion: """
            Quartic density (ArcGIS Kernel Density, Silverman 1986 eq. 4.5) at grid-cell centres, per km² by default:
              density(x) = Σ_{d_i < h} w_i · 3/(π h²) · (1 − (d_i/h)²)²
            Bandwidth h: --bandwidth metres, else --bandwidth-rule arcgis (0.9·min(SD, √(1/ln2)·Dm)·n^−0.2) or nrd; \
            times --bandwidth-adjust. The hot cells (--threshold) are dissolved into polygons, each with its area, \
            incidents, share, PAI and the wards/LSOAs it touches. \
            Writes density.geojson/.gpkg/.csv (+ density.qml), density-raster.asc + .prj (ESRI ASCII grid), density-raster.tif \
            (Cloud-Optimised GeoTIFF) + density-raster.qml (their QGIS style), hotspots.geojson/.csv, quarantine.csv, metadata.json; \
            with --dual-with, also dual.geojson/.csv and dual-raster.asc. Example:
              hotspot kde Geodata/demo/incidents.csv --boundary \\
                Geodata/demo/boundary.geojson --clip \\
                --cell 100 --bandwidth 400 --threshold top:5 --areas \\
                  wards=Geodata/demo/wards.geojson
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var mapOptions: MapCLIOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Bandwidth (search radius) in metres. Default: the --bandwidth-rule.", valueName: "metres"))
    var bandwidth: Double?
    @Option(help: "Default bandwidth rule: arcgis (ArcGIS Pro's spatial Silverman rule), nrd (normal reference, MASS bandwidth.nrd averaged over x and y), or backtest (the bandwidth, and the cell when --cell is not given, that best predicted the next window on these incidents: see hotspot backtest).")
    var bandwidthRule: BandwidthChoice = .arcgis
    @Option(help: ArgumentHelp("With --bandwidth-rule backtest: the training and test windows, TRAIN:TEST, e.g. 6months:6months (default) or 3months:3months.", valueName: "train:test"),
            transform: parsed({ BacktestJob.Window.pair(parsing: $0).map { [$0.0, $0.1] } }, "give TRAIN:TEST, each like 6months, 3months, 12weeks or 90days, e.g. --backtest-windows 3months:3months"))
    var backtestWindows: [BacktestJob.Window] = [.months(6), .months(6)]
    @Option(parsing: .unconditional, help: "Multiplier applied to the bandwidth (e.g. 0.5 for a tighter surface).")
    var bandwidthAdjust: Double = 1
    @Option(help: "Kernel: quartic (default, ArcGIS), epanechnikov, triangular, uniform, gaussian (σ = h/3, truncated at h).")
    var kernel: Kernel = .quartic
    @Option(help: "Density unit: per_km2 (default) or per_m2.")
    var unit: DensityUnit = .perKm2
    @Option(help: "Evaluation: auto (exact when it stays near a second, else binned), exact, binned.")
    var mode: KDEMode = .auto
    @Option(parsing: .unconditional, help: ArgumentHelp("Hot cells: top:P (top P% of cells; default top:5), share:P (smallest area holding P% of incidents), abs:V (density ≥ V), pct:Q (≥ Q-th percentile of non-zero cells).", valueName: "rule"),
            transform: parsed(HotspotThreshold.init(parsing:), HotspotThreshold.hint))
    var threshold: HotspotThreshold = .topCells(percent: 5)
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Dual KDE: a second set of incident files (e.g. the previous period) on the same grid and bandwidth.", valueName: "file"))
    var dualWith: [String] = []
    @Option(help: "Dual KDE operation: ratio (a / max(b, floor)), log-ratio, difference (a − b).")
    var dual: DualOperation = .ratio
    @Option(parsing: .unconditional, help: ArgumentHelp("Dual KDE floor for tiny denominators, in the density unit (default: 1% of the second surface's mean non-zero density).", valueName: "density"))
    var dualFloor: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp("Drop hotspot polygons holding fewer than this many incidents (0 keeps all).", valueName: "count"))
    var minIncidents: Int = 0
    @Flag(help: "Smooth hotspot outlines with a marching-squares isoline at the threshold level instead of cell edges.")
    var smooth = false
    @Option(parsing: .unconditional, help: ArgumentHelp("A prospective surface for the coming period (ProMap, Bowers, Johnson & Pease 2004): each incident weighted 1/(1 + age), its age in whole months (2months) or weeks (8weeks, dated data only) before the end of the data, 0 from the window on. See hotspot backtest for whether it predicts better on your data.", valueName: "window"),
            transform: parsed(RecencyWindow.init(parsing:), "give a window like 2months (1–120) or 8weeks (1–520), e.g. --recency 2months"))
    var recency: RecencyWindow?

    func validate() throws {
        try check(bandwidth, "--bandwidth", in: Limits.distance, unit: "metres", example: "400")
        try check(bandwidthAdjust, "--bandwidth-adjust", in: 0.01...100, example: "0.5")
        try check(dualFloor, "--dual-floor", in: 0...1e12, example: "0.1")
        try check(minIncidents, "--min-incidents", in: 0...1_000_000, example: "3")
        if grid.sparse {
            if mode == .binned { throw ValidationError("--sparse evaluates densities exactly: leave out --mode binned") }
            if !dualWith.isEmpty { throw ValidationError("--dual-with needs the whole grid: leave out --sparse") }
            if bandwidthRule == .backtest && bandwidth == nil { throw ValidationError("--bandwidth-rule backtest evaluates dense grids: with --sparse give --bandwidth METRES or another --bandwidth-rule") }
        }
        if recency != nil && !dualWith.isEmpty {
            throw ValidationError("--recency makes one period's prospective surface and --dual-with compares two periods: drop one of them")
        }
    }

    func run() throws {
        try runJob {
            var o = KDEOptions()
            o.grid = grid.spec
            o.bandwidth = bandwidth; o.bandwidthRule = bandwidthRule.rule ?? .arcgis; o.bandwidthAdjust = bandwidthAdjust
            if bandwidthRule == .backtest {
                var bo = BacktestJob.Options(); bo.train = backtestWindows[0]; bo.test = backtestWindows[1]; bo.kernel = kernel
                o.backtest = bo
            }
            o.kernel = kernel; o.unit = unit; o.mode = mode; o.smooth = smooth
            o.threshold = threshold; o.recency = recency
            o.dualFiles = dualWith; o.dualOperation = dual; o.dualFloor = dualFloor
            o.map = mapOptions.options
            o.minIncidents = minIncidents
            var p = request(input, areas, output, map: mapOptions)
            p.products.kde = o
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try KDEJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let s = r.surface, g = s.grid
            note("density: \(s.parameters.kernel.rawValue) kernel, bandwidth \(Fmt.fixed(s.parameters.bandwidth, 1)) m (\(r.bandwidthSource)), \(grid.hex == nil ? "cells" : "hexagons") \(Fmt.number(g.cellSize)) m (\(r.cellSource)), \(s.mode.rawValue) evaluation", quiet: input.quiet)
            if let sc = r.sparseCells {
                note("sparse: \(sc.written) cells with a density above 0 of \(g.ncols) × \(g.nrows) = \(g.cellCount); \(sc.hot) hot cells (\(o.threshold.description)); no hotspot polygons", quiet: input.quiet)
            } else {
            note("hotspots: \(r.hotspots.count) polygon(s) (\(o.threshold.description)), holding \(r.hotspots.reduce(0) { $0 + $1.incidents }) incidents", quiet: input.quiet)
            }
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

extension Kernel: ExpressibleByArgument {}
extension DensityUnit: ExpressibleByArgument {}
extension KDEMode: ExpressibleByArgument {}
extension BandwidthRule: ExpressibleByArgument {}

/// `--bandwidth-rule`: a rule of the core, or a choice by backtesting.
enum BandwidthChoice: String, ExpressibleByArgument, CaseIterable {
    case arcgis, nrd, backtest
    var rule: BandwidthRule? { BandwidthRule(rawValue: rawValue) }
}

extension DualOperation: ExpressibleByArgument {}
