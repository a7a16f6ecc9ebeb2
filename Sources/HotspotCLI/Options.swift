import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

/// Numeric options must be finite and in a stated range: a value outside it is refused before anything is read.
func check(_ value: Double?, _ flag: String, in range: ClosedRange<Double>, unit: String = "", example: String) throws {
    guard let v = value else { return }
    guard v.isFinite, range.contains(v) else {
        throw ValidationError("\(flag) must be a number\(unit.isEmpty ? "" : " of \(unit)") from \(Fmt.number(range.lowerBound)) to \(Fmt.number(range.upperBound)) (got \(v)), e.g. \(flag) \(example)")
    }
}

func check(_ value: Int?, _ flag: String, in range: ClosedRange<Int>, example: String) throws {
    guard let v = value else { return }
    guard range.contains(v) else { throw ValidationError("\(flag) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \(v)), e.g. \(flag) \(example)") }
}

/// Incident files and how to read them.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Incident CSV files (police.uk street-level, stop and search, or mapped CSV).",
                                 valueName: "file"))
    var files: [String] = []

    @Option(help: "Input format: auto (from the header), policeuk, stopsearch, csv.")
    var format: IncidentFormat = .auto

    @Option(name: .customLong("x-col"), help: "csv: column of eastings/x (with --y-col and --epsg).")
    var xCol: String?
    @Option(name: .customLong("y-col"), help: "csv: column of northings/y.")
    var yCol: String?
    @Option(name: .customLong("lon-col"), help: "csv: column of longitudes (WGS84 degrees).")
    var lonCol: String?
    @Option(name: .customLong("lat-col"), help: "csv: column of latitudes (WGS84 degrees).")
    var latCol: String?
    @Option(name: .customLong("date-col"), help: "csv: column of dates: YYYY-MM-DD, YYYY/MM/DD, an ISO 8601 date-time, YYYY-MM (a month), or DD/MM/YYYY or MM/DD/YYYY with --date-format; a time after the date is kept.")
    var dateCol: String?
    @Option(name: .customLong("time-col"), help: "csv: column of times of day (hh:mm or hh:mm:ss) going with --date-col; a blank cell leaves the time unknown.")
    var timeCol: String?
    @Option(name: .customLong("date-format"), help: ArgumentHelp("csv: how dates such as 05/01/2022 are read, DD/MM/YYYY or MM/DD/YYYY (also with - or . between); needed only for them, as the order is never guessed.", valueName: "layout"))
    var dateFormat: String?
    @Option(name: .customLong("category-col"), help: "csv: column of categories (crime types).")
    var categoryCol: String?
    @Option(name: .customLong("id-col"), help: "csv: column of incident ids (used to spot duplicate rows).")
    var idCol: String?
    @Option(name: .customLong("weight-col"), help: "csv: column of non-negative weights (severity, harm).")
    var weightCol: String?
    @Option(help: ArgumentHelp("A harm table, CSV: crime type (or offence code) → weight, e.g. the Cambridge Crime Harm Index or the ONS Crime Severity Score you are licensed to use; areas, grid, kde, gistar, moran, emerging, compare, profile and pspo then weigh each incident by its type and name the sums harm (inspect ignores it). Columns and the '# source:' line: docs/how-to/harm.md.", valueName: "file.csv"))
    var weights: String?
    @Option(name: .customLong("weights-missing"), help: ArgumentHelp("With --weights, incidents of a type the table lacks weigh zero or one; by default (stop) such types stop the run (exit 64), listed with their incidents.", valueName: "stop|zero|one"))
    var weightsMissing: HarmWeights.MissingRule?
    @Option(parsing: .unconditional, help: "csv: EPSG code of --x-col/--y-col (default 27700, British National Grid).")
    var epsg: Int = 27700

    @Option(name: .customLong("type"), help: ArgumentHelp("Analyse only this crime type (repeatable), e.g. --type Burglary --type Robbery: a police.uk crime type or a value of --category-col, matched ignoring case.", valueName: "type"))
    var types: [String] = []
    @Option(help: ArgumentHelp("Analyse only incidents on or after this date: YYYY-MM (its first day) or YYYY-MM-DD.", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("Analyse only incidents on or before this date: YYYY-MM (its last day) or YYYY-MM-DD.", valueName: "date"))
    var to: String?

    @Flag(help: "Drop rows identical to an earlier row (they go to the quarantine file). Rows without an id (anti-social behaviour) are never treated as duplicates.")
    var dropDuplicates = false

    @Option(name: .customLong("grid-dir"), help: "Folder holding PROJ transformation grids (e.g. uk_os_OSTN15_NTv2_OSGBtoETRS.tif: OSTN15, PROJ reports 1 m from WGS 84 where the Helmert fallback reports 2 m; for GPS coordinates. police.uk points fit the Helmert default: docs/explanation/data-caveats.md).")
    var gridDirectories: [String] = []

    @Flag(help: "No progress or summary messages on stderr (warnings and errors still print).")
    var quiet = false

    @Flag(help: "Read the files afresh, neither using nor filling the incident store (see `hotspot store`; HOTSPOT_STORE=off does the same for every command).")
    var noStore = false

    @Option(name: .customLong("from-db"), help: ArgumentHelp("Read incidents from a PostgreSQL/PostGIS table (with --table) instead of files: a postgresql:// URI or libpq string; the password from ~/.pgpass, PGPASSFILE or PGPASSWORD. Its rows go through the same column mapping (--date-col, --x-col …; a point geometry is read as x/y in its own CRS), validation and quarantine as a CSV's.", valueName: "url"))
    var fromDB: String?
    @Option(help: ArgumentHelp("With --from-db: the table or view, schema.table when not in the search path.", valueName: "name"))
    var table: String?

    @Option(help: ArgumentHelp("Read police.uk archives given as files (YYYY-MM.zip) directly: this force's street files in them, e.g. --force metropolitan (or write ARCHIVE.zip#FORCE).", valueName: "name"))
    var force: String?

    var sourceTable: Project.TableSource? { fromDB.map { Project.TableSource(url: $0, table: table ?? "") } }

    mutating func validate() throws {
        // Archives: ARCHIVE.zip#FORCE (or ARCHIVE.zip with --force) become the force's street members, read in place.
        if force != nil && !files.contains(where: { $0.lowercased().hasSuffix(".zip") }) {
            throw ValidationError("--force \(force!) picks a force's files out of police.uk archives: give an archive, e.g. data/2024-01.zip --force \(force!)")
        }
        do { files = try ArchiveInput.expand(files, force: force) } catch let e as InputError {
            switch e {
            case .missingFile, .notAFile: fail(e.description, Exit.noInput)
            default: fail(e.description, Exit.dataError)
            }
        }
        if (fromDB == nil) != (table == nil) { throw ValidationError("--from-db and --table go together, e.g. --from-db postgresql://analyst@db/crime --table incidents") }
        if files.isEmpty && fromDB == nil { throw ValidationError("give at least one incident CSV file, e.g. hotspot areas data/2022-03-metropolitan-street.csv … (or --from-db URL --table NAME); an option taking several files (--crime, --stops) takes every file up to the next option, so put the input files first") }
        if (xCol == nil) != (yCol == nil) { throw ValidationError("--x-col and --y-col go together") }
        if (lonCol == nil) != (latCol == nil) { throw ValidationError("--lon-col and --lat-col go together") }
        if xCol != nil && lonCol != nil { throw ValidationError("give either --x-col/--y-col or --lon-col/--lat-col, not both") }
        try check(epsg, "--epsg", in: Limits.epsg, example: "27700")
        if let f = dateFormat, DateOrder(text: f) == nil || DateOrder(text: f) == .auto {
            throw ValidationError("--date-format must be DD/MM/YYYY or MM/DD/YYYY (got '\(f)'), e.g. --date-format DD/MM/YYYY")
        }
        if weights != nil && weightCol != nil { throw ValidationError("--weights and --weight-col both weigh the incidents: give one (a harm table by crime type, or a column of the file)") }
        if weightsMissing != nil && weights == nil { throw ValidationError("--weights-missing goes with --weights FILE.csv (a harm table)") }
        if timeCol != nil && dateCol == nil { throw ValidationError("--time-col goes with --date-col, e.g. --date-col date --time-col time") }
        for (flag, v) in [("--from", from), ("--to", to)] {
            if let v, DateParser.parse(v) == nil { throw ValidationError("\(flag) '\(v)' is not a date: use YYYY-MM or YYYY-MM-DD (years \(DateParser.years.lowerBound)–\(DateParser.years.upperBound)), e.g. \(flag) 2022-03") }
        }
        if let a = selection.from, let b = selection.to, a > b { throw ValidationError("--from \(from!) is after --to \(to!)") }
        if format == .csv && (dateCol == nil || (xCol == nil && lonCol == nil)) {
            throw ValidationError("--format csv needs --date-col and either --x-col/--y-col (with --epsg) or --lon-col/--lat-col")
        }
    }

    var readOptions: ReadOptions {
        var o = ReadOptions()
        o.format = format
        o.mapping = ColumnMapping(x: xCol, y: yCol, lon: lonCol, lat: latCol, date: dateCol, category: categoryCol,
                                  id: idCol, weight: weightCol, epsg: epsg, time: timeCol,
                                  dateOrder: dateFormat.flatMap { DateOrder(text: $0) } ?? .auto)
        o.dropDuplicates = dropDuplicates
        o.selection = selection
        o.harmWeights = weights
        o.harmMissing = weightsMissing ?? .stop
        o.useStore = !noStore
        return o
    }

    /// --type/--from/--to; a month as --to means its last day.
    var selection: Selection {
        let f = from.flatMap { DateParser.parse($0)?.day }
        let t = to.flatMap { s -> Int? in
            guard let d = DateParser.parse(s) else { return nil }
            guard d.isMonth else { return d.day }
            let c = CivilDate.civil(days: d.day)
            return CivilDate.days(year: c.year, month: c.month, day: CivilDate.daysInMonth(year: c.year, month: c.month))
        }
        return Selection(types: types, from: f, to: t)
    }
}

