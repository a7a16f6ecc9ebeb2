import ArgumentParser
import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotReports

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Choose the bandwidth, cell and threshold that best predicted the next window, on your own data.",
        discussion: """
            Rolling-origin evaluation: train on a window (--train), test on the window after it (--test), moving on by \
            --step (default: the test window) for as long as the data last; or give explicit --pair TRAIN:TEST \
            windows (e.g. the same months a year later). For every candidate — KDE with each --bandwidths × --cells × \
            --thresholds, Gi* hot cells (95 % after FDR, neighbours within cell × √2), Local Moran's I High-High \
            cells (p < 0.05, 999 permutations, the same neighbours), optimized hot spots (Gi* hot cells at 95 % \
            after FDR at the distance band of `hotspot optimized`), the hot categories of an \
            emerging hot spot analysis of the training months (all but Historical) per cell size, and prospective \
            surfaces (ProMap, Bowers, Johnson & Pease 2004: each KDE candidate with the training incidents weighted \
            by recency, 1/(1 + age) within each --recency window) — the hot \
            area is made from the training incidents only, and scored on the test incidents: hit rate n/N, PAI = \
            (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008: how many times more incidents the area captured than its \
            size predicts), and RRI = (n₂/n₁)/(N₂/N₁) (Levine 2008: whether the area kept its share; near 1 means \
            stable). The recommendation is the best median PAI over the origins among the KDE and prospective candidates, ties \
            to the larger bandwidth. PAI \
            rewards small areas, so compare candidates of similar area (area_pct) and read the hit rate beside it. \
            Origins whose test window holds fewer than --min-test incidents are reported and left out. Writes \
            backtest.csv (one row per candidate), backtest-origins.csv, backtest-pai.svg/.png, metadata.json. Example:
              hotspot backtest 2022-0[3-8]-*.csv --train 3months --test 3months \\
                --bandwidths 100,200,300,400 --cells 100 --boundary borough.geojson
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Training window: 6months (default), 3months, 12weeks, 90days.", valueName: "length"),
            transform: parsed(BacktestJob.Window.init(parsing:), BacktestJob.Window.hint))
    var train: BacktestJob.Window = .months(6)
    @Option(parsing: .unconditional, help: ArgumentHelp("Test window, the one after the training window (default 6months).", valueName: "length"),
            transform: parsed(BacktestJob.Window.init(parsing:), BacktestJob.Window.hint))
    var test: BacktestJob.Window = .months(6)
    @Option(parsing: .unconditional, help: ArgumentHelp("Between origins (default: the test window).", valueName: "length"),
            transform: parsed(BacktestJob.Window.init(parsing:), BacktestJob.Window.hint))
    var step: BacktestJob.Window?
    @Option(name: .customLong("pair"), help: ArgumentHelp("An explicit TRAIN:TEST pair of periods instead of rolling origins, e.g. 2018-03..2018-09:2022-03..2022-09 (repeatable).", valueName: "train:test"),
            transform: parsed(periodPair, "give TRAIN:TEST periods, the test after the training, e.g. --pair 2018-03..2018-09:2022-03..2022-09"))
    var pairs: [[Period]] = []
    @Option(parsing: .unconditional, help: ArgumentHelp("Candidate bandwidths in metres, comma-separated (default 100,150,200,300,400,600,800).", valueName: "list"),
            transform: metresList("--bandwidths", example: "100,200,400"))
    var bandwidths: [Double] = [100, 150, 200, 300, 400, 600, 800]
    @Option(parsing: .unconditional, help: ArgumentHelp("Candidate cell sizes in metres, comma-separated (default 50,100,200).", valueName: "list"),
            transform: metresList("--cells", example: "50,100,200"))
    var cells: [Double] = [50, 100, 200]
    @Option(parsing: .unconditional, help: ArgumentHelp("Candidate thresholds, comma-separated: top:1,top:2,top:5,top:10 (default; or share:P, pct:Q, abs:V).", valueName: "list"),
            transform: parsedList(HotspotThreshold.init(parsing:), "give e.g. top:1,top:5 (or share:P, pct:Q, abs:V)"))
    var thresholds: [HotspotThreshold] = [1, 2, 5, 10].map { .topCells(percent: $0) }
    @Flag(help: "Leave out the Gi* candidates.")
    var noGistar = false
    @Flag(help: "Leave out the Local Moran's I candidates (High-High cells at p < 0.05).")
    var noMoran = false
    @Flag(help: "Leave out the optimized hot spot candidates (Gi* at the distance band found by incremental spatial autocorrelation, hot at 95 % after FDR).")
    var noOptimized = false
    @Flag(help: "Leave out the emerging hot spot candidates.")
    var noEmerging = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Recency windows of the prospective candidates (ProMap: each KDE bandwidth with the training incidents weighted 1/(1 + age), age in whole months or weeks before the window's end), comma-separated: 2months,6months (default), 8weeks (dated data only), or none.", valueName: "list"),
            transform: recencyList)
    var recency: [RecencyWindow] = [.months(2), .months(6)]
    @Option(help: "Kernel of the KDE candidates.")
    var kernel: Kernel = .quartic
    @Option(parsing: .unconditional, help: ArgumentHelp("Fewest test incidents for an origin to count.", valueName: "count"))
    var minTest: Int = 20

    func validate() throws {
        try check(minTest, "--min-test", in: 1...1_000_000, example: "20")
    }

    func run() throws {
        try runJob {
            let p = request(input, areas, output)
            try p.checkOutput()
            var o = BacktestJob.Options()
            o.train = train; o.test = test; o.step = step
            o.pairs = pairs.map { ($0[0], $0[1]) }
            o.bandwidths = bandwidths; o.cells = cells; o.thresholds = thresholds
            o.gistar = !noGistar; o.moran = !noMoran; o.optimized = !noOptimized; o.emerging = !noEmerging; o.recency = recency; o.kernel = kernel; o.minTest = minTest
            ProgressView.install(quiet: input.quiet)
            let r = try BacktestJob.run(p, options: o, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let usable = r.origins.filter { !$0.tooFew }.count
            note("backtest: \(r.candidates.count) candidates × \(r.origins.count) origin(s) (\(usable) usable), \(o.windowsDescription)", quiet: input.quiet)
            let med = BacktestJob.median(r.origins.indices.filter { !r.origins[$0].tooFew }.map { r.scores[r.best][$0].pai })
            let hit = BacktestJob.median(r.origins.indices.filter { !r.origins[$0].tooFew }.map { r.scores[r.best][$0].hitRate })
            note("recommended: \(r.recommended.label): median PAI \(Fmt.fixed(med, 2)), hit rate \(Fmt.fixed(100 * hit, 1))% (\(r.rule))", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

/// `--pair TRAIN:TEST`: two periods, the test after the training, as a two-element list (read once).
@Sendable private func periodPair(_ p: String) -> [Period]? {
    let parts = p.split(separator: ":").map(String.init)
    guard parts.count == 2, let a = Period(parsing: parts[0]), let b = Period(parsing: parts[1]), a.last < b.first else { return nil }
    return [a, b]
}

/// `--recency LIST`: recency windows (`2months,6months`, `8weeks`), or `none` for no prospective candidates.
@Sendable private func recencyList(_ text: String) throws -> [RecencyWindow] {
    if text.lowercased() == "none" { return [] }
    let items = text.split(separator: ",").map { RecencyWindow(parsing: String($0)) }
    guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else {
        throw ValidationError("give recency windows as 2months,6months (1–120 months) or 8weeks (1–520 weeks), or none")
    }
    return Array(Set(items.compactMap { $0 })).sorted { ($0.unit, $0.length) < ($1.unit, $1.length) }
}
