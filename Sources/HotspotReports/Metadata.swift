import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The metadata record written beside every output set (`metadata.json`): enough to reproduce and to defend the
/// numbers. It holds no clock time, so the same inputs and options give a byte-identical record.
public struct RunMetadata: Encodable {
    public struct Layer: Encodable {
        public var name: String, path: String, sha256: String, epsg: Int
        public var idField: String, nameField: String, areas: Int
        public var population: String?
    }
    public struct Output: Encodable { public var path: String, sha256: String, bytes: Int }
    public struct Counts: Encodable {
        public var read: Int, accepted: Int, quarantined: Int
        /// Accepted but left out by --type/--from/--to, and the incidents analysed (accepted − not selected).
        public var notSelected: Int = 0, analysed: Int = 0
        public var quarantinedByReason: [String: Int]
        public var duplicates: Int
        /// `hotspot pspo`: the incidents analysed that lie inside the restricted area (`PspoCounts.insideArea`).
        public var insideRestrictedArea: Int?
    }

    public var tool = "hotspot"
    public var version = HotspotVersion.string
    public var libraries: [String: String] = ["PROJ": Projection.version, "GEOS": GEOSContext.version]
    public var command: String
    public var parameters: [String: String]
    public var inputs: [FileSummary]
    public var counts: Counts
    public var projection: ProjectionInfo?
    public var layers: [Layer] = []
    public var grid: SquareGrid?
    public var warnings: [String] = []
    public var outputs: [Output] = []
    public var attribution: [String] = []
    /// What the accepted incidents cover: first and last date, and the types included with their counts.
    public var coverage: Coverage?
    /// The harm table the incidents were weighted by (`--weights`), or nil.
    public var harmWeights: Harm?
    /// A harm table as applied: the file, its SHA-256 and source line, how many of its types the incidents matched,
    /// the types it lacked (with their incidents) and the rule that weighed them, and the total harm analysed.
    public struct Harm: Encodable, Sendable {
        public var file: String, sha256: String, source: String?
        public var typesInTable: Int
        public var typesMatched: [String]
        public var missing: [String: Int]
        /// `stop`, `zero` or `one` (`--weights-missing`).
        public var missingRule: String
        /// Sum of the weights of the incidents analysed.
        public var total: Double
    }
    /// `kde --bandwidth-rule backtest`: the candidates' scores behind the chosen bandwidth (backtest.csv's rows).
    public var backtest: [[String: String]]?
    /// What each map of the set drew (by map name: `map`, `map-wards`…), for `hotspot map FOLDER`.
    public var maps: [String: MapRecord]?

    public struct Coverage: Encodable {
        public var firstDate: String?, lastDate: String?
        public var resolution: String
        public var types: [String: Int]
        public init(_ t: IncidentTable) {
            let lo = t.day.min(), hi = t.day.max()
            firstDate = lo.map { CivilDate.dayLabel(Int($0)) }
            // Monthly data (police.uk) cover the whole of their last month.
            lastDate = hi.map { d in
                guard t.resolution == .month else { return CivilDate.dayLabel(Int(d)) }
                let c = CivilDate.civil(days: Int(d))
                return CivilDate.dayLabel(CivilDate.days(year: c.year, month: c.month, day: CivilDate.daysInMonth(year: c.year, month: c.month)))
            }
            resolution = t.resolution.rawValue
            var n = [Int](repeating: 0, count: t.categories.count)
            for c in t.category { n[Int(c)] += 1 }
            types = Dictionary(t.categories.indices.filter { n[$0] > 0 }.map { (t.categories[$0], n[$0]) }, uniquingKeysWith: +)
        }
    }

    func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return try e.encode(self) + Data("\n".utf8)
    }
}

public enum HotspotVersion {
    public static let string = "0.1.0"
}

/// Collects the files of one run in a staging folder (see `StagedFolder`), records each one's SHA-256, writes
/// `metadata.json` last and swaps the whole set in: the output folder holds either the previous run's complete set
/// or this one's, never a mixture, and nothing an earlier run left behind.
public final class OutputSet {
    /// The output folder as given.
    public let directory: String
    let folder: StagedFolder
    private var committed = false
    public private(set) var written: [RunMetadata.Output] = []
    /// The maps drawn into the set and what they drew (metadata.json `maps`).
    public var maps: [String: MapRecord] = [:]