/// `NAME=VALUE` (`--areas wards=wards.geojson`, `--area-id lsoa=LSOA11CD`), read once.
struct Named<Value: Sendable>: Sendable {
    var name: String, value: Value
    /// A transform for a `NAME=VALUE` option whose VALUE `parse` reads; `flag` and `example` make the refusal.
    static func argument(_ flag: String, example: String, hint: String = "", _ parse: @escaping @Sendable (String) -> Value?) -> @Sendable (String) throws -> Named {
        { s in
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { throw ValidationError("give NAME=VALUE, e.g. \(flag) \(example)") }
            guard let v = parse(String(s[s.index(after: eq)...])) else { throw ValidationError(hint) }
            return Named(name: String(s[..<eq]), value: v)
        }
    }
}

/// Polygon layers: wards, LSOAs, any named layer, and a study boundary.
struct AreaOptions: ParsableArguments {
    @Option(name: .customLong("areas"), help: ArgumentHelp(
        "A polygon layer as NAME=FILE (repeatable), e.g. wards=wards.geojson lsoa=lsoa.gpkg: GeoJSON, GeoPackage, Shapefile or any polygon file GDAL reads. GeoJSON is WGS84 unless it declares a crs (e.g. EPSG:27700).",
        valueName: "name=file"), transform: Named.argument("--areas", example: "wards=wards.geojson") { $0 })
    var layers: [Named<String>] = []
    @Option(name: .customLong("area-id"), help: ArgumentHelp("Id property for a layer, NAME=FIELD (default: detected, e.g. LSOA11CD, ons_code).", valueName: "name=field"),
            transform: Named.argument("--area-id", example: "lsoa=LSOA11CD") { $0 })
    var areaID: [Named<String>] = []
    @Option(name: .customLong("area-name"), help: ArgumentHelp("Name property for a layer, NAME=FIELD (default: detected, e.g. LSOA11NM, name).", valueName: "name=field"),
            transform: Named.argument("--area-name", example: "lsoa=LSOA11NM") { $0 })
    var areaName: [Named<String>] = []
    @Option(name: .customLong("area-epsg"), help: ArgumentHelp("Declare a layer's EPSG, NAME=CODE, when the file does not.", valueName: "name=code"),
            transform: Named.argument("--area-epsg", example: "wards=27700", hint: "the EPSG code must be a number, e.g. wards=27700") { Int($0) })
    var areaEPSG: [Named<Int>] = []
    @Option(name: .customLong("population"), help: ArgumentHelp("Population CSV for a layer, NAME=FILE (id column first, population last), giving rates per 1,000 residents.", valueName: "name=file"),
            transform: Named.argument("--population", example: "wards=wards_population.csv") { $0 })
    var population: [Named<String>] = []
    @Option(help: ArgumentHelp("Study-area boundary (polygons: GeoJSON, GeoPackage, Shapefile or any polygon file GDAL reads): incidents outside it are quarantined ('outside study area'); the grid extent comes from it.", valueName: "file"))
    var boundary: String?

