import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

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
    var periods: [Period] { timing.periods }

    func validate() throws {
        try check(cell, "--cell", in: Limits.cellSize, unit: "metres", example: "250")
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output)
            p.focus = focus
            p.products.compare = .init(periods: periods, cell: cell)
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
