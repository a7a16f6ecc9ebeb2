import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// Decoding of a project file into the request value `Project` (Project.swift). YAML (comments allowed), decoded
/// strictly: an unknown key, a value of the wrong type or out of range, or a missing file stops the run before
/// anything is read or written, with the file, line and key in one message. Paths are relative to the file.
extension Project {
    public struct ProjectError: Error, CustomStringConvertible {
        public var file: String, line: Int, key: String, message: String
        /// A file the project names is missing or unreadable (exit 66), rather than a mistake in the project (64).
        public var missingInput = false
        public var description: String { "\(file):\(line): \(key): \(message)" }
        public init(file: String, line: Int, key: String, message: String, missingInput: Bool = false) {
            self.file = file; self.line = line; self.key = key; self.message = message; self.missingInput = missingInput
        }
    }

    /// Reads and checks a project file: the inputs, boundary, area layers, focus, database, map options, then each
    /// product's section (decoded by the product, `ProductRegistry`) and the `weekly` section.
    public static func load(_ path: String) throws -> Project {
        let (top, dir) = try document(path)
        let m = try top.mapping(["inputs", "boundary", "areas", "focus", "out", "grid_dirs", "map", "products", "weekly", "database", "flatgeobuf"])
        var p = try inputs(m, top: top, path: path, dir: dir)
        if let b = m["boundary"] { p.boundary = try boundary(b) }
        if let a = m["areas"] { p.layers = try layers(a) }
        p.focus = try m["focus"]?.strings() ?? []
        if let d = m["database"] { p.database = try database(d) }
        if let f = m["flatgeobuf"] { p.flatGeobuf = try f.bool() }
        p.gridDirectories = try m["grid_dirs"]?.strings().map { try Field.resolve($0, dir) } ?? []
        if let mp = m["map"] { try mapOptions(mp, into: &p.map, dir: dir) }
        p.map.focus = p.focus
        // A project for `hotspot weekly` alone needs neither products nor a `weekly` section (its defaults serve);
        // `hotspot run` refuses a project without products itself.
        let prods = m["products"] ?? top
        let pm = m["products"] == nil ? [:] : try prods.mapping(Set(ProductRegistry.names))
        for product in ProductRegistry.all {
            if let f = pm[product.name] { try product.decodeSection(f, into: &p) }
        }
        if let k = p.products.kde?.cell { p.weekly.kdeCell = k }
        if let g = p.products.gistar?.cell { p.weekly.gistarCell = g }
        if let w = m["weekly"] { try weekly(w, into: &p.weekly) }
        if p.weekly.map != nil { p.weekly.map = p.map }
        // An empty `products:` section is a mistake; no section at all is a project for `hotspot weekly`.
        guard !p.products.names.isEmpty || m["products"] == nil else { throw prods.error("no product: give at least one of \(ProductRegistry.list)") }
        return p
    }