    /// NAME → VALUE (a later repetition wins, as before).
    func dict<V>(_ list: [Named<V>]) -> [String: V] { Dictionary(list.map { ($0.name, $0.value) }, uniquingKeysWith: { _, b in b }) }

    func validate() throws {
        var seen = Set<String>()
        for name in layers.map(\.name) {
            guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", options: .regularExpression) != nil else {
                throw ValidationError("--areas \(name)=…: a layer name is 1–40 letters, digits, '_' or '-' (it names output files), e.g. wards or lsoa")
            }
            guard name != "boundary" else { throw ValidationError("--areas boundary=…: 'boundary' is the --boundary layer's name; call this layer something else") }
            guard seen.insert(name).inserted else { throw ValidationError("--areas \(name) is given twice: give each layer a different name") }
        }
        let named: [(String, [String])] = [("--area-id", areaID.map(\.name)), ("--area-name", areaName.map(\.name)),
                                           ("--population", population.map(\.name)), ("--area-epsg", areaEPSG.map(\.name))]
        for (flag, names) in named {
            for k in Set(names).sorted() where !seen.contains(k) && !(k == "boundary" && boundary != nil && flag != "--population") {
                throw ValidationError("\(flag) names layer '\(k)', but no --areas \(k)=FILE\(flag == "--population" ? "" : " (or --boundary FILE for 'boundary')") is given")
            }
        }
    }

    /// The --boundary layer, with any --area-id/--area-name/--area-epsg given for 'boundary'.
    var boundarySpec: LayerSpec? {
        guard let boundary else { return nil }
        return LayerSpec(name: "boundary", path: boundary, idField: dict(areaID)["boundary"], nameField: dict(areaName)["boundary"],
                         epsg: dict(areaEPSG)["boundary"])
    }

    var specs: [LayerSpec] {
        let ids = dict(areaID), names = dict(areaName), pops = dict(population), epsgs = dict(areaEPSG)
        return layers.map { l in
            LayerSpec(name: l.name, path: l.value, idField: ids[l.name], nameField: names[l.name], epsg: epsgs[l.name], population: pops[l.name])
        }
    }
}

