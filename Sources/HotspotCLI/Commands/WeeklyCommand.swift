import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct WeeklyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weekly",
        abstract: "The neighbourhood team's weekly (or monthly) layers: incidents, wards, hotspots, Gi*, emerging, manifest.",
        discussion: """
            Builds OUT/layers/PERIOD/ from a project file (its inputs, boundary and ward layer; OUT is its 'out'): \
            incidents-PERIOD.geojson, wards-PERIOD, hotspots-PERIOD, gistar-PERIOD, emerging-PERIOD (GeoJSON + \
            GeoPackage + QGIS style each), layers-PERIOD.gpkg, map-PERIOD.* and manifest.json; the newest period built \
            is also in OUT/layers/latest/ under fixed names (wards.geojson, layers.gpkg…): point QGIS at it once.
            Hotspot ids and status (new/continuing/ended) are tracked from the data, so any build order gives the same \
            layers; ward colours are fixed from a baseline (weekly: baseline: FROM..TO; default the data's first 52 \
            weeks). police.uk's data are monthly: build months with --monthly (windows in months: 3- and 12-month \
            averages, 12 monthly emerging steps). Examples:
              hotspot weekly project.yaml --week 2026-W47
              hotspot weekly project.yaml --since-last
              hotspot weekly project.yaml --monthly --week 2018-09
            """)
    @Argument(help: ArgumentHelp("The project file.", valueName: "project.yaml"))
    var project: String
    @Option(help: ArgumentHelp("The ISO week to build, e.g. 2026-W47 (with --monthly, the month: 2018-09).", valueName: "YYYY-Www"))
    var week: String?
    @Flag(help: "Calendar months instead of ISO weeks (police.uk's monthly data): --week then takes YYYY-MM.")
    var monthly = false
    @Flag(help: "Build the newest complete week (month) in the data.")
    var latest = false
    @Flag(help: "Build every period after the newest one already built, up to the newest complete one.")
    var sinceLast = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Blank counts from 1 to K−1 in the ward and grid layers (for publication); 0 = none.", valueName: "K"))
    var suppressBelow: Int = 0
    @Flag(help: "Do not draw the week's map (map-WEEK.svg/.pdf/.png).")
    var noMap = false
    @Flag(help: "No progress or summary messages on stderr (warnings and errors still print).")
    var quiet = false
    @Flag(help: "Read the files afresh, neither using nor filling the incident store (see `hotspot store`).")
    var noStore = false

    func validate() throws {
        guard [week != nil, latest, sinceLast].filter({ $0 }).count == 1 else { throw ValidationError("give one of --week YYYY-Www, --latest or --since-last") }
        if let w = week, unit.start(w) == nil {
            throw ValidationError(monthly ? "--week '\(w)' is not a month: with --monthly use YYYY-MM, e.g. 2025-10" : "--week '\(w)' is not an ISO week: use YYYY-Www, e.g. 2026-W47")
        }
        try check(suppressBelow, "--suppress-below", in: 0...1000, example: "3")
    }

    var unit: WeeklyJob.Unit { monthly ? .month : .week }

    func run() throws {
        try runJob {
            var p = try Project.load(project)
            if noStore { p.read.useStore = false }
            var o = p.weekly
            if suppressBelow > 0 { o.suppressBelow = suppressBelow }
            if noMap { o.map = nil }
            o.unit = unit
            var weeks: [String]
            if let week { weeks = [week] } else {
                let newest = try WeeklyJob.latestWeek(p, unit: unit)
                weeks = [newest]
                if sinceLast, let target = unit.start(newest) {
                    let layers = (p.out as NSString).appendingPathComponent("layers")
                    let built = ((try? FileManager.default.contentsOfDirectory(atPath: layers)) ?? []).compactMap(unit.start).max()
                    if let b = built {
                        weeks = []
                        var d = unit.shift(b, 1)
                        while d <= target { weeks.append(unit.label(d)); d = unit.shift(d, 1) }
                        if weeks.isEmpty { note("nothing to build: \(unit.label(b)) is the newest complete period", quiet: quiet) }
                    }
                }
            }
            for w in weeks {
                let r = try WeeklyJob.run(p, week: w, options: o, command: commandLine)
                for x in r.warnings { note("warning: \(x)") }
                note("\(r.week): " + r.features.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + " → \(r.folder)", quiet: quiet)
            }
        }
    }
}