    /// Where the polygon layers also go (PostGIS), and the layers collected for it.
    let database: Project.Database?
    private var databaseLayers: [PostGISWriter.Layer] = []
    /// The layers and outlines of the set's web map (`writeWebMap`, WebMapSet.swift).
    var web = WebMapState()
    /// EPSG:27700 → WGS84, made once per set (making a PROJ transformation costs tens of milliseconds).
    private var wgs84Projection: Projection?
    func toWGS84() throws -> Projection {
        if let p = wgs84Projection { return p }
        let p = try Projection(from: analysisEPSG, to: 4326)
        wgs84Projection = p
        return p
    }

    /// Also write every polygon layer as `NAME.fgb` (FlatGeobuf, `--flatgeobuf`).
    let flatGeobuf: Bool

    public init(directory: String, database: Project.Database? = nil, flatGeobuf: Bool = false) throws {
        self.directory = directory
        self.database = database
        self.flatGeobuf = flatGeobuf
        folder = try StagedFolder(target: directory)
    }

    /// The output set of a request: its folder, and its database when it has one.
    public convenience init(_ p: Project) throws { try self.init(directory: p.out, database: p.database, flatGeobuf: p.flatGeobuf) }

    /// A layer for the database: table `JOB_LAYER` (lower case, `_` for anything else), typed columns.
    func collect(_ name: String, geometries: [MultiPolygon], properties: Table) { collect(name, geometries: geometries, points: nil, properties: properties) }

    /// A point layer for the database (EPSG:27700 points).
    func collectPoints(_ name: String, points: [XY], properties: Table) { collect(name, geometries: [], points: points, properties: properties) }

    private func collect(_ name: String, geometries: [MultiPolygon], points: [XY]?, properties: Table) {
        guard database != nil else { return }
        databaseLayers.append(OutputSet.ogrLayer(name, geometries: geometries, points: points, properties: properties))
    }

    /// A layer as OGR writes it (PostGIS, FlatGeobuf): typed columns (integer, real where a value is fractional,
    /// text), EPSG:27700.
    static func ogrLayer(_ name: String, geometries: [MultiPolygon], points: [XY]?, properties: Table) -> PostGISWriter.Layer {
        var kinds = [PostGISWriter.Kind](repeating: .integer, count: properties.columns.count)
        for r in properties.rows {
            for (i, v) in r.enumerated() {
                switch v {
                case .string: kinds[i] = .text
                case .double: if kinds[i] == .integer { kinds[i] = .real }
                default: break
                }
            }
        }
        let rows = properties.rows.map { r in r.map { v -> PostGISWriter.FieldValue in
            switch v { case .int(let n): return .int(n); case .double(let x, _): return .real(x); case .string(let s): return .text(s); case .null: return .null }
        } }
        return .init(table: name, fields: Array(zip(properties.columns, kinds)).map { ($0.0, $0.1) }, rows: rows,
                     polygons: geometries, points: points, epsg: analysisEPSG)
    }