/// Grid geometry.
struct GridOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Cell size in metres. Default: the --cell-rule.", valueName: "metres"))
    var cell: Double?
    @Option(help: "Default cell-size rule: sfhotspot (shorter extent side / 50, rounded down to 100 m) or arcgis (shorter side / 250).")
    var cellRule: CellSizeRule = .sfhotspot
    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Grid extent XMIN YMIN XMAX YMAX in EPSG:27700 metres. It sets the grid only: incidents outside it still add density near its edge (KDE); statistics on cells (Gi*, emerging) count the incidents inside it. Use it rather than --boundary when the area of interest is part of a larger dataset; --boundary removes the incidents outside it.",
        valueName: "xmin ymin xmax ymax"))
    var extent: [Double] = []
    @Option(parsing: .unconditional, help: "Refuse grids with more cells than this.")
    var maxCells: Int = Limits.defaultMaxCells
    @Flag(help: "Keep only cells that touch the --boundary.")
    var clip = false
    @Option(help: ArgumentHelp("Hexagons instead of squares: flat (flat-topped) or pointy; --cell is then the distance across flats in metres.", valueName: "orientation"))
    var hex: HexOrientation?
    @Flag(help: "Hold and write only the occupied cells (Gi* and emerging: and their neighbours), for national extents whose full grid does not fit: a 100 m grid over England and Wales has over 40 million cells. grid, kde, gistar and emerging; --max-cells does not apply.")
    var sparse = false

    func validate() throws {
        try check(cell, "--cell", in: Limits.cellSize, unit: "metres", example: "100")
        if sparse && hex != nil { throw ValidationError("--sparse takes square cells: remove --hex") }
        if sparse && clip { throw ValidationError("--sparse keeps the occupied cells, it cannot --clip to a boundary: remove --clip (--boundary alone keeps the incidents inside it)") }
        try check(maxCells, "--max-cells", in: Limits.maxCells, example: "5000000")
        if !extent.isEmpty {
            guard extent.count == 4, extent.allSatisfy({ $0.isFinite && abs($0) <= 2_000_000 }), extent[0] < extent[2], extent[1] < extent[3] else {
                throw ValidationError("--extent takes four EPSG:27700 numbers XMIN YMIN XMAX YMAX with XMIN < XMAX and YMIN < YMAX, e.g. --extent 533000 170000 541000 178000")
            }
        }
    }
}

