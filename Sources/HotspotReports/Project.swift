import Foundation
import Synchronization
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// One analysis request, the value every job takes: the inputs and how to read them, the boundary, the area layers
/// with their populations, focus areas, the output folder, how maps are drawn, and the products with their
/// parameters. `hotspot run` decodes it from a project file (`Project.load`, ProjectFile.swift); each CLI command
/// builds the same value from its flags (HotspotCLI/Request.swift), so a command line and a project file are two
/// spellings of one request.
public struct Project: Sendable {
    /// The project file, or "(command line)".
    public var path: String
    public var files: [String]
    public var read = ReadOptions()
    public var boundary: LayerSpec?
    public var layers: [LayerSpec] = []
    public var focus: [String] = []
    public var out: String
    public var gridDirectories: [String] = []
    public var map = MapOptions()
    public var products = Products()
    /// Windows and options of `hotspot weekly` (the `weekly:` section).
    public var weekly = WeeklyJob.Options()
    /// Also write every polygon layer to PostGIS (`--to-db postgresql://…`, `--schema`).
    public var database: Database?
    /// Also write every polygon layer as FlatGeobuf, `NAME.fgb` (`--flatgeobuf`, `flatgeobuf: true`).
    public var flatGeobuf = false
    /// Read incidents from a database table or view instead of files (`--from-db postgresql://… --table incidents`).
    public var sourceTable: TableSource?

    /// A table of incidents in PostgreSQL/PostGIS: its rows go through the same column mapping, validation and
    /// quarantine as a CSV's; a point geometry column is read as x/y in its own CRS unless columns are mapped.
    public struct TableSource: Sendable {
        public var url: String, table: String
        public init(url: String, table: String) { self.url = url; self.table = table }
        /// How the table is named in metadata and quarantine.csv (no password).
        public var label: String { "\(PostGISWriter.redacted(url)) table \(table)" }
    }

    /// A PostgreSQL/PostGIS target: a `postgresql://` URI or libpq key-value string, and the schema of the tables.
    public struct Database: Sendable {
        public var url: String, schema: String
        /// When set, output sets hand their tables to this batch instead of writing them: `hotspot run` writes every
        /// product's tables in one transaction at the end.
        public var batch: DatabaseBatch?
        public init(url: String, schema: String = "hotspot") { self.url = url; self.schema = schema }
    }

    public init(path: String = "(command line)", files: [String], out: String) {
        self.path = path; self.files = files; self.out = out
    }

    /// Counts and rates per area of every layer.
    public struct AreasRequest: Sendable {
        public var map: MapOptions?
        public init(map: MapOptions? = nil) { self.map = map }
    }
    /// Counts per grid cell: squares, or hexagons with `hex` (cell = distance across flats).
    public struct GridRequest: Sendable, HasGrid {
        public var grid = GridSpec()
        public var map: MapOptions?
        public init() {}
    }
    /// Gi* on grid cells, or on the areas of the layer named `on`.
    public struct GiStarRequest: Sendable, HasGrid {
        public var grid = GridSpec()
        public var on: String?, neighbours: NeighbourRule?
        /// How p is adjusted for the many locations tested (default Benjamini–Hochberg); `none` bins raw p.
        public var adjust: PAdjustment = .bh
        /// Bins from adjusted p (every `adjust` but `none`).
        public var fdr: Bool { adjust != .none }
        public var permutations = 0, seed = Limits.defaultSeed
        public var map: MapOptions?
        public init() {}
    }
    /// Named periods compared per area (and per cell with `cell`); `profile` draws a page per focus area.
    public struct CompareRequest: Sendable {
        public var periods: [Period], cell: Double?, profile: MapOptions?
        public init(periods: [Period], cell: Double? = nil, profile: MapOptions? = nil) {
            self.periods = periods; self.cell = cell; self.profile = profile
        }
    }
    /// How well a hotspot product (a polygon file) captured the incidents of `files` (the later period).
    public struct AccuracyRequest: Sendable {
        public var hotspots: String, whereProperty: (String, String)?, earlier: [String] = []
        public init(hotspots: String, whereProperty: (String, String)? = nil, earlier: [String] = []) {
            self.hotspots = hotspots; self.whereProperty = whereProperty; self.earlier = earlier
        }
    }

