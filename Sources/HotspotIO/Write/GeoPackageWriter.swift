import CSQLite
import Foundation
import HotspotGeo
import HotspotCore

/// OGC GeoPackage 1.3 with one polygon feature table, what QGIS and ArcGIS open as a GIS file. Geometries are stored
/// as GeoPackage binary (header + little-endian WKB MultiPolygon with an xy envelope) in the CRS given (EPSG:27700 for
/// hotspot's layers). `gpkg_contents.last_change` is fixed at 1970-01-01 so that the same inputs give the same file.
/// The feature table has an R-tree spatial index (the `gpkg_rtree_index` extension, with its triggers) and, when a
/// style is given, QGIS's `layer_styles` table holding it as the layer's default style.
public enum GeoPackageWriter {
    public struct CRS: Sendable {
        public var epsg: Int, name: String, wkt: String
        public init(epsg: Int, name: String, wkt: String) { self.epsg = epsg; self.name = name; self.wkt = wkt }
    }

    /// A layer's default QGIS style as the writer stores it in `layer_styles` (HotspotCartography's `LayerStyle`).
    public protocol QMLStyling: Sendable {
        /// The style's QML with an alias (the full name, when `fullNames` has one) per field of `fields`, in table
        /// order, QGIS's field index counting from `firstIndex`; no `<aliases>` when `fullNames` is empty.
        func qml(fields: [String], fullNames: [String: String], firstIndex: Int) -> String
    }

    /// Writes the GeoPackage to `path` atomically and returns its bytes' SHA-256 source (the file's data).
    /// One feature table: polygons, or points (`points` non-nil), with their attributes and an optional style.
    public struct Layer: Sendable {
        public var table: String
        public var geometries: [MultiPolygon]
        public var points: [XY]?
        public var properties: Table
        public var style: (any QMLStyling)?
        /// Field (column) → alias (the full name) for the style's `<aliases>`; QGIS shows the column under it.
        public var aliases: [String: String]
        public init(table: String, geometries: [MultiPolygon] = [], points: [XY]? = nil, properties: Table, style: (any QMLStyling)? = nil,
                    aliases: [String: String] = [:]) {
            self.table = table; self.geometries = geometries; self.points = points; self.properties = properties; self.style = style
            self.aliases = aliases
        }
        var count: Int { points?.count ?? geometries.count }
    }

    public static func write(path: String, table: String, geometries: [MultiPolygon], properties: Table, crs: CRS,
                             style: (any QMLStyling)? = nil, aliases: [String: String] = [:]) throws -> Data {
        try write(path: path, layers: [Layer(table: table, geometries: geometries, properties: properties, style: style, aliases: aliases)], crs: crs)
    }

    /// Writes several feature tables into one GeoPackage (e.g. a week's layer set), each with its R-tree index and,
    /// when given, its default style: the schema, then per layer its feature table, R-tree and style rows, in one
    /// transaction written to a temporary file that replaces `path` once committed.
    public static func write(path: String, layers: [Layer], crs: CRS) throws -> Data {
        precondition(layers.allSatisfy { $0.count == $0.properties.rows.count })
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier).gpkg"
        try? FileManager.default.removeItem(atPath: tmp)
        var handle: OpaquePointer?
        guard sqlite3_open(tmp, &handle) == SQLITE_OK, let handle else { throw OutputError.cannotWrite(path, "cannot create a GeoPackage") }
        let db = Connection(db: handle, path: path)
        do {
            // No journal and no fsync: the file is a temporary one until renamed. (A page cache of 256 MB was slower
            // for a million cells, 3.5 s against 2.8 s of CPU: the file's pages are written once either way.)
            try db.exec("PRAGMA application_id = 1196444487; PRAGMA user_version = 10300; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")
            try createSchema(db, crs: crs, styled: layers.contains(where: { $0.style != nil }))
            for layer in layers {
                try writeFeatures(layer, db, crs: crs)
                try writeRTree(layer, db)
                if let style = layer.style { try writeStyle(style, of: layer, db) }
            }
            try db.exec("COMMIT;")
        } catch {
            sqlite3_close(handle)
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        sqlite3_close(handle)
        guard let data = FileManager.default.contents(atPath: tmp) else { throw OutputError.cannotWrite(path, "GeoPackage vanished") }
        try AtomicFile.replace(path, with: tmp, data: data)
        return data
    }