/// Where a statistic runs: on grid cells (default) or on a polygon layer, and who the neighbours are.
struct LocationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run on this polygon layer (one of --areas, e.g. wards or LSOAs) instead of a grid.", valueName: "name"))
    var on: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Neighbours: queen (default; on a grid, distance cell × √2), rook, distance:METRES, knn:K (polygons).", valueName: "rule"),
            transform: parsed(NeighbourRule.init(parsing:), NeighbourRule.hint))
    var neighbours: NeighbourRule?

    /// `--on NAME` must name one of the `--areas` layers.
    func check(_ areas: AreaOptions) throws {
        if let on, !areas.layers.contains(where: { $0.name == on }) { throw ValidationError("--on \(on) needs --areas \(on)=FILE") }
    }

    var rule: NeighbourRule? { neighbours }
}

struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Output folder (created if needed).", valueName: "folder"))
    var out: String = "hotspot-out"
    @Option(name: .customLong("to-db"), help: ArgumentHelp("Also write every polygon layer to PostgreSQL/PostGIS: a postgresql:// URI or a libpq string, e.g. postgresql://analyst@db.example/crime. Put the password in ~/.pgpass, PGPASSFILE or PGPASSWORD, not here; it is never recorded.", valueName: "url"))
    var database: String?
    @Option(help: ArgumentHelp("With --to-db: the schema of the tables (created if needed).", valueName: "name"))
    var schema: String = "hotspot"
    @Flag(name: .customLong("flatgeobuf"), help: "Also write every polygon layer as NAME.fgb: FlatGeobuf in EPSG:27700 with its spatial index (project file: flatgeobuf: true).")
    var flatGeobuf = false

    func validate() throws {
        if let d = database, !(d.hasPrefix("postgresql://") || d.hasPrefix("postgres://") || d.contains("dbname=") || d.hasPrefix("PG:")) {
            throw ValidationError("--to-db takes a PostgreSQL connection: postgresql://USER@HOST/DATABASE (or 'dbname=… host=…')")
        }
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw ValidationError("--schema is a lower-case SQL name (letters, digits, _), e.g. --schema hotspot")
        }
    }
}

extension GridOptions {
    var gridExtent: Extent? { extent.count == 4 ? Extent(minX: extent[0], minY: extent[1], maxX: extent[2], maxY: extent[3]) : nil }
}

