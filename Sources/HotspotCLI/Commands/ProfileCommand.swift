import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

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
            p.products.compare = .init(periods: timing.periods, profile: mo)
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try CompareJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
