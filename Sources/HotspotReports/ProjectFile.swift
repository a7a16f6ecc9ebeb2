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

    /// Reads and checks a project file.
    public static func load(_ path: String) throws -> Project {
        let text = try InputFile.text(path, limit: 1 << 20)
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw ProjectError(file: path, line: 1, key: "(file)", message: "the file is empty") }
            root = n
        } catch let e as ProjectError { throw e } catch let e as YamlError {
            throw ProjectError(file: path, line: Self.line(of: e), key: "(syntax)", message: "not valid YAML: \("\(e)".split(separator: "\n").first ?? "")")
        }
        let dir = (path as NSString).deletingLastPathComponent
        let top = Field(node: root, key: "(top level)", file: path, dir: dir)
        let m = try top.mapping(["inputs", "boundary", "areas", "focus", "out", "grid_dirs", "map", "products", "weekly", "database"])
        guard let inputs = m["inputs"] else { throw top.error("the project needs an 'inputs' section with 'files'") }
        let im = try inputs.mapping(["files", "format", "columns", "drop_duplicates", "types", "from", "to"])
        guard let filesField = im["files"] else { throw inputs.error("'files' is missing: give the incident CSVs, e.g. files: [\"data/*.csv\"]") }
        let files = try filesField.strings().flatMap { try filesField.glob($0) }
        guard !files.isEmpty else { throw filesField.error("no file matches") }
        var p = Project(path: path, files: files, out: try m["out"]?.path() ?? (dir as NSString).appendingPathComponent("hotspot-out"))
        if let f = im["format"] {
            guard let v = IncidentFormat(rawValue: try f.string()) else { throw f.error("use auto, policeuk, stopsearch or csv") }
            p.read.format = v
        }
        if let c = im["columns"] {
            let cm = try c.mapping(["x", "y", "lon", "lat", "date", "category", "id", "weight", "epsg"])
            p.read.mapping = ColumnMapping(x: try cm["x"]?.string(), y: try cm["y"]?.string(), lon: try cm["lon"]?.string(),
                                           lat: try cm["lat"]?.string(), date: try cm["date"]?.string(), category: try cm["category"]?.string(),
                                           id: try cm["id"]?.string(), weight: try cm["weight"]?.string(),
                                           epsg: try cm["epsg"]?.int(1024...999_999) ?? 27700)
        }
        p.read.dropDuplicates = try im["drop_duplicates"]?.bool() ?? false
        p.read.selection = Selection(types: try im["types"]?.strings() ?? [], from: try im["from"]?.date(end: false), to: try im["to"]?.date(end: true))
        if let b = m["boundary"] {
            if case .scalar = b.node { p.boundary = LayerSpec(name: "boundary", path: try b.existingSource()) } else {
                let bm = try b.mapping(["file", "id", "name", "epsg"])
                guard let f = bm["file"] else { throw b.error("'file' is missing") }
                p.boundary = LayerSpec(name: "boundary", path: try f.existingSource(), idField: try bm["id"]?.string(),
                                       nameField: try bm["name"]?.string(), epsg: try bm["epsg"]?.int(1024...999_999))
            }
        }
        if let a = m["areas"] {
            for (name, l) in try a.orderedMapping() {
                guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", options: .regularExpression) != nil, name != "boundary" else {
                    throw l.error("a layer name is 1–40 letters, digits, '_' or '-' (and not 'boundary')")
                }
                let lm = try l.mapping(["file", "population", "id", "name", "epsg"])
                guard let f = lm["file"] else { throw l.error("'file' is missing") }
                p.layers.append(LayerSpec(name: name, path: try f.existingSource(), idField: try lm["id"]?.string(), nameField: try lm["name"]?.string(),
                                          epsg: try lm["epsg"]?.int(1024...999_999), population: try lm["population"]?.existingFile()))
            }
        }
        p.focus = try m["focus"]?.strings() ?? []
        if let d = m["database"] {
            // A connection without its password: that goes in ~/.pgpass, PGPASSFILE or PGPASSWORD.
            let dm = try d.mapping(["url", "schema"])
            guard let u = dm["url"] else { throw d.error("'url' is missing, e.g. url: postgresql://analyst@db.example/crime") }
            let url = try u.string()
            guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") || url.contains("dbname=") else { throw u.error("use postgresql://USER@HOST/DATABASE") }
            let schema = try dm["schema"]?.string() ?? "hotspot"
            guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else { throw dm["schema"]!.error("a lower-case SQL name") }
            p.database = Database(url: url, schema: schema)
        }
        p.gridDirectories = try m["grid_dirs"]?.strings().map { try Field.resolve($0, dir) } ?? []
        if let mp = m["map"] {
            let mm = try mp.mapping(["paper", "orientation", "dpi", "formats", "title", "zoom", "points", "outline", "as_of", "context", "basemap"])
            if let v = mm["paper"] { guard let x = MapPage.Paper(rawValue: try v.string()) else { throw v.error("use a4 or a3") }; p.map.page.paper = x }
            if let v = mm["orientation"] {
                guard let x = MapPage.Orientation(rawValue: try v.string()) else { throw v.error("use landscape or portrait") }; p.map.page.orientation = x
            }
            p.map.dpi = try mm["dpi"]?.int(72...600) ?? 300
            if let v = mm["formats"] {
                p.map.formats = try v.strings().map { s in guard let f = MapRaster.Format(rawValue: s) else { throw v.error("'\(s)': use svg, pdf, png") }; return f }
            }
            p.map.title = try mm["title"]?.string()
            if let z = mm["zoom"] { let s = try z.string(); guard s == "study" || s == "focus" else { throw z.error("use study or focus") }; p.map.zoomFocus = s == "focus" }
            p.map.showPoints = try mm["points"]?.bool() ?? false
            p.map.outlineLayer = try mm["outline"]?.string()
            p.map.asOf = try mm["as_of"]?.string()
            // basemap: {url: "https://…/{z}/{x}/{y}.png", attribution: "…", crs: 3857, max_tiles: 256}
            if let b = mm["basemap"] {
                let bm = try b.mapping(["url", "attribution", "crs", "max_tiles"])
                guard let u = bm["url"] else { throw b.error("a basemap needs url:") }
                let crs = try bm["crs"].map { f -> Basemap.Scheme in guard let c = Basemap.Scheme(rawValue: try f.string()) else { throw f.error("use 3857 or 27700") }; return c } ?? .webMercator
                do {
                    p.map.basemap = try BasemapSpec(url: try u.string(), scheme: crs, attribution: try bm["attribution"]?.string(), maxTiles: try bm["max_tiles"]?.int(1...2_000) ?? 256)
                } catch let e as InputError { throw b.error(e.description) }
            }
            // context: [{name: stations, file: stations.geojson, label: name, attribution: "…"}]
            if let c = mm["context"] {
                p.map.context = try c.list().map { item in
                    let cm = try item.mapping(["name", "file", "label", "attribution"])
                    guard let name = try cm["name"]?.string(), let file = cm["file"] else { throw item.error("a context layer needs name: and file:") }
                    return ContextLayerReader.Spec(name: name, source: try Field.resolve(try file.string(), dir), labelField: try cm["label"]?.string(),
                                                   attribution: try cm["attribution"]?.string())
                }
            }
        }
        p.map.focus = p.focus
        // A project for `hotspot weekly` alone needs neither products nor a `weekly` section (its defaults serve);
        // `hotspot run` refuses a project without products itself.
        let prods = m["products"] ?? top
        let pm = m["products"] == nil ? [:] : try prods.mapping(["areas", "grid", "kde", "gistar", "emerging", "compare", "pspo"])
        if let a = pm["areas"] {
            guard !p.layers.isEmpty else { throw a.error("areas needs an 'areas' section with at least one layer") }
            p.products.areas = AreasRequest(map: try a.mapping(["map"])["map"]?.bool() ?? false ? p.map : nil)
        }
        if let g = pm["grid"] {
            let gm = try g.mapping(["cell", "cell_rule", "hex", "extent", "clip", "map", "max_cells"])
            var r = GridRequest()
            r.cell = try gm["cell"]?.double(1...100_000)
            r.rule = try gm["cell_rule"]?.cellRule() ?? .sfhotspot
            r.hex = try gm["hex"]?.hex()
            r.extent = try gm["extent"]?.extent()
            r.clip = try gm["clip"]?.bool() ?? false
            r.maxCells = try gm["max_cells"]?.int(1...200_000_000) ?? 5_000_000
            if try gm["map"]?.bool() ?? false { r.map = p.map }
            p.products.grid = r
        }
        if let k = pm["kde"] {
            let km = try k.mapping(["cell", "cell_rule", "hex", "extent", "max_cells", "bandwidth", "bandwidth_rule", "bandwidth_adjust",
                                    "backtest_windows", "kernel", "unit", "mode", "threshold", "smooth", "min_incidents", "clip", "map"])
            var o = KDEOptions()
            o.cell = try km["cell"]?.double(1...100_000)
            o.cellRule = try km["cell_rule"]?.cellRule() ?? .sfhotspot
            o.hex = try km["hex"]?.hex()
            o.extent = try km["extent"]?.extent()
            o.maxCells = try km["max_cells"]?.int(1...200_000_000) ?? 5_000_000
            o.bandwidth = try km["bandwidth"]?.double(1...100_000)
            o.bandwidthAdjust = try km["bandwidth_adjust"]?.double(0.01...100) ?? 1
            if let u = km["unit"] { guard let v = DensityUnit(rawValue: try u.string()) else { throw u.error("use per_km2 or per_m2") }; o.unit = v }
            if let m = km["mode"] { guard let v = KDEMode(rawValue: try m.string()) else { throw m.error("use auto, exact or binned") }; o.mode = v }
            o.smooth = try km["smooth"]?.bool() ?? false
            // `backtest` (as `--bandwidth-rule backtest`): the bandwidth that best predicted the next window, over
            // `backtest_windows` (TRAIN:TEST, default 6months:6months, as `--backtest-windows`).
            var backtestRule = false
            if let r = km["bandwidth_rule"] {
                let s = try r.string()
                if s == "backtest" { backtestRule = true } else {
                    guard let v = BandwidthRule(rawValue: s) else { throw r.error("use arcgis, nrd or backtest") }; o.bandwidthRule = v
                }
            }
            if let r = km["kernel"] { guard let v = Kernel(rawValue: try r.string()) else { throw r.error("use quartic, epanechnikov, triangular, uniform or gaussian") }; o.kernel = v }
            if let w = km["backtest_windows"], !backtestRule { throw w.error("backtest_windows goes with bandwidth_rule: backtest") }
            if backtestRule {
                let text = try km["backtest_windows"]?.string() ?? "6months:6months"
                let parts = text.split(separator: ":").map(String.init)
                guard parts.count == 2, let tr = BacktestJob.Window(parsing: parts[0]), let te = BacktestJob.Window(parsing: parts[1]) else {
                    throw (km["backtest_windows"] ?? k).error("backtest_windows takes TRAIN:TEST, each like 6months, 3months, 12weeks or 90days, e.g. 3months:3months")
                }
                var bo = BacktestJob.Options(); bo.train = tr; bo.test = te; bo.kernel = o.kernel
                o.backtest = bo
            }
            if let t = km["threshold"] { guard let v = HotspotThreshold(parsing: try t.string()) else { throw t.error("use top:5, share:50, abs:120 or pct:99") }; o.threshold = v }
            o.minIncidents = try km["min_incidents"]?.int(0...1_000_000) ?? 0
            o.clip = try km["clip"]?.bool() ?? false
            if try km["map"]?.bool() ?? false { o.map = p.map }
            p.products.kde = o
        }
        if let g = pm["gistar"] {
            let gm = try g.mapping(["cell", "cell_rule", "hex", "extent", "max_cells", "on", "neighbours", "fdr", "permutations", "seed", "clip", "map"])
            var r = GiStarRequest()
            r.cell = try gm["cell"]?.double(1...100_000)
            r.on = try gm["on"]?.string()
            r.rule = try gm["cell_rule"]?.cellRule() ?? .sfhotspot
            r.hex = try gm["hex"]?.hex()
            r.extent = try gm["extent"]?.extent()
            r.maxCells = try gm["max_cells"]?.int(1...200_000_000) ?? 5_000_000
            r.seed = UInt64(try gm["seed"]?.int(0...Int.max) ?? 12345)
            if let n = gm["neighbours"] { guard let v = NeighbourRule(parsing: try n.string()) else { throw n.error("use queen, rook, distance:400 or knn:8") }; r.neighbours = v }
            if let on = r.on, !p.layers.contains(where: { $0.name == on }) { throw gm["on"]!.error("no layer '\(on)' in 'areas'") }
            r.fdr = try gm["fdr"]?.bool() ?? true
            r.permutations = try gm["permutations"]?.int(0...99_999) ?? 0
            r.clip = try gm["clip"]?.bool() ?? false
            if try gm["map"]?.bool() ?? false { r.map = p.map }
            p.products.gistar = r
        }
        if let e = pm["emerging"] {
            let em = try e.mapping(["cell", "on", "step", "start", "end", "window", "clip", "map"])
            var o = EmergingJobOptions()
            o.cell = try em["cell"]?.double(1...100_000)
            if let on = em["on"] {
                let name = try on.string()
                guard p.layers.contains(where: { $0.name == name }) else { throw on.error("no layer '\(name)' in 'areas'") }
                o.on = name
            }
            if let s = em["step"] { guard let v = StepLength(parsing: try s.string()) else { throw s.error("use month, 6months, week or 7days") }; o.step = v }
            o.start = try em["start"]?.date(end: false)
            o.end = try em["end"]?.date(end: true)
            o.window = try em["window"]?.int(0...100) ?? 1
            o.clip = try em["clip"]?.bool() ?? false
            if try em["map"]?.bool() ?? false { o.map = p.map }
            p.products.emerging = o
        }
        if let c = pm["compare"] {
            let cm = try c.mapping(["periods", "cell", "profile"])
            guard let pf = cm["periods"] else { throw c.error("'periods' is missing, e.g. periods: [2019-03..2019-09, 2020-03..2020-09]") }
            let ps = try pf.strings().map { s in guard let v = Period(parsing: s) else { throw pf.error("'\(s)' is not a period: use YYYY-MM..YYYY-MM") }; return v }
            guard ps.count >= 2 else { throw pf.error("give at least two periods") }
            for k in 1..<ps.count where ps[k].first <= ps[k - 1].last { throw pf.error("periods must be in order and must not overlap") }
            var profile: MapOptions?
            if try cm["profile"]?.bool() ?? false { var m = p.map; m.page.orientation = .portrait; profile = m }
            p.products.compare = CompareRequest(periods: ps, cell: try cm["cell"]?.double(1...100_000), profile: profile)
        }
        if let s = pm["pspo"] { p.products.pspo = try pspo(s) }
        if let k = p.products.kde?.cell { p.weekly.kdeCell = k }
        if let g = p.products.gistar?.cell { p.weekly.gistarCell = g }
        if let w = m["weekly"] {
            let wm = try w.mapping(["hotspot_weeks", "gistar_weeks", "emerging_weeks", "hotspot_periods", "gistar_periods", "emerging_periods",
                                    "kde_cell", "gistar_cell", "suppress_below", "map", "baseline", "track_from"])
            // Windows count periods: weeks, or months with --monthly (`*_weeks` are the older names of `*_periods`).
            func periods(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
                try (wm["\(key)_periods"] ?? wm["\(key)_weeks"])?.int(range)
            }
            p.weekly.hotspotPeriods = try periods("hotspot", 1...52)
            p.weekly.gistarPeriods = try periods("gistar", 1...52)
            if let e = try periods("emerging", 0...260) {
                guard e == 0 || e >= WeeklyJob.minEmergingSteps else {
                    throw (wm["emerging_periods"] ?? wm["emerging_weeks"])!.error("emerging hot spots need at least \(WeeklyJob.minEmergingSteps) periods (no trend over fewer can be significant); give 0 for no emerging layer")
                }
                p.weekly.emergingPeriods = e
            }
            if let b = wm["baseline"] {
                guard let r = WeeklyJob.PeriodRange(parsing: try b.string()) else {
                    throw b.error("give the baseline as FROM..TO periods, e.g. 2025-W01..2025-W52 (weeks) or 2024-01..2024-12 (months)")
                }
                p.weekly.baseline = r
            }
            p.weekly.trackFrom = try wm["track_from"]?.string()
            p.weekly.kdeCell = try wm["kde_cell"]?.double(1...100_000) ?? p.weekly.kdeCell
            p.weekly.gistarCell = try wm["gistar_cell"]?.double(1...100_000) ?? p.weekly.gistarCell
            p.weekly.suppressBelow = try wm["suppress_below"]?.int(0...1000) ?? 0
            if try wm["map"]?.bool() == false { p.weekly.map = nil }
        }
        if p.weekly.map != nil { p.weekly.map = p.map }
        // An empty `products:` section is a mistake; no section at all is a project for `hotspot weekly`.
        guard !p.products.names.isEmpty || m["products"] == nil else { throw prods.error("no product: give at least one of areas, grid, kde, gistar, emerging, compare, pspo") }
        return p
    }

    /// The `pspo` product: the keys of `hotspot pspo`'s flags.
    static func pspo(_ s: Field) throws -> PspoRequest {
        let m = try s.mapping(["area", "name", "epsg", "from_hotspots", "buffer", "simplify", "types", "rings", "window", "change",
                               "enforcement", "sources", "as_of", "pdf", "emerging_cell", "kde_cell", "suppress_below", "residents"])
        var r = PspoRequest()
        if let a = m["area"] { r.area = LayerSpec(name: "area", path: try a.existingFile(), epsg: try m["epsg"]?.int(1024...999_999)) }
        if let h = m["from_hotspots"] { r.fromHotspots = try h.existingFile() }
        guard (r.area == nil) != (r.fromHotspots == nil) else { throw s.error("give the restricted area: 'area: FILE', or 'from_hotspots: FILE' to propose one") }
        r.name = try m["name"]?.string()
        r.buffer = try m["buffer"]?.double(0...5_000) ?? 50
        r.simplify = try m["simplify"]?.double(0...1_000) ?? 10
        r.types = try m["types"]?.strings()
        if let v = m["rings"] {
            let rings = try v.strings().map { s -> Double in guard let d = Double(s), d > 0, d <= 5_000 else { throw v.error("rings are distances in metres, 1–5000") }; return d }
            guard !rings.isEmpty, rings.count <= 4, zip(rings, rings.dropFirst()).allSatisfy({ $0 < $1 }) else { throw v.error("give up to four increasing distances, e.g. [250, 500]") }
            r.rings = rings
        }
        if let w = m["window"] {
            let parts = try w.string().components(separatedBy: "..")
            guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), (1...12).contains(a), (1...12).contains(b), a <= b else { throw w.error("use MM..MM, e.g. 03..09") }
            (r.windowFirstMonth, r.windowLastMonth) = (a, b)
        }
        r.change = try m["change"]?.date(end: false)
        r.enforcement = try m["enforcement"]?.existingFile()
        r.suppressBelow = try m["suppress_below"]?.int(0...100) ?? 3
        r.residents = try m["residents"]?.existingFile()
        if let src = m["sources"] { for (label, f) in try src.orderedMapping() { r.sources[try f.path()] = label } }
        r.asOf = try m["as_of"]?.string()
        r.pdf = try m["pdf"]?.bool() ?? true
        r.emergingCell = try m["emerging_cell"]?.double(10...5_000) ?? 100
        r.kdeCell = try m["kde_cell"]?.double(5...2_000) ?? 50
        return r
    }

    static func line(of e: YamlError) -> Int {
        switch e {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        default: return 1
        }
    }

    /// One value of the file with where it is, for messages.
    struct Field {
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
        func glob(_ pattern: String) throws -> [String] {
            let full = try Field.resolve(pattern, dir)
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