/// Context layers for maps (`--context NAME=SOURCE`, with their label fields and attributions).
struct ContextCLIOptions: ParsableArguments {
    @Option(name: .customLong("context"), help: ArgumentHelp("A context layer to find the way by (roads and outlines drawn over the classes, town-centre fills beneath): NAME=SOURCE, any OGR source of lines (roads: OS Open Roads roadClassification/function, OSM highway/railway), points (stations) or polygons (town centres), e.g. stations=stations.geojson (repeatable).", valueName: "name=source"))
    var context: [String] = []
    @Option(name: .customLong("context-label"), help: ArgumentHelp("The field a context layer's labels come from: NAME=FIELD (default: name, name1, sitename… when present; NAME= for none).", valueName: "name=field"))
    var contextLabel: [String] = []
    @Option(name: .customLong("context-attribution"), help: ArgumentHelp("The attribution line a context layer's licence asks for: NAME=TEXT (default: the ODbL line for OpenStreetMap data, the OS line for OS Open Roads).", valueName: "name=text"))
    var contextAttribution: [String] = []

    @Option(name: .customLong("basemap"), help: ArgumentHelp("A tiled basemap under the map: an XYZ URL with {z}/{x}/{y} (Web Mercator, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png, or OS Maps API ZXY with --basemap-crs 27700) or WMTS:capabilities-url,layer=NAME. Fetched through GDAL at the zoom that matches the print scale, cached in HOTSPOT_TILE_CACHE (default ~/.cache/hotspot/tiles) so redraws work offline.", valueName: "url"))
    var basemap: String?
    @Option(name: .customLong("basemap-attribution"), help: ArgumentHelp("The attribution line the basemap's licence asks for (known for openstreetmap.org and os.uk URLs; required for others).", valueName: "text"))
    var basemapAttribution: String?
    @Option(name: .customLong("basemap-crs"), parsing: .unconditional, help: ArgumentHelp("The XYZ tile matrix: 3857 (Web Mercator, default) or 27700 (OS Maps API British National Grid).", valueName: "epsg"))
    var basemapCRS: Basemap.Scheme = .webMercator
    @Option(name: .customLong("basemap-max-tiles"), parsing: .unconditional, help: ArgumentHelp("At most this many tiles per map (1–2000; tile servers forbid bulk downloads).", valueName: "n"))
    var basemapMaxTiles: Int = 256

    /// The basemap asked for, or nil.
    func basemapSpec() throws -> BasemapSpec? {
        guard let url = basemap else { return nil }
        do { return try BasemapSpec(url: url, scheme: basemapCRS, attribution: basemapAttribution, maxTiles: basemapMaxTiles) }
        catch let e as InputError { throw ValidationError(e.description) }
    }

    /// The context layers, with their label fields and attributions.
    var specs: [ContextLayerReader.Spec] {
        let labels = Self.dictionary(contextLabel), credits = Self.dictionary(contextAttribution)
        return Self.pairs(context).map { ContextLayerReader.Spec(name: $0.0, source: $0.1, labelField: labels[$0.0], attribution: credits[$0.0]) }
    }
    static func pairs(_ list: [String]) -> [(String, String)] {
        list.compactMap { s in
            guard let eq = s.firstIndex(of: "=") else { return nil }
            return (String(s[..<eq]), String(s[s.index(after: eq)...]))
        }
    }
    static func dictionary(_ list: [String]) -> [String: String] {
        Dictionary(pairs(list), uniquingKeysWith: { _, b in b })
    }