    /// The file parsed as YAML: its top-level field and its folder (paths are relative to it).
    static func document(_ path: String) throws -> (Field, String) {
        let text = try InputFile.text(path, limit: 1 << 20)
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw ProjectError(file: path, line: 1, key: "(file)", message: "the file is empty") }
            root = n
        } catch let e as ProjectError { throw e } catch let e as YamlError {
            throw ProjectError(file: path, line: Self.line(of: e), key: "(syntax)", message: "not valid YAML: \("\(e)".split(separator: "\n").first ?? "")")
        }
        let dir = (path as NSString).deletingLastPathComponent
        return (Field(node: root, key: "(top level)", file: path, dir: dir), dir)
    }

    /// `inputs:` (files, format, columns, duplicates, types, from, to) and `out:`: the request's start.
    static func inputs(_ m: [String: Field], top: Field, path: String, dir: String) throws -> Project {
        guard let inputs = m["inputs"] else { throw top.error("the project needs an 'inputs' section with 'files'") }
        let im = try inputs.mapping(["files", "format", "columns", "drop_duplicates", "types", "from", "to", "weights", "weights_missing"])
        guard let filesField = im["files"] else { throw inputs.error("'files' is missing: give the incident CSVs, e.g. files: [\"data/*.csv\"]") }
        let files = try filesField.strings().flatMap { try filesField.glob($0) }
        guard !files.isEmpty else { throw filesField.error("no file matches") }
        var p = Project(path: path, files: files, out: try m["out"]?.path() ?? (dir as NSString).appendingPathComponent("hotspot-out"))
        if let f = im["format"] {
            guard let v = IncidentFormat(rawValue: try f.string()) else { throw f.error("use auto, policeuk, stopsearch or csv") }
            p.read.format = v
        }
        if let c = im["columns"] {
            let cm = try c.mapping(["x", "y", "lon", "lat", "date", "time", "date_format", "category", "id", "weight", "epsg"])
            var order = DateOrder.auto
            if let f = cm["date_format"] {
                guard let o = DateOrder(text: try f.string()), o != .auto else { throw f.error("use DD/MM/YYYY or MM/DD/YYYY") }
                order = o
            }
            p.read.mapping = ColumnMapping(x: try cm["x"]?.string(), y: try cm["y"]?.string(), lon: try cm["lon"]?.string(),
                                           lat: try cm["lat"]?.string(), date: try cm["date"]?.string(), category: try cm["category"]?.string(),
                                           id: try cm["id"]?.string(), weight: try cm["weight"]?.string(),
                                           epsg: try cm["epsg"]?.int(Limits.epsg) ?? 27700, time: try cm["time"]?.string(),
                                           dateOrder: order)
        }
        p.read.dropDuplicates = try im["drop_duplicates"]?.bool() ?? false
        try harm(im, into: &p)
        p.read.selection = Selection(types: try im["types"]?.strings() ?? [], from: try im["from"]?.date(end: false), to: try im["to"]?.date(end: true))
        return p
    }

    /// `inputs: weights:` (a harm table, `--weights`) and `weights_missing:` (stop, zero, one).
    static func harm(_ im: [String: Field], into p: inout Project) throws {
        p.read.harmWeights = try im["weights"]?.existingFile()
        if let f = im["weights_missing"] {
            guard let r = HarmWeights.MissingRule(rawValue: try f.string()) else { throw f.error("use stop, zero or one") }
            guard p.read.harmWeights != nil else { throw f.error("goes with 'weights' (a harm table)") }
            p.read.harmMissing = r
        }
        if let w = im["weights"], p.read.mapping.weight != nil {
            throw w.error("a weight column (columns: weight) and a harm table cannot both weigh the incidents: keep one")
        }
    }

    /// `boundary:` — a source, or {file, id, name, epsg}.
    static func boundary(_ b: Field) throws -> LayerSpec {
        if case .scalar = b.node { return LayerSpec(name: "boundary", path: try b.existingSource()) }
        let bm = try b.mapping(["file", "id", "name", "epsg"])
        guard let f = bm["file"] else { throw b.error("'file' is missing") }
        return LayerSpec(name: "boundary", path: try f.existingSource(), idField: try bm["id"]?.string(),
                         nameField: try bm["name"]?.string(), epsg: try bm["epsg"]?.int(Limits.epsg))
    }

    /// `areas:` — named polygon layers, each {file, population, id, name, epsg}.
    static func layers(_ a: Field) throws -> [LayerSpec] {
        try a.orderedMapping().map { name, l in
            guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", options: .regularExpression) != nil, name != "boundary" else {
                throw l.error("a layer name is 1–40 letters, digits, '_' or '-' (and not 'boundary')")
            }
            let lm = try l.mapping(["file", "population", "id", "name", "epsg"])
            guard let f = lm["file"] else { throw l.error("'file' is missing") }
            return LayerSpec(name: name, path: try f.existingSource(), idField: try lm["id"]?.string(), nameField: try lm["name"]?.string(),
                             epsg: try lm["epsg"]?.int(Limits.epsg), population: try lm["population"]?.existingFile())
        }
    }

    /// `database:` — {url, schema}: a connection without its password (that goes in ~/.pgpass, PGPASSFILE or
    /// PGPASSWORD).
    static func database(_ d: Field) throws -> Database {
        let dm = try d.mapping(["url", "schema"])
        guard let u = dm["url"] else { throw d.error("'url' is missing, e.g. url: postgresql://analyst@db.example/crime") }
        let url = try u.string()
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") || url.contains("dbname=") else { throw u.error("use postgresql://USER@HOST/DATABASE") }
        let schema = try dm["schema"]?.string() ?? "hotspot"
        if let sf = dm["schema"], schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) == nil { throw sf.error("a lower-case SQL name") }
        return Database(url: url, schema: schema)
    }
    /// `map:` — paper, orientation, dpi, formats, title, zoom, points, outline, as_of, basemap, context.
    static func mapOptions(_ mp: Field, into map: inout MapOptions, dir: String) throws {
        let mm = try mp.mapping(["paper", "orientation", "dpi", "formats", "title", "zoom", "points", "outline", "as_of", "context", "basemap"])
        if let v = mm["paper"] { guard let x = MapPage.Paper(rawValue: try v.string()) else { throw v.error("use a4 or a3") }; map.page.paper = x }
        if let v = mm["orientation"] {
            guard let x = MapPage.Orientation(rawValue: try v.string()) else { throw v.error("use landscape or portrait") }; map.page.orientation = x
        }
        map.dpi = try mm["dpi"]?.int(Limits.dpi) ?? 300
        if let v = mm["formats"] {
            map.formats = try v.strings().map { s in guard let f = MapRaster.Format(rawValue: s) else { throw v.error("'\(s)': use svg, pdf, png") }; return f }
        }
        map.title = try mm["title"]?.string()
        if let z = mm["zoom"] { let s = try z.string(); guard s == "study" || s == "focus" else { throw z.error("use study or focus") }; map.zoomFocus = s == "focus" }
        map.showPoints = try mm["points"]?.bool() ?? false
        map.outlineLayer = try mm["outline"]?.string()
        map.asOf = try mm["as_of"]?.string()
        if let b = mm["basemap"] { map.basemap = try basemap(b) }
        // context: [{name: stations, file: stations.geojson, label: name, attribution: "…"}]
        if let c = mm["context"] {
            map.context = try c.list().map { item in
                let cm = try item.mapping(["name", "file", "label", "attribution"])
                guard let name = try cm["name"]?.string(), let file = cm["file"] else { throw item.error("a context layer needs name: and file:") }
                return ContextLayerReader.Spec(name: name, source: try Field.resolve(try file.string(), dir), labelField: try cm["label"]?.string(),
                                               attribution: try cm["attribution"]?.string())
            }
        }
    }

    /// `basemap: {url: "https://…/{z}/{x}/{y}.png", attribution: "…", crs: 3857, max_tiles: 256}`.
    static func basemap(_ b: Field) throws -> BasemapSpec {
        let bm = try b.mapping(["url", "attribution", "crs", "max_tiles"])
        guard let u = bm["url"] else { throw b.error("a basemap needs url:") }
        let crs = try bm["crs"].map { f -> Basemap.Scheme in guard let c = Basemap.Scheme(rawValue: try f.string()) else { throw f.error("use 3857 or 27700") }; return c } ?? .webMercator
        do {
            return try BasemapSpec(url: try u.string(), scheme: crs, attribution: try bm["attribution"]?.string(), maxTiles: try bm["max_tiles"]?.int(1...2_000) ?? 256)
        } catch let e as InputError { throw b.error(e.description) }
    }

    /// `weekly:` — the windows (in periods: weeks, or months with --monthly; `*_weeks` are the older names of
    /// `*_periods`), cells, suppression, baseline and tracking of `hotspot weekly`.
    static func weekly(_ w: Field, into o: inout WeeklyJob.Options) throws {
        let wm = try w.mapping(["hotspot_weeks", "gistar_weeks", "emerging_weeks", "hotspot_periods", "gistar_periods", "emerging_periods",
                                "kde_cell", "gistar_cell", "suppress_below", "map", "baseline", "track_from"])
        func periods(_ key: String, _ range: ClosedRange<Int>) throws -> (Int, Field)? {
            guard let f = wm["\(key)_periods"] ?? wm["\(key)_weeks"] else { return nil }
            return (try f.int(range), f)
        }
        o.hotspotPeriods = try periods("hotspot", 1...52)?.0
        o.gistarPeriods = try periods("gistar", 1...52)?.0
        if let (e, f) = try periods("emerging", 0...260) {
            guard e == 0 || e >= WeeklyJob.minEmergingSteps else {
                throw f.error("emerging hot spots need at least \(WeeklyJob.minEmergingSteps) periods (no trend over fewer can be significant); give 0 for no emerging layer")
            }
            o.emergingPeriods = e
        }
        if let b = wm["baseline"] {
            guard let r = WeeklyJob.PeriodRange(parsing: try b.string()) else {
                throw b.error("give the baseline as FROM..TO periods, e.g. 2025-W01..2025-W52 (weeks) or 2024-01..2024-12 (months)")
            }
            o.baseline = r
        }
        o.trackFrom = try wm["track_from"]?.string()
        o.kdeCell = try wm["kde_cell"]?.double(Limits.cellSize) ?? o.kdeCell
        o.gistarCell = try wm["gistar_cell"]?.double(Limits.cellSize) ?? o.gistarCell
        o.suppressBelow = try wm["suppress_below"]?.int(0...1000) ?? 0
        if try wm["map"]?.bool() == false { o.map = nil }
    }

    static func line(of e: YamlError) -> Int {
        switch e {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        default: return 1
        }
    }

    /// One value of the file with where it is, for messages.
    public struct Field {
        let node: Node, key: String, file: String, dir: String
        var line: Int { node.mark?.line ?? 1 }
        func error(_ m: String) -> ProjectError { ProjectError(file: file, line: line, key: key, message: m) }
        /// A file this field names cannot be read: the reader's own message, typed as a missing input.
        func inputError(_ e: Error) -> ProjectError { ProjectError(file: file, line: line, key: key, message: "\(e)", missingInput: true) }

        func orderedMapping() throws -> [(String, Field)] {
            // A section written with nothing under it (`weekly:`) is an empty one: its defaults serve.
            if case .scalar(let s) = node, ["", "~", "null"].contains(s.string) { return [] }
            guard case .mapping(let m) = node else { throw error("expected a mapping (key: value lines)") }
            return try m.map { k, v in
                guard case .scalar(let s) = k else { throw error("keys must be plain words") }
                return (s.string, Field(node: v, key: key == "(top level)" ? s.string : "\(key).\(s.string)", file: file, dir: dir))
            }
        }
        /// The keys of a mapping, refusing any not in `allowed`.
        func mapping(_ allowed: Set<String>) throws -> [String: Field] {
            var out: [String: Field] = [:]
            for (k, f) in try orderedMapping() {
                guard allowed.contains(k) else {
                    throw ProjectError(file: file, line: f.line, key: f.key, message: "unknown key; \(key == "(top level)" ? "the file" : key) takes \(allowed.sorted().joined(separator: ", "))")
                }
                guard out[k] == nil else { throw ProjectError(file: file, line: f.line, key: f.key, message: "given twice") }
                out[k] = f
            }
            return out
        }
        func string() throws -> String {
            guard case .scalar(let s) = node else { throw error("expected a single value") }
            return s.string
        }
        /// The items of a list (`- …` lines), each with its place for messages.
        func list() throws -> [Field] {
            guard case .sequence(let q) = node else { throw error("expected a list (- item lines)") }
            return q.enumerated().map { k, n in Field(node: n, key: "\(key)[\(k + 1)]", file: file, dir: dir) }
        }
        func strings() throws -> [String] {
            switch node {
            case .scalar(let s): return [s.string]
            case .sequence(let q): return try q.map { n in guard case .scalar(let s) = n else { throw error("expected a list of values") }; return s.string }
            default: throw error("expected a value or a list")
            }
        }
        func double(_ range: ClosedRange<Double>) throws -> Double {
            guard let v = Double(try string()), v.isFinite, range.contains(v) else {
                throw error("expected a number from \(Fmt.number(range.lowerBound)) to \(Fmt.number(range.upperBound))")
            }
            return v
        }
        func int(_ range: ClosedRange<Int>) throws -> Int {
            guard let v = Int(try string()), range.contains(v) else { throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return v
        }
        func cellRule() throws -> CellSizeRule {
            guard let v = CellSizeRule(rawValue: try string()) else { throw error("use sfhotspot or arcgis") }
            return v
        }
        func adjust() throws -> PAdjustment {
            guard let v = PAdjustment(rawValue: try string()) else { throw error("use \(PAdjustment.list)") }
            return v
        }
        func hex() throws -> HexOrientation {
            guard let v = HexOrientation(rawValue: try string()) else { throw error("use flat or pointy") }
            return v
        }
        /// `[XMIN, YMIN, XMAX, YMAX]` in EPSG:27700 metres.
        func extent() throws -> Extent {
            guard case .sequence(let q) = node, q.count == 4 else { throw error("expected [XMIN, YMIN, XMAX, YMAX] in EPSG:27700 metres") }
            let v = try q.map { n -> Double in
                guard case .scalar(let s) = n, let d = Double(s.string), d.isFinite, abs(d) <= 2_000_000 else {
                    throw error("expected [XMIN, YMIN, XMAX, YMAX] in EPSG:27700 metres")
                }
                return d
            }
            guard v[0] < v[2], v[1] < v[3] else { throw error("XMIN must be below XMAX and YMIN below YMAX") }
            return Extent(minX: v[0], minY: v[1], maxX: v[2], maxY: v[3])
        }
        func bool() throws -> Bool {
            switch try string().lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw error("expected true or false")
            }
        }
        func date(end: Bool) throws -> Int {
            guard let d = DateParser.parse(try string()) else { throw error("expected a date, YYYY-MM or YYYY-MM-DD") }
            guard end && d.isMonth else { return d.day }
            let c = CivilDate.civil(days: d.day)
            return CivilDate.days(year: c.year, month: c.month, day: CivilDate.daysInMonth(year: c.year, month: c.month))
        }
        static func resolve(_ p: String, _ dir: String) throws -> String {
            p.hasPrefix("/") ? p : (dir as NSString).appendingPathComponent(p)
        }
        func path() throws -> String { try Field.resolve(try string(), dir) }
        /// A polygon source: a file relative to the project file, `file.gpkg:layer`, or a `PG:` connection string.
        func existingSource() throws -> String {
            let s = try string()
            if s.hasPrefix("PG:") { return s }
            let p = try path()
            if let (file, _) = PolygonLayerReader.ogrSource(p), file != p {
                do { try InputFile.check(file) } catch { throw self.inputError(error) }
                return p
            }
            return try existingFile()
        }
        func existingFile() throws -> String {
            let p = try path()
            do { try InputFile.check(p) } catch { throw self.inputError(error) }
            return p
        }
        /// A path or a glob pattern (`data/2022-*.csv`), relative to the project file; matches sorted.
        /// A police.uk archive's force (`data/2024-01.zip#metropolitan`) is its street members, read in place.
        func glob(_ pattern: String) throws -> [String] {
            let full = try Field.resolve(pattern, dir)
            if ArchiveInput.split(full) != nil && ArchiveInput.member(full) == nil {
                do { return try ArchiveInput.expand([full], force: nil) } catch InputError.unreadable(let a, let why) {
                    throw InputError.unreadable("\(file):\(line): \(key): \(a)", why)   // damaged, or without that force: 65
                } catch { throw self.inputError(error) }
            }
            if !pattern.contains(where: { "*?[".contains($0) }) {
                do { try InputFile.check(full) } catch { throw self.inputError(error) }
                return [full]
            }
            var g = glob_t()
            defer { globfree(&g) }
            guard Glibc.glob(full, 0, nil, &g) == 0 else { throw self.error("no file matches \(pattern)") }
            return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
        }
    }
}
