import ArgumentParser
import Foundation
import HotspotCore
import HotspotIO
import HotspotReports
import HotspotCartography

struct ContextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "The borough against London and its wards against every London ward, from MPS recorded crime.",
        discussion: """
            Reads the London Datastore's MPS recorded crime files (ward level: MajorText, MinorText, WardName, \
            WardCode, LookUp_BoroughName, then one YYYYMM column per month; borough level: Group, SubGroup, BOCU or \
            MajorText, MinorText, LookUp_BoroughName, then months) and populations (CSV of ONS code, name and \
            residents). For two periods of whole months it writes, per borough and for London, counts and rates per \
            1,000 residents per category (all crime, major, minor), the change with the exact Poisson test, and the \
            borough's rank among London's boroughs for the rate and for the change (boroughs.csv); per ward of \
            --borough, the same with its percentile among every London ward (wards.csv); monthly series with an index \
            (first month = 100) and rates, and Mann-Kendall trends, for the borough and London (series.csv, \
            trends.csv); what matched nothing (unmatched.csv); summary.txt; a "<borough> in London" page per category group \
            (all crime and each major category: a map of London's boroughs by rate with --boroughs-layer, the boroughs \
            ranked, the monthly series against London, a table of every category; with --wards-layer and a ward population, a \
            "<borough>'s wards in London" page per category group (and their own PDF): the wards by the percentile of their rate among London's wards, \
            and a table of their rates, changes and percentiles; SVG and one PDF, PNG with --pages png); metadata.json. London is the 32 boroughs \
            the MPS polices, without the City of London, as the MPS and borough assessments define it \
            (--include-city adds the City's residents); rows in no borough (e.g. Aviation Security (SO18)) count in \
            London's total and are listed. Example:
              hotspot context ../shared/data/mps/mps-ward-level-crime-2024-01_2025-12.csv \\
                --population boroughs=../shared/geodata/london/population-boroughs-mid2020.csv \\
                --population wards=../shared/geodata/london/population-wards22-census2021-bestfit.csv \\
                --boroughs-layer ../shared/geodata/london/london-boroughs.gpkg \\
                --wards-layer ../shared/geodata/lewisham/lbl_wd22_proposed_bng.geojson \\
                --borough Lewisham --period 2024-03..2024-09 --period 2025-03..2025-09 --out out/context
            """)
    @Argument(help: ArgumentHelp("MPS recorded crime CSV files: one ward-level and/or one borough-level.", valueName: "file"))
    var files: [String] = []
    @Option(name: .customLong("population"), help: ArgumentHelp("Residents: boroughs=FILE and wards=FILE (CSV with an ONS code, a name and a count column).", valueName: "level=file"))
    var populations: [String] = []
    @Option(name: .customLong("borough"), help: ArgumentHelp("The borough to report on, by name (Lewisham) or E09 code (repeatable).", valueName: "name"))
    var boroughs: [String] = []
    @OptionGroup var periods: PeriodOptions
    @Flag(help: "Count the City of London's residents (and any rows of it) in London.")
    var includeCity = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Flag wards with fewer crimes than this in either period (default 10).", valueName: "count"))
    var smallCount: Int = 10
    @Option(help: ArgumentHelp("Borough boundaries for the pages' map (any OGR polygon source with the boroughs' names or E09 codes, e.g. london-boroughs.gpkg); without it the pages have no map.", valueName: "file"))
    var boroughsLayer: String?
    @Option(help: ArgumentHelp("Ward boundaries of the chosen borough(s) (ward codes or names as in the MPS file, e.g. lbl_wd22_proposed_bng.geojson): adds a \"<borough>'s wards in London\" page per category group (needs --population wards=).", valueName: "file"))
    var wardsLayer: String?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Formats of the \"<borough> in London\" pages: svg and pdf (default: an SVG per page and one PDF of them all), png (a PNG per page), or none.", valueName: "format"))
    var pages: [String] = ["svg", "pdf"]
        @Option(help: ArgumentHelp("Output folder (created if needed).", valueName: "folder"))
    var out: String = "hotspot-out"
    @Flag(name: .shortAndLong, help: "No progress or summary on stderr (warnings and errors still print).")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give an MPS recorded crime file, e.g. hotspot context mps-ward-level-crime.csv --borough Lewisham --period 2024-03..2024-09 --period 2025-03..2025-09") }
        if periods.periods.count != 2 { throw ValidationError("give exactly two --period, e.g. --period 2024-03..2024-09 --period 2025-03..2025-09") }
        if boroughs.isEmpty { throw ValidationError("give the borough to report on, e.g. --borough Lewisham") }
        for p in populations {
            let parts = p.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, ["boroughs", "wards"].contains(parts[0]) else {
                throw ValidationError("--population takes boroughs=FILE or wards=FILE, e.g. --population boroughs=population-boroughs.csv")
            }
        }
        if wardsLayer != nil && population("wards") == nil {
            throw ValidationError("--wards-layer draws ward rates: give the ward residents too, e.g. --population wards=population-wards22-census2021-bestfit.csv")
        }
        try check(smallCount, "--small-count", in: 0...1_000_000, example: "10")
        for f in pages where f != "none" && MapRaster.Format(rawValue: f) == nil {
            throw ValidationError("--pages takes svg, png, pdf or none (e.g. --pages svg png), not '\(f)'")
        }
    }

    func population(_ level: String) -> String? {
        populations.last { $0.hasPrefix(level + "=") }.map { String($0.dropFirst(level.count + 1)) }
    }

    func run() throws {
        try runJob {
            try OutputGuard.check(out: out, inputs: files + [boroughsLayer, wardsLayer].compactMap { $0 } + populations.compactMap { $0.split(separator: "=", maxSplits: 1).last.map(String.init) })
            var o = ContextJob.Options()
            o.files = files; o.boroughPopulation = population("boroughs"); o.wardPopulation = population("wards")
            o.boroughs = boroughs; o.periods = periods.periods; o.includeCity = includeCity; o.smallCount = smallCount; o.out = out
            o.boroughsLayer = boroughsLayer; o.wardsLayer = wardsLayer; o.pageFormats = pages.compactMap(MapRaster.Format.init(rawValue:))
            let (r, written) = try ContextJob.run(o, command: commandLine)
            for line in ContextJob.summaryLines(r, o).prefix(2) { note(line, quiet: quiet) }
            if r.unmatched.rows.count > 0 { note("matched nothing (listed in unmatched.csv): \(r.unmatched.rows.count)", quiet: quiet) }
            reportEnd(warnings: r.warnings, written: written, out: out, quiet: quiet)
        }
    }
}