    func validate() throws {
        try check(basemapMaxTiles, "--basemap-max-tiles", in: 1...2_000, example: "256")
        _ = try basemapSpec()
        for (flag, list) in [("--context", context), ("--context-label", contextLabel), ("--context-attribution", contextAttribution)] {
            for s in list where !s.contains("=") || s.hasPrefix("=") {
                throw ValidationError("\(flag) '\(s)' needs NAME=VALUE, e.g. --context stations=stations.geojson")
            }
        }
        let names = Self.pairs(context).map(\.0)
        guard Set(names).count == names.count else { throw ValidationError("--context names a layer twice: give each context layer its own NAME") }
        for s in Self.pairs(contextLabel) + Self.pairs(contextAttribution) where !names.contains(s.0) {
            throw ValidationError("'\(s.0)' is not a --context layer: add --context \(s.0)=SOURCE")
        }
        for (_, source) in Self.pairs(context) where !source.hasPrefix("PG:") {
            let file = PolygonLayerReader.ogrSource(source)?.file ?? source
            guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("--context: no such file \(file)") }
        }
    }
}

/// A print map of the product (SVG, PDF, PNG) beside its layers.
struct MapCLIOptions: ParsableArguments {
    @Flag(help: "Also draw the product as a print map: map.svg (vector), map.pdf, map.png, in British National Grid.")
    var map = false
    @Option(name: .customLong("map-format"), help: ArgumentHelp("Map formats, comma-separated: svg, pdf, png (default all three).", valueName: "list"))
    var mapFormat: String?
    @Option(help: "Paper: a4 (default) or a3.")
    var paper: MapPage.Paper?
    @Option(help: "Orientation: landscape (default) or portrait.")
    var orientation: MapPage.Orientation?
    @Option(parsing: .unconditional, help: ArgumentHelp("PNG resolution in dots per inch (72–600, default 300).", valueName: "dpi"))
    var dpi: Int?
    @Option(help: ArgumentHelp("Map title (default: the crime types and the product).", valueName: "text"))
    var title: String?
    @Option(name: .customLong("focus"), help: ArgumentHelp("An area to highlight (and, in compare, to report on), by name or code, e.g. \"Rushey Green\" (repeatable).", valueName: "name"))
    var focus: [String] = []
    @Option(help: ArgumentHelp("What the map frames: study (the boundary or the data, default) or focus (the --focus areas).", valueName: "study|focus"))
    var zoom: String?
    @Flag(help: "Draw the incidents as points.")
    var points = false
    @Option(name: .customLong("outline"), help: ArgumentHelp("Also outline the areas of this --areas layer (e.g. lsoa), thinly and without labels.", valueName: "name"))
    var outline: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Print 'Map made DATE' (YYYY-MM-DD); without it the map carries no date, so re-runs are byte-identical.", valueName: "date"))
    var asOf: String?
    @OptionGroup var contextOptions: ContextCLIOptions

    var formats: [MapRaster.Format] { (mapFormat ?? "svg,pdf,png").split(separator: ",").compactMap { MapRaster.Format(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) } }

    func validate() throws {
        let parts = (mapFormat ?? "svg,pdf,png").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !parts.isEmpty, parts.allSatisfy({ MapRaster.Format(rawValue: $0) != nil }) else {
            throw ValidationError("--map-format '\(mapFormat ?? "")' is not understood: give svg, pdf and/or png, e.g. --map-format svg,png")
        }
        if let dpi { try check(dpi, "--dpi", in: Limits.dpi, example: "300") }
        guard zoom == nil || zoom == "study" || zoom == "focus" else { throw ValidationError("--zoom takes study or focus") }
        // (hotspot map FOLDER, where --map is implied, may zoom on the focus areas the run recorded.)
        if zoom == "focus" && focus.isEmpty && map { throw ValidationError("--zoom focus needs at least one --focus AREA, e.g. --focus \"Rushey Green\"") }
        if let a = asOf, DateParser.parse(a) == nil { throw ValidationError("--as-of '\(a)' is not a date: use YYYY-MM-DD") }
    }

    /// What `hotspot map FOLDER` was told, each option overriding what the run's map drew.
    var overrides: MapRedrawJob.Overrides {
        var v = MapRedrawJob.Overrides()
        v.title = title; v.paper = paper; v.orientation = orientation; v.dpi = dpi
        v.formats = mapFormat == nil ? nil : formats
        v.focus = focus.isEmpty ? nil : focus; v.zoomFocus = zoom.map { $0 == "focus" }; v.points = points ? true : nil
        v.outline = outline; v.asOf = asOf
        v.context = contextOptions.context.isEmpty ? nil : contextOptions.specs
        v.basemap = try? contextOptions.basemapSpec()
        return v
    }

