import ArgumentParser
import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotReports

struct PspoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pspo",
        abstract: "A PSPO evidence pack: the restricted area, incidents in and around it, trend, displacement, methods.",
        discussion: """
            For a proposed Public Spaces Protection Order (Anti-social Behaviour, Crime and Policing Act 2014, s.59): \
            give the incidents (police.uk and/or council CSVs; --source LABEL=FILE names a file's source), the crime \
            types the restrictions address (--type, repeatable), the period (--from/--to), the proposed restricted \
            area (--area, polygons in WGS84 or BNG; or --from-hotspots to propose one from hotspot polygons), the \
            wards/LSOAs with populations and the study boundary. Writes the pack folder --out: index.html (printable, \
            no network), pack.pdf (headless Chromium), exhibits/ (every table as CSV, every chart and map as SVG and \
            PNG, the boundary as GeoJSON and GeoPackage, the incidents inside as GeoJSON: a sequence number, category, month or date \
            only), quarantine.csv, metadata.json and manifest.json (SHA-256 of every file); and FOLDER.zip beside \
            it. Re-runs with the same inputs give the same bytes. Check a pack later with hotspot verify. Example:
              hotspot pspo api-points-2018.csv --type Drugs --type "Public order" \\
                --area catford-town-centre.geojson --boundary borough.geojson \\
                --areas wards=wards.geojson --population wards=wards_pop.csv \\
                --change 2018-06 --out pspo-catford
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var contextOptions: ContextCLIOptions

    @Option(name: .customLong("area"), help: ArgumentHelp("The proposed restricted area: a GeoJSON or GeoPackage of polygons (several are taken together).", valueName: "file"))
    var area: String?
    @Option(name: .customLong("name"), help: ArgumentHelp("The restricted area's name as printed, e.g. \"Catford town centre\" (default: the feature's name).", valueName: "text"))
    var areaName: String?
    @Option(name: .customLong("restricted-area-epsg"), parsing: .unconditional, help: ArgumentHelp("EPSG of --area when the file does not say (a GeoJSON without crs is WGS84).", valueName: "code"))
    var areaEPSG: Int?
    @Option(name: .customLong("from-hotspots"), help: ArgumentHelp("Propose the area from these hotspot polygons (hotspots.geojson/.gpkg of hotspot kde) instead of --area.", valueName: "file"))
    var fromHotspots: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("With --from-hotspots: buffer distance, metres.", valueName: "metres"))
    var buffer: Double = 50
    @Option(parsing: .unconditional, help: ArgumentHelp("With --from-hotspots: simplification tolerance, metres.", valueName: "metres"))
    var simplify: Double = 10
    @Option(parsing: .unconditional, help: ArgumentHelp("Outer distances of the displacement rings around the area, metres, comma-separated.", valueName: "list"))
    var rings: String = "250,500"
    @Option(parsing: .unconditional, help: ArgumentHelp("Months of the year-on-year window, MM..MM (March–September by default, as the borough reports).", valueName: "MM..MM"))
    var window: String = "03..09"
    @Option(help: ArgumentHelp("A date splitting before from after (YYYY-MM or YYYY-MM-DD), e.g. when an earlier order or a pilot began.", valueName: "date"))
    var change: String?
    @Option(help: ArgumentHelp("Enforcement records CSV: restriction and outcome columns, then one column per protected characteristic (age band, sex, ethnicity…).", valueName: "file"))
    var enforcement: String?
    @Option(name: .customLong("stops"), parsing: .upToNextOption, help: ArgumentHelp("police.uk stop-and-search files as the enforcement section instead of --enforcement: the searches inside the area by object of search, outcome, find rate and ethnicity (give the incident files before this option).", valueName: "file"))
    var stops: [String] = []
    @Option(name: .customLong("suppress-below"), parsing: .unconditional, help: ArgumentHelp("Enforcement and equality tables (and their exhibits) show counts of 1…K−1 as \"<K\", and withhold a second count (\"*\") where one could be worked out from a total; 0 shows every count.", valueName: "K"))
    var suppressBelow: Int = 3
    @Option(help: ArgumentHelp("Residents by ethnic group per ward or LSOA (census table, e.g. 2011 KS201: code, White, Mixed, Asian, Black, Other): each group's share of enforcement beside its share of the residents of the areas the restricted area touches.", valueName: "file"))
    var residents: String?
    @Option(name: .customLong("source"), help: ArgumentHelp("Label an incident file's source, LABEL=FILE (repeatable), e.g. \"council ASB reports=asb.csv\".", valueName: "label=file"))
    var sources: [String] = []
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The pack's date, YYYY-MM-DD (default: the last day the incidents cover).", valueName: "date"))
    var asOf: String?
    @Option(name: .customLong("emerging-cell"), parsing: .unconditional, help: ArgumentHelp("Cell of the emerging hot spot grid, metres.", valueName: "metres"))
    var emergingCell: Double = 100
    @Option(name: .customLong("kde-cell"), parsing: .unconditional, help: ArgumentHelp("Cell of the density surface around the area, metres.", valueName: "metres"))
    var kdeCell: Double = 50
    @Flag(help: "Do not print pack.pdf (no Chromium needed); the rest of the pack is written.")
    var noPdf = false

    var ringList: [Double] { rings.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
    var windowMonths: (Int, Int)? {
        let p = window.components(separatedBy: "..")
        guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]), (1...12).contains(a), (1...12).contains(b), a <= b else { return nil }
        return (a, b)
    }

    func validate() throws {
        if (area == nil) == (fromHotspots == nil) { throw ValidationError("give the proposed restricted area: --area FILE (polygons), or --from-hotspots FILE to propose one from hotspot polygons") }
        try check(buffer, "--buffer", in: 0...5_000, unit: "metres", example: "50")
        try check(simplify, "--simplify", in: 0...1_000, unit: "metres", example: "10")
        try check(emergingCell, "--emerging-cell", in: 10...5_000, unit: "metres", example: "100")
        try check(kdeCell, "--kde-cell", in: 5...2_000, unit: "metres", example: "50")
        try check(suppressBelow, "--suppress-below", in: 0...100, example: "3")
        if residents != nil && enforcement == nil && stops.isEmpty { throw ValidationError("--residents compares enforcement with residents: give --enforcement FILE or --stops FILE… too") }
        if enforcement != nil && !stops.isEmpty { throw ValidationError("give enforcement records (--enforcement FILE) or police.uk stop-and-search files (--stops FILE…), not both") }
        try check(areaEPSG, "--restricted-area-epsg", in: Limits.epsg, example: "27700")
        let r = ringList
        guard !r.isEmpty, r.count == rings.split(separator: ",").count, r.count <= 4, r.allSatisfy({ $0.isFinite && $0 > 0 && $0 <= 5_000 }), zip(r, r.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("--rings takes up to four increasing distances in metres (0–5000), comma-separated, e.g. --rings 250,500")
        }
        if windowMonths == nil { throw ValidationError("--window takes two months MM..MM with the first not after the second, e.g. --window 03..09") }
        if let c = change, DateParser.parse(c) == nil { throw ValidationError("--change '\(c)' is not a date: use YYYY-MM or YYYY-MM-DD, e.g. --change 2018-06") }
        if let a = asOf, DateParser.parse(a) == nil || a.count != 10 { throw ValidationError("--as-of '\(a)' is not a date: use YYYY-MM-DD") }
        for s in sources where !s.contains("=") || s.hasPrefix("=") { throw ValidationError("--source takes LABEL=FILE, e.g. --source \"council ASB reports=asb.csv\"") }
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output)
            p.map.context = contextOptions.specs
            p.map.basemap = try? contextOptions.basemapSpec()
            var r = Project.PspoRequest()
            r.area = area.map { LayerSpec(name: "area", path: $0, epsg: areaEPSG) }
            r.name = areaName; r.fromHotspots = fromHotspots; r.buffer = buffer; r.simplify = simplify
            r.rings = ringList
            (r.windowFirstMonth, r.windowLastMonth) = windowMonths!
            r.change = change.flatMap { DateParser.parse($0)?.day }
            r.enforcement = enforcement; r.stops = stops
            r.suppressBelow = suppressBelow; r.residents = residents
            for s in sources { let i = s.lastIndex(of: "=")!; r.sources[String(s[s.index(after: i)...])] = String(s[..<i]) }
            r.asOf = asOf; r.emergingCell = emergingCell; r.kdeCell = kdeCell; r.pdf = !noPdf
            p.products.pspo = r
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let res = try PspoJob.run(p, command: commandLine)
            note(res.counts.sentence(), quiet: input.quiet)
            note("pack: \(res.name): \(res.inside) incidents inside; \(res.files.count) files in \(output.out), and \(res.zip)", quiet: input.quiet)
            for w in res.warnings { note("warning: \(w)") }
        }
    }
}