    /// Every file the request reads (for `OutputGuard`: none of them may lie inside `out`).
    public var inputPaths: [String] {
        files + (read.harmWeights.map { [$0] } ?? []) + (boundary.map { [$0.path] } ?? []) + layers.flatMap { [$0.path] + ($0.population.map { [$0] } ?? []) }
            + (products.kde?.dualFiles ?? []) + (products.accuracy.map { [$0.hotspots] + $0.earlier } ?? [])
            + (products.pspo.map { [$0.area?.path, $0.fromHotspots, $0.enforcement, $0.residents].compactMap { $0 } + $0.stops } ?? [])
            + (products.stops?.files ?? [])
    }

    /// Refuses an output folder that holds one of the inputs.
    public func checkOutput() throws { try OutputGuard.check(out: out, inputs: inputPaths) }

    /// Reads, validates and projects the incidents and loads the boundary (and, with `layers`, the area layers).
    /// `boundaryFirst`: see `Pipeline.loadIncidents`.
    public func loadInputs(layers withLayers: Bool = true, boundaryFirst: Bool = false) throws -> JobInputs {
        guard let src = sourceTable else {
            return try JobInputs.load(files: files, read: read, boundary: boundary, layers: withLayers ? layers : [],
                                      gridDirectories: gridDirectories, boundaryFirst: boundaryFirst)
        }
        // One column mapping serves one source: a table's columns are not a police.uk file's.
        guard files.isEmpty else {
            throw InputError.unusable("\(src.label): --from-db reads incidents from the table alone (its column mapping is not the files'); analyse the files in a run of their own, or load them into the table")
        }
        // The table is streamed to a private CSV, read like any file, and named by the table in what is recorded.
        let dir = NSTemporaryDirectory() + "hotspot-table-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = dir + "/table.csv"
        let export: OGRSource.Export
        do { export = try OGRSource.exportCSV(database: src.url, table: src.table, to: csv) } catch let e as GeoError {
            // A server that cannot be reached (or refuses the password) and a missing table are inputs that cannot
            // be read (exit 66), as a missing file is; a table that is there but unusable is bad data (65).
            if case .unreachable(let text) = e { throw InputError.notAFile(src.label, text) }
            throw InputError.unusable("\(src.label): \(e)")
        }
        var r = read
        r.useStore = false  // a private copy of the table, new each run: nothing to reuse
        let m = r.mapping
        if m.x == nil && m.lon == nil, let epsg = export.geometryEPSG {
            if epsg == 4326 { r.mapping.lon = "geom_x"; r.mapping.lat = "geom_y" } else { r.mapping.x = "geom_x"; r.mapping.y = "geom_y"; r.mapping.epsg = epsg }
            if r.format == .auto { r.format = .csv }
        }
        if r.format == .csv && r.mapping.date == nil {
            throw InputError.unusable("\(src.label): give the date column (--date-col); the table's columns are \(export.columns.joined(separator: ", "))")
        }
        var j = try JobInputs.load(files: [csv], read: r, boundary: boundary, layers: withLayers ? layers : [],
                                   gridDirectories: gridDirectories, boundaryFirst: boundaryFirst)
        j.incidents.files[0].path = src.label
        j.incidents.quarantine = j.incidents.quarantine.map { q in var q = q; if q.file == csv { q.file = src.label }; return q }
        return j
    }

    /// The area layer named `name`, or an error naming the flag/key that fixes it.
    public func layer(named name: String) throws -> LayerSpec {
        guard let l = layers.first(where: { $0.name == name }) else {
            throw InputError.unusable("no area layer '\(name)': give --areas \(name)=FILE (or '\(name)' under 'areas' in the project file)")
        }
        return l
    }
}

/// Products' database writes gathered for one transaction (see `Project.Database.batch`).
public final class DatabaseBatch: Sendable {
    private let runs = Mutex<[PostGISWriter.Run]>([])
    public init() {}
    func append(_ run: PostGISWriter.Run) { runs.withLock { $0.append(run) } }
    /// Writes every gathered product in one transaction, left open for the run folder's swap (nil when none was
    /// gathered).
    func prepare(_ db: Project.Database) throws -> PostGISWriter.Transaction? {
        let all = runs.withLock { $0 }
        guard !all.isEmpty else { return nil }
        do {
            return try PostGISWriter.prepare(url: db.url, schema: db.schema, runs: all)
        } catch let e as PostGISWriter.WriteError {
            throw OutputError.cannotWrite(PostGISWriter.redacted(db.url), e.description)
        }
    }
}