    /// The map to draw, or nil without --map.
    var options: MapOptions? {
        guard map else { return nil }
        var o = MapOptions()
        o.page = MapPage(paper: paper ?? .a4, orientation: orientation ?? .landscape)
        o.formats = formats; o.dpi = dpi ?? 300; o.title = title; o.focus = focus; o.zoomFocus = zoom == "focus"
        o.showPoints = points; o.outlineLayer = outline; o.asOf = asOf
        o.context = contextOptions.specs
        o.basemap = try? contextOptions.basemapSpec()
        return o
    }
}

extension MapPage.Paper: ExpressibleByArgument {}
extension Basemap.Scheme: ExpressibleByArgument {}
extension MapPage.Orientation: ExpressibleByArgument {}
extension IncidentFormat: ExpressibleByArgument {}
extension CellSizeRule: ExpressibleByArgument {}
extension HexOrientation: ExpressibleByArgument {}
extension HarmWeights.MissingRule: ExpressibleByArgument {}

/// A value read once, by the parser project files use (`init(parsing:)`): the option holds the typed value, so
/// neither `validate()` nor `run()` parses it again. A value the parser does not take is refused (exit 64) with
/// what to write instead.
func parsed<T>(_ parse: @escaping @Sendable (String) -> T?, _ hint: String) -> @Sendable (String) throws -> T {
    { text in
        guard let v = parse(text) else { throw ValidationError(hint) }
        return v
    }
}

extension StepLength: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    /// As it is written on the command line (help's "(default: month)").
    public var defaultValueDescription: String {
        switch self {
        case .months(let n): return n == 1 ? "month" : "\(n)months"
        case .weeks: return "week"
        case .days(let n): return "\(n)days"
        }
    }
    static let hint = "use month, 6months, week or 7days"
}

/// A comma-separated list read once, each item by `parse` (`--thresholds top:1,top:5`).
func parsedList<T>(_ parse: @escaping @Sendable (String) -> T?, _ hint: String) -> @Sendable (String) throws -> [T] {
    { text in
        let items = text.split(separator: ",").map { parse(String($0)) }
        guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else { throw ValidationError(hint) }
        return items.compactMap { $0 }
    }
}

extension Period { static let hint = "use YYYY-MM..YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (first ≤ last, years \(DateParser.years.lowerBound)–\(DateParser.years.upperBound)), e.g. --period 2019-03..2019-09" }
extension HotspotThreshold { static let hint = "use top:5, share:50, abs:120 or pct:99" }
extension NeighbourRule { static let hint = "use queen, rook, distance:METRES (1–100000, e.g. distance:400) or knn:K (1–1000, e.g. knn:8)" }
extension BacktestJob.Window { static let hint = "use 6months, 3months, 12weeks or 90days" }

/// A date option, YYYY-MM or YYYY-MM-DD, read once: its day number (the first of the month for YYYY-MM) and text.
struct DateArgument: Sendable {
    var text: String, day: Int
    static let hint = "not a date: use YYYY-MM or YYYY-MM-DD"
    static func parse(_ s: String) -> DateArgument? { DateParser.parse(s).map { DateArgument(text: s, day: $0.day) } }
}

/// Candidate distances in metres, comma-separated, each 1–100000; read once, duplicates dropped, in order.
func metresList(_ flag: String, example: String) -> @Sendable (String) throws -> [Double] {
    { s in
        let v = s.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        let ok = v.compactMap { $0 }.filter { $0.isFinite && $0 >= Limits.distance.lowerBound && $0 <= Limits.distance.upperBound }
        guard !v.isEmpty, ok.count == v.count else { throw ValidationError("\(flag) takes metres from 1 to 100000, comma-separated, e.g. \(flag) \(example)") }
        return Array(Set(ok)).sorted()
    }
}
