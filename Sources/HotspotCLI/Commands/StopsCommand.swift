import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct StopsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stops",
        abstract: "Stop and search: counts per area by type, object, legislation, outcome, age, gender and ethnicity; find rates; disproportionality.",
        discussion: """
            Reads police.uk stop-and-search files, rows without a location included: they are \
            counted in a 'no_location' row of every table (the borough's and each layer's), outside every rate. Find rates (find-rates.csv): the share of searches with an \
            outcome other than no further action, and the share whose outcome is linked to the object of search, per \
            area and object, with Wilson 95 % intervals and k and n. Disproportionality (disproportionality.csv): \
            searches per 1,000 residents of each census group (--population-by-group NAME[:MEASURE]=FILE: columns \
            White, Black, Asian, Mixed, Other; --population-totals NAME:MEASURE=FILE another measure, a table's totals \
            times the group shares) and the ratio to the White group's rate with a Katz log 95 % interval; \
            counts below --suppress-below are shown as <K. Residents are not the population available to be \
            stopped. Writes counts-borough.csv, counts-NAME.csv, find-rates.csv, disproportionality.csv, \
            stops-NAME.geojson/.gpkg/.qml, monthly.svg/.png (searches per month, all and by type), the one-page \
            summary stops-summary.svg/.pdf (--pages; a page per --period; with several population measures \
            disproportionality-measures.csv), summary.txt (with \
            --by-type type-test.csv; with --cell stops-grid and counts-grid.csv), quarantine.csv, metadata.json. Example:
              hotspot stops stop-and-search/*.csv --boundary wards.geojson \\
                --areas wards=wards.geojson \\
                --population-by-group wards=ethnicity_wards.csv --out stops-out
            Searches beside street crime (--crime: street-crime files, read as every other product reads \
            incidents; --type then selects crime types, not objects of search): searches-vs-crime.csv (per area and \
            cell: searches, crimes, searches per 100 crimes, per 1,000 residents, ranks) and \
            searches-vs-crime-summary.csv (per layer: Spearman's rank correlation with its 95 % interval, Fisher z, \
            and p). --map draws stops-map.svg/.pdf/.png: searches stacked by map point over the kernel density of \
            crime (without --crime: over the searches per ward). stops-points.geojson/.gpkg/.qml: one feature per map \
            point. Example:
              hotspot stops stop-and-search/*.csv --crime street/*.csv \\
                --boundary wards.geojson --areas wards=wards.geojson \\
                --cell 500 --map --out stops-crime
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("population-by-group"), help: ArgumentHelp("Residents by ethnic group for a layer, NAME=FILE or NAME:MEASURE=FILE (id column first; columns White, Black, Asian, Mixed, Other; repeatable: several measures side by side).", valueName: "name=file"),
            transform: Named.argument("--population-by-group", example: "wards=lbl_ethnicity_wd22.csv") { $0 })
    var populationByGroup: [Named<String>] = []
    @Option(name: .customLong("population-totals"), help: ArgumentHelp("Another population measure for a layer, LAYER:NAME=FILE: FILE's residents per area (id first, the last numeric column the total) times the group shares of the layer's first --population-by-group table, e.g. wards:census2021=population-wards22-census2021.csv. Several measures: disproportionality-measures.csv puts the borough's ratios side by side.", valueName: "layer:name=file"),
            transform: Named.argument("--population-totals", example: "wards:census2021=population-wards22-census2021.csv") { $0 })
    var populationTotals: [Named<String>] = []
    @Option(parsing: .unconditional, help: "Show counts of 1 to K-1 in the disproportionality table as <K (0 or 1: none).")
    var suppressBelow: Int = 3
    @Flag(help: "Also give every find rate and ratio per search type (person, person and vehicle, vehicle), and test person against person-and-vehicle find rates (type-test.csv).")
    var byType = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Also count searches per square grid cell of this size (metres; cells touching --boundary): stops-grid layer and counts-grid.csv.", valueName: "m"))
    var cell: Double?
    @Option(name: .customLong("crime"), parsing: .upToNextOption, help: ArgumentHelp("Street-crime files to set the searches beside (police.uk street-level or mapped CSV, read as other products read incidents; --type then selects crime types): searches-vs-crime.csv and its summary, and the crime density under --map.", valueName: "file"))
    var crime: [String] = []
    @OptionGroup var mapOptions: MapCLIOptions
    @OptionGroup var page: StopsPageOptions

    func validate() throws {
        try check(suppressBelow, "--suppress-below", in: StopsJob.suppressRange, example: "3")
        if let c = cell { try check(c, "--cell", in: Limits.cellSize, unit: "metres", example: "250") }
        try page.check()
        for g in populationByGroup + populationTotals where !areas.layers.contains(where: { $0.name == StopsMeasures.layer(of: g.name) }) {
            let l = StopsMeasures.layer(of: g.name)
            throw ValidationError("\(populationTotals.contains { $0.name == g.name } ? "--population-totals" : "--population-by-group") \(g.name)=…: no layer is called \(l); give it with --areas \(l)=FILE")
        }
        for g in populationTotals where !g.name.contains(":") || g.name.hasSuffix(":") {
            throw ValidationError("--population-totals \(g.name)=…: name the measure, LAYER:NAME=FILE, e.g. wards:census2021=population-wards22-census2021.csv")
        }
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output, map: mapOptions)
            p.products.stops = .init(suppressBelow: suppressBelow, populationByGroup: areas.dict(populationByGroup), byType: byType)
            p.products.stops?.cell = cell
            p.products.stops?.map = mapOptions.options
            // As a project file spells it: the inputs are the crimes, stops: {files} the searches.
            if !crime.isEmpty { p.products.stops?.files = p.files; p.files = crime }
            page.apply(to: &p.products.stops!)
            p.products.stops?.populationTotals = areas.dict(populationTotals)
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try StopsJob.run(p, command: commandLine)
            for line in r.summary.split(separator: "\n").dropLast() { note(String(line), quiet: input.quiet) }
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}