    /// An open GeoPackage being written; its errors are reported against the destination `path`.
    private struct Connection {
        let db: OpaquePointer
        let path: String

        func exec(_ sql: String) throws {
            var err: UnsafeMutablePointer<CChar>?
            if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
                let m = err.map { String(cString: $0) } ?? "SQLite error"
                sqlite3_free(err)
                throw OutputError.cannotWrite(path, m)
            }
        }

        /// A prepared statement (the caller finalises it).
        func prepare(_ sql: String) throws -> OpaquePointer? {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { throw lastError() }
            return stmt
        }

        /// Steps a bound statement that returns no row.
        func step(_ stmt: OpaquePointer?) throws {
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw lastError() }
        }

        func lastError() -> OutputError { OutputError.cannotWrite(path, cText(sqlite3_errmsg(db), or: "SQLite error")) }
    }

    /// An SQL string literal.
    private static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
    /// An SQL identifier.
    private static func ident(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The GeoPackage's own tables (spatial reference systems with `crs`, contents, geometry columns, extensions)
    /// and, when a layer is `styled`, QGIS's `layer_styles`.
    private static func createSchema(_ db: Connection, crs: CRS, styled: Bool) throws {
        try db.exec("""
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
            INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
              description TEXT DEFAULT '', last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
              srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
            """)
        if crs.epsg != 4326 {
            try db.exec("INSERT INTO gpkg_spatial_ref_sys VALUES (\(quoted(crs.name)), \(crs.epsg), 'EPSG', \(crs.epsg), \(quoted(crs.wkt)), NULL);")
        }
        try db.exec("""
            CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
              scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
            """)
        if styled {
            try db.exec("""
                CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
                  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
                  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT CURRENT_TIMESTAMP);
                INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
                  VALUES ('layer_styles', 'attributes', 'layer_styles', '', '1970-01-01T00:00:00.000Z', 0);
                """)
        }
    }

    /// The layer's feature table: its `gpkg_contents` row (with its extent) and geometry column, the table (column
    /// types from the values) and a row per feature.
    private static func writeFeatures(_ layer: Layer, _ db: Connection, crs: CRS) throws {
        let table = layer.table, geometries = layer.geometries, properties = layer.properties
        let pointExt = layer.points.flatMap { p in Extent(x: p.map(\.x), y: p.map(\.y)) }
        let ext = pointExt ?? geometries.lazy.compactMap(envelope).reduce(nil as Extent?) { a, e in a.map { $0.union(e) } ?? e }
            ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0)
        try db.exec("INSERT INTO gpkg_contents VALUES (\(quoted(table)), 'features', \(quoted(table)), '', '1970-01-01T00:00:00.000Z', \(ext.minX), \(ext.minY), \(ext.maxX), \(ext.maxY), \(crs.epsg));")
        try db.exec("INSERT INTO gpkg_geometry_columns VALUES (\(quoted(table)), 'geom', '\(layer.points == nil ? "MULTIPOLYGON" : "POINT")', \(crs.epsg), 0, 0);")
        let cols = zip(properties.columns, columnTypes(properties)).map { "\(ident($0.0)) \($0.1)" }.joined(separator: ", ")
        try db.exec("CREATE TABLE \(ident(table)) (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom \(layer.points == nil ? "MULTIPOLYGON" : "POINT")\(cols.isEmpty ? "" : ", " + cols));")
        let placeholders = Array(repeating: "?", count: properties.columns.count + 1).joined(separator: ", ")
        let names = (["geom"] + properties.columns.map(ident)).joined(separator: ", ")
        let stmt = try db.prepare("INSERT INTO \(ident(table)) (\(names)) VALUES (\(placeholders));")
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let srs = Int32(crs.epsg)
        var blob: [UInt8] = []
        blob.reserveCapacity(256)
        for k in 0..<layer.count {
            sqlite3_reset(stmt)
            blob.removeAll(keepingCapacity: true)
            if let p = layer.points { appendPointBlob(&blob, p[k], srs: srs) } else { appendGeometryBlob(&blob, geometries[k], srs: srs) }
            _ = blob.withUnsafeBytes { sqlite3_bind_blob(stmt, 1, $0.baseAddress, Int32($0.count), transient) }
            let row = properties.rows[k]
            for c in row.indices {
                let i = Int32(c + 2)
                switch row[c] {
                case .int(let x): sqlite3_bind_int64(stmt, i, Int64(x))
                case .double(let x, _): if x.isFinite { sqlite3_bind_double(stmt, i, x) } else { sqlite3_bind_null(stmt, i) }
                case .string(let s): sqlite3_bind_text(stmt, i, s, -1, transient)
                case .null: sqlite3_bind_null(stmt, i)
                }
            }
            try db.step(stmt)
        }
    }

    /// Each column's SQL type from its first non-null value (integers, reals, text; TEXT when all are null).
    private static func columnTypes(_ properties: Table) -> [String] {
        properties.columns.indices.map { c -> String in
            for r in properties.rows {
                switch r[c] {
                case .int: return "INTEGER"
                case .double: return "REAL"
                case .string: return "TEXT"
                case .null: continue
                }
            }
            return "TEXT"
        }
    }

    /// R-tree spatial index (GeoPackage 1.3 §F.3): packed in bulk from the envelopes (`RTreeBulk`) into the
    /// module's tables, then the spec's triggers keep it in step with edits made in QGIS or GDAL (which provide the
    /// ST_ functions they call).
    private static func writeRTree(_ layer: Layer, _ db: Connection) throws {
        let table = layer.table
        let name = "rtree_\(table)_geom", rt = ident(name)
        try db.exec("""
            INSERT INTO gpkg_extensions VALUES (\(quoted(table)), 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
            CREATE VIRTUAL TABLE \(rt) USING rtree(id, minx, maxx, miny, maxy);
            """)
        var ids: [Int64] = [], boxes: [RTreeBulk.Box] = []
        ids.reserveCapacity(layer.count); boxes.reserveCapacity(layer.count)
        for k in 0..<layer.count {
            let e: Extent
            if let p = layer.points { e = Extent(minX: p[k].x, minY: p[k].y, maxX: p[k].x, maxY: p[k].y) } else {
                guard let g = envelope(layer.geometries[k]) else { continue }
                e = g
            }
            ids.append(Int64(k + 1))
            boxes.append(.init(minX: RTreeBulk.down(e.minX), maxX: RTreeBulk.up(e.maxX), minY: RTreeBulk.down(e.minY), maxY: RTreeBulk.up(e.maxY)))
        }
        // The node size the module chose for this file (the empty root it created).
        let sizeStmt = try db.prepare("SELECT length(data) FROM \(ident(name + "_node")) WHERE nodeno = 1;")
        defer { sqlite3_finalize(sizeStmt) }
        guard sqlite3_step(sizeStmt) == SQLITE_ROW else { throw db.lastError() }
        let tree = RTreeBulk(ids: ids, boxes: boxes, nodeSize: Int(sqlite3_column_int(sizeStmt, 0)))
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let node = try db.prepare("INSERT OR REPLACE INTO \(ident(name + "_node")) VALUES (?, ?);")
        defer { sqlite3_finalize(node) }
        for (i, blob) in tree.nodes.enumerated() {
            sqlite3_reset(node)
            sqlite3_bind_int64(node, 1, Int64(i + 1))
            _ = blob.withUnsafeBytes { sqlite3_bind_blob(node, 2, $0.baseAddress, Int32($0.count), transient) }
            try db.step(node)
        }
        for (tableName, pairs) in [(name + "_rowid", tree.rowNodes), (name + "_parent", tree.parents)] {
            let stmt = try db.prepare("INSERT INTO \(ident(tableName)) VALUES (?, ?);")
            defer { sqlite3_finalize(stmt) }
            for (a, b) in pairs {
                sqlite3_reset(stmt)
                sqlite3_bind_int64(stmt, 1, a); sqlite3_bind_int64(stmt, 2, b)
                try db.step(stmt)
            }
        }
        try db.exec(rtreeTriggers(table))
    }

    /// The six triggers of the `gpkg_rtree_index` extension on `table`'s `geom` column.
    private static func rtreeTriggers(_ table: String) -> String {
        let rt = ident("rtree_\(table)_geom"), t = ident(table), tn = "rtree_\(table)_geom"
        return """
            CREATE TRIGGER \(ident(tn + "_insert")) AFTER INSERT ON \(t) WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
            BEGIN INSERT OR REPLACE INTO \(rt) VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
            CREATE TRIGGER \(ident(tn + "_update1")) AFTER UPDATE OF geom ON \(t) WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
            BEGIN INSERT OR REPLACE INTO \(rt) VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
            CREATE TRIGGER \(ident(tn + "_update2")) AFTER UPDATE OF geom ON \(t) WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
            BEGIN DELETE FROM \(rt) WHERE id = OLD.fid; END;
            CREATE TRIGGER \(ident(tn + "_update3")) AFTER UPDATE ON \(t) WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
            BEGIN DELETE FROM \(rt) WHERE id = OLD.fid; INSERT OR REPLACE INTO \(rt) VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
            CREATE TRIGGER \(ident(tn + "_update4")) AFTER UPDATE ON \(t) WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
            BEGIN DELETE FROM \(rt) WHERE id IN (OLD.fid, NEW.fid); END;
            CREATE TRIGGER \(ident(tn + "_delete")) AFTER DELETE ON \(t) WHEN old.geom NOT NULL
            BEGIN DELETE FROM \(rt) WHERE id = OLD.fid; END;
            """
    }

    /// The layer's default style in QGIS's own table: the style with useAsDefault = 1 is applied when the layer is
    /// opened.
    private static func writeStyle(_ style: any QMLStyling, of layer: Layer, _ db: Connection) throws {
        // Field aliases (the full names) with QGIS's field index: the table's `fid` is field 0.
        let qml = style.qml(fields: layer.properties.columns, fullNames: layer.aliases, firstIndex: 1)
        try db.exec("""
            INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD,
              useAsDefault, description, owner, ui, update_time)
              VALUES ('', '', \(quoted(layer.table)), 'geom', \(quoted(layer.table)), \(quoted(qml)), '', 1, 'hotspot default style', '', NULL, '1970-01-01T00:00:00.000Z');
            """)
    }

    /// GeoPackage binary point: "GP", version 0, flags (little-endian, no envelope), srs id, WKB Point.
    static func pointBlob(_ p: XY, srs: Int32) -> Data {
        var b: [UInt8] = []
        appendPointBlob(&b, p, srs: srs)
        return Data(b)
    }

    static func appendPointBlob(_ d: inout [UInt8], _ p: XY, srs: Int32) {
        d.append(contentsOf: [0x47, 0x50, 0x00, 0x01])
        u32(&d, UInt32(bitPattern: srs)); WKB.appendPoint(&d, p)
    }

    /// GeoPackage binary geometry: "GP", version 0, flags (little-endian, xy envelope), srs id, envelope, WKB.
    static func geometryBlob(_ mp: MultiPolygon, srs: Int32) -> Data {
        var b: [UInt8] = []
        appendGeometryBlob(&b, mp, srs: srs)
        return Data(b)
    }

    /// `geometryBlob` appended to a reused buffer.
    static func appendGeometryBlob(_ d: inout [UInt8], _ mp: MultiPolygon, srs: Int32) {
        d.append(contentsOf: [0x47, 0x50, 0x00, 0x03])
        u32(&d, UInt32(bitPattern: srs))
        let e = envelope(mp) ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0)
        f64(&d, e.minX); f64(&d, e.maxX); f64(&d, e.minY); f64(&d, e.maxY)
        WKB.appendMultiPolygon(&d, mp)
    }

    @inline(__always) private static func u32(_ d: inout [UInt8], _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
    }
    @inline(__always) private static func f64(_ d: inout [UInt8], _ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) }
    }

    /// `mp.extent` (the exteriors' bounding box; an empty exterior counts as the point 0, 0) without its arrays.
    static func envelope(_ mp: MultiPolygon) -> Extent? {
        var out: Extent?
        for p in mp.polygons {
            var e = Extent(minX: 0, minY: 0, maxX: 0, maxY: 0)
            if !p.exterior.isEmpty {
                var a = Double.infinity, b = Double.infinity, c = -Double.infinity, dd = -Double.infinity
                p.exterior.withUnsafeBufferPointer { r in
                    for v in r {
                        if v.x < a { a = v.x }; if v.x > c { c = v.x }
                        if v.y < b { b = v.y }; if v.y > dd { dd = v.y }
                    }
                }
                e = Extent(minX: a, minY: b, maxX: c, maxY: dd)
            }
            out = out.map { $0.union(e) } ?? e
        }
        return out
    }
}