    /// Writes the collected layers and the run's metadata to the database, in one transaction left open for the
    /// folder's swap (nil without a database, or when `hotspot run` gathers them into its batch).
    func prepareDatabase(_ meta: Data, job: String) throws -> PostGISWriter.Transaction? {
        guard let db = database, !databaseLayers.isEmpty else { return nil }
        func table(_ layer: String) -> String {
            let t = (layer.lowercased().hasPrefix(job) ? layer : "\(job)_\(layer)").lowercased()
            return String(t.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        }
        let layers = databaseLayers.map { l -> PostGISWriter.Layer in var l = l; l.table = table(l.table); return l }
        if let batch = db.batch {
            batch.append(.init(layers: layers, product: job, metadata: String(decoding: meta, as: UTF8.self)))
            return nil
        }
        return try OutputSet.database(db) {
            try PostGISWriter.prepare(url: db.url, schema: db.schema, runs: [.init(layers: layers, product: job, metadata: String(decoding: meta, as: UTF8.self))])
        }
    }

    /// Runs a database step, its errors told as an output that cannot be written (exit 73).
    static func database<T>(_ db: Project.Database, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as PostGISWriter.WriteError {
            throw OutputError.cannotWrite(PostGISWriter.redacted(db.url), e.description)
        }
    }

    /// Swaps the folder in and commits `transaction` as one: the tables become visible only once the folder is in,
    /// and the previous folder comes back when they cannot (issue 21: a run folder and its PostGIS tables).
    func commitFolder(with transaction: PostGISWriter.Transaction?, afterSwap: (() throws -> Void)? = nil) throws {
        guard transaction != nil || afterSwap != nil else { return try folder.commit() }
        do {
            try folder.commit(confirm: {
                try afterSwap?()
                if let transaction, let db = self.database { try OutputSet.database(db) { try transaction.commit() } }
            })
        } catch {
            transaction?.rollback()
            throw error
        }
    }

    deinit { if !committed { folder.abandon() } }

    /// Where file `name` is written (inside the staging folder until `finish`).
    public func path(_ name: String) -> String { (folder.staging as NSString).appendingPathComponent(name) }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Writes `name` in pieces (`AtomicFile.stream`): for files too large to hold whole.
    public func writeStreaming(_ name: String, _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        let (sha, bytes) = try AtomicFile.stream(to: path(name), produce)
        written.removeAll { $0.path == name }
        written.append(.init(path: name, sha256: sha, bytes: bytes))
    }

    /// Writes a table as CSV (`Table.csv()`'s bytes), streamed: product tables have a row per cell.
    public func writeCSV(_ name: String, _ table: Table) throws {
        try writeStreaming(name) { emit in try table.csv(emit: emit) }
    }

    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> String {
        let p = path(name)
        try AtomicFile.write(data, to: p)
        written.removeAll { $0.path == name }
        written.append(.init(path: name, sha256: Hashing.sha256(data), bytes: data.count))
        return p
    }

    /// Removes a file written earlier in this set (e.g. an intermediate SVG).
    public func remove(_ name: String) throws {
        unlink(path(name))
        written.removeAll { $0.path == name }
    }

    /// Records a file written by someone else (e.g. SQLite) in the outputs list.
    public func record(_ name: String, _ data: Data) {
        written.append(.init(path: name, sha256: Hashing.sha256(data), bytes: data.count))
    }

    /// Writes `metadata.json` (listing every output with its SHA-256) and swaps the set in.
    /// `beforeCommit` runs once metadata.json is written, before the swap (e.g. to write a manifest of the set).
    /// `database` runs next: the transaction it returns (`hotspot run`'s products gathered into one) is committed
    /// with the folder's swap. `afterSwap` runs right after the swap (e.g. a file that goes beside the folder): when
    /// it throws, the previous folder comes back and the tables are not written.
    public func finish(_ meta: RunMetadata, beforeCommit: (() throws -> Void)? = nil, database: (() throws -> PostGISWriter.Transaction?)? = nil,
                       afterSwap: (() throws -> Void)? = nil) throws {
        var m = meta
        m.warnings += try writeWebMap(title: web.title, attribution: meta.attribution)
        m.outputs = written.sorted { $0.path < $1.path }
        if m.maps == nil && !maps.isEmpty { m.maps = maps }
        let json = try m.json()
        try AtomicFile.write(json, to: path("metadata.json"))
        try beforeCommit?()
        let gathered = try database?()
        let own = try prepareDatabase(json, job: m.parameters["job"] ?? "run")
        try commitFolder(with: gathered ?? own, afterSwap: afterSwap)
        committed = true
    }

    /// Writes a ready-made `metadata.json` (a redraw's updated record, a weekly manifest) and swaps the set in; with
    /// `job`, the set's layers also go to its database.
    /// `afterSwap` as in `finish`.
    public func commit(metadata: Data, job: String? = nil, afterSwap: (() throws -> Void)? = nil) throws {
        try AtomicFile.write(metadata, to: path("metadata.json"))
        try commitFolder(with: job == nil ? nil : try prepareDatabase(metadata, job: job!), afterSwap: afterSwap)
        committed = true
    }

    /// Records the files that nested output sets committed into `sub` (e.g. the demo's `areas/`, `kde/`).
    public func recordFolder(_ sub: String) throws {
        let dir = path(sub)
        for f in ((try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? []).sorted() {
            var isDir: ObjCBool = false
            let full = (dir as NSString).appendingPathComponent(f)
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
                  let d = FileManager.default.contents(atPath: full) else { continue }
            record("\(sub)/\(f)", d)
        }
    }
}

extension OutputSet {
    /// A polygon layer in the two forms GIS users expect: `NAME.geojson` (RFC 7946, WGS84 lon/lat) and `NAME.gpkg`
    /// (GeoPackage in EPSG:27700, the analysis CRS). `geometries` are in EPSG:27700; `id` is the feature id column.
    /// With a `style`, the layer opens styled in QGIS: `NAME.qml` beside the GeoJSON and the GeoPackage's default
    /// style in `layer_styles`; both give every field its full name (`NAME.fields.csv`) as QGIS alias.
    /// Property names follow `FieldNames` (≤ 10 characters, Shapefile-safe); `NAME.fields.csv` maps them to the CSV's
    /// full column names.
    /// With `folder`, the files go into that sub-folder of the set (the GeoPackage table is still `name`).
    public func writeLayer(_ name: String, geometries: [MultiPolygon], properties long: Table, idColumn: String = "id",
                           style longStyle: LayerStyle? = nil, folder: String? = nil) throws {
        let layerName = name
        let name = folder.map { "\($0)/\(layerName)" } ?? layerName
        collect(layerName, geometries: geometries, properties: long)
        let fields = FieldNames.layer(long)
        let properties = fields.table, rename = fields.rename
        let style = longStyle?.renamed(rename)
        try write("\(name).fields.csv", fields.dictionary.csv())
        let idc = rename[idColumn] ?? idColumn
        // Layers at the top of the set are drawn on its web map (map.html); a sub-folder's (a pack's exhibits) are not.
        // A layer of more polygons than a browser draws (a national --sparse grid) is left to the GIS files, and its
        // GeoJSON is written as it is made, never held whole.
        if folder == nil && geometries.count <= web.maxFeatures {
            let wgs84 = try toWGS84().transform(geometries)
            let geojson = GeoJSONWriter.featureCollectionBytes(name: layerName, geometries: wgs84, properties: properties, idColumn: idc)
            try write("\(name).geojson", Data(geojson))
            collectWeb(layerName, geometries: geometries, wgs84: wgs84, properties: properties, geojson: String(decoding: geojson, as: UTF8.self),
                       style: style, aliases: fields.aliases)
        } else {
            // Reprojected batch by batch too (PROJ gives each vertex the same result in any batch).
            let projection = try toWGS84()
            try writeStreaming("\(name).geojson") { emit in
                try GeoJSONWriter.streamFeatureCollection(name: layerName, count: geometries.count, properties: properties, idColumn: idc,
                                                          batch: 1 << 18, geometries: { try projection.transform(Array(geometries[$0])) }, emit: emit)
            }
            if folder == nil { web.omitted.append((layerName, geometries.count)) }
        }
        let crs = GeoPackageWriter.CRS(epsg: analysisEPSG, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: analysisEPSG))
        let data = try GeoPackageWriter.write(path: path("\(name).gpkg"), table: layerName.replacingOccurrences(of: "-", with: "_"),
                                              geometries: geometries, properties: properties, crs: crs, style: style,
                                              aliases: fields.aliases)
        record("\(name).gpkg", data)
        if flatGeobuf {
            var layer = OutputSet.ogrLayer(layerName, geometries: geometries, points: nil, properties: properties)
            layer.table = layerName.replacingOccurrences(of: "-", with: "_")
            do { try FlatGeobufWriter.write(path: path("\(name).fgb"), layer: layer) } catch let e as FlatGeobufWriter.WriteError {
                throw OutputError.cannotWrite(path("\(name).fgb"), e.description)
            }
            guard let fgb = FileManager.default.contents(atPath: path("\(name).fgb")) else { throw OutputError.cannotWrite(path("\(name).fgb"), "FlatGeobuf vanished") }
            record("\(name).fgb", fgb)
        }
        if let style {
            try write("\(name).qml", style.qml(aliases: LayerStyle.aliases(fields: properties.columns, fullNames: fields.aliases, firstIndex: 0)))
        }
    }
}
