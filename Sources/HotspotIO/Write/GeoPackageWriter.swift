import CSQLite
import Foundation
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
    /// when given, its default style.
    public static func write(path: String, layers: [Layer], crs: CRS) throws -> Data {
        precondition(layers.allSatisfy { $0.count == $0.properties.rows.count })
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier).gpkg"
        try? FileManager.default.removeItem(atPath: tmp)
        var db: OpaquePointer?
        guard sqlite3_open(tmp, &db) == SQLITE_OK, let db else { throw OutputError.cannotWrite(path, "cannot create a GeoPackage") }
        func exec(_ sql: String) throws {
            var err: UnsafeMutablePointer<CChar>?
            if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
                let m = err.map { String(cString: $0) } ?? "SQLite error"
                sqlite3_free(err)
                throw OutputError.cannotWrite(path, m)
            }
        }
        do {
            func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
            func ident(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            try exec("PRAGMA application_id = 1196444487; PRAGMA user_version = 10300; PRAGMA journal_mode = OFF; BEGIN;")
            try exec("""
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
                try exec("INSERT INTO gpkg_spatial_ref_sys VALUES (\(q(crs.name)), \(crs.epsg), 'EPSG', \(crs.epsg), \(q(crs.wkt)), NULL);")
            }
            try exec("""
                CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
                  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
                """)
            if layers.contains(where: { $0.style != nil }) {
                try exec("""
                    CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
                      f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
                      useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT CURRENT_TIMESTAMP);
                    INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
                      VALUES ('layer_styles', 'attributes', 'layer_styles', '', '1970-01-01T00:00:00.000Z', 0);
                    """)
            }
            for layer in layers {
                let table = layer.table, geometries = layer.geometries, properties = layer.properties, style = layer.style
                let pointExt = layer.points.flatMap { p in Extent(x: p.map(\.x), y: p.map(\.y)) }
                let ext = pointExt ?? geometries.extent
                    ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0)
                try exec("INSERT INTO gpkg_contents VALUES (\(q(table)), 'features', \(q(table)), '', '1970-01-01T00:00:00.000Z', \(ext.minX), \(ext.minY), \(ext.maxX), \(ext.maxY), \(crs.epsg));")
                try exec("INSERT INTO gpkg_geometry_columns VALUES (\(q(table)), 'geom', '\(layer.points == nil ? "MULTIPOLYGON" : "POINT")', \(crs.epsg), 0, 0);")
                // Column types from the values (integers, reals, text).
                let types = properties.columns.indices.map { c -> String in
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
                let cols = zip(properties.columns, types).map { "\(ident($0.0)) \($0.1)" }.joined(separator: ", ")
                try exec("CREATE TABLE \(ident(table)) (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom \(layer.points == nil ? "MULTIPOLYGON" : "POINT")\(cols.isEmpty ? "" : ", " + cols));")
                var stmt: OpaquePointer?
                let placeholders = Array(repeating: "?", count: properties.columns.count + 1).joined(separator: ", ")
                let names = (["geom"] + properties.columns.map(ident)).joined(separator: ", ")
                guard sqlite3_prepare_v2(db, "INSERT INTO \(ident(table)) (\(names)) VALUES (\(placeholders));", -1, &stmt, nil) == SQLITE_OK else {
                    throw OutputError.cannotWrite(path, String(cString: sqlite3_errmsg(db)))
                }
                defer { sqlite3_finalize(stmt) }
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                for k in 0..<layer.count {
                    sqlite3_reset(stmt)
                    let blob = layer.points.map { pointBlob($0[k], srs: Int32(crs.epsg)) } ?? geometryBlob(geometries[k], srs: Int32(crs.epsg))
                    _ = blob.withUnsafeBytes { sqlite3_bind_blob(stmt, 1, $0.baseAddress, Int32($0.count), transient) }
                    for (c, v) in properties.rows[k].enumerated() {
                        let i = Int32(c + 2)
                        switch v {
                        case .int(let x): sqlite3_bind_int64(stmt, i, Int64(x))
                        case .double(let x, _): if x.isFinite { sqlite3_bind_double(stmt, i, x) } else { sqlite3_bind_null(stmt, i) }
                        case .string(let s): sqlite3_bind_text(stmt, i, s, -1, transient)
                        case .null: sqlite3_bind_null(stmt, i)
                        }
                    }
                    guard sqlite3_step(stmt) == SQLITE_DONE else { throw OutputError.cannotWrite(path, String(cString: sqlite3_errmsg(db))) }
                }
                // R-tree spatial index (GeoPackage 1.3 §F.3): filled from the envelopes, then the spec's triggers keep it
                // in step with edits made in QGIS or GDAL (which provide the ST_ functions they call).
                let rt = ident("rtree_\(table)_geom"), t = ident(table)
                try exec("""
                    INSERT INTO gpkg_extensions VALUES (\(q(table)), 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
                    CREATE VIRTUAL TABLE \(rt) USING rtree(id, minx, maxx, miny, maxy);
                    """)
                var rtStmt: OpaquePointer?
                guard sqlite3_prepare_v2(db, "INSERT INTO \(rt) VALUES (?, ?, ?, ?, ?);", -1, &rtStmt, nil) == SQLITE_OK else {
                    throw OutputError.cannotWrite(path, String(cString: sqlite3_errmsg(db)))
                }
                defer { sqlite3_finalize(rtStmt) }
                for k in 0..<layer.count {
                    guard let e = layer.points.map({ Extent(minX: $0[k].x, minY: $0[k].y, maxX: $0[k].x, maxY: $0[k].y) }) ?? geometries[k].extent else { continue }
                    sqlite3_reset(rtStmt)
                    sqlite3_bind_int64(rtStmt, 1, Int64(k + 1))
                    for (i, v) in [e.minX, e.maxX, e.minY, e.maxY].enumerated() { sqlite3_bind_double(rtStmt, Int32(i + 2), v) }
                    guard sqlite3_step(rtStmt) == SQLITE_DONE else { throw OutputError.cannotWrite(path, String(cString: sqlite3_errmsg(db))) }
                }
                let tn = "rtree_\(table)_geom"
                try exec("""
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
                    """)
                if let style {
                    // Field aliases (the full names) with QGIS's field index: the table's `fid` is field 0.
                    let qml = style.qml(fields: layer.properties.columns, fullNames: layer.aliases, firstIndex: 1)
                    // QGIS's own table: the style with useAsDefault = 1 is applied when the layer is opened.
                    try exec("""
                        INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD,
                          useAsDefault, description, owner, ui, update_time)
                          VALUES ('', '', \(q(table)), 'geom', \(q(table)), \(q(qml)), '', 1, 'hotspot default style', '', NULL, '1970-01-01T00:00:00.000Z');
                        """)
                }
            }
            try exec("COMMIT;")
        } catch {
            sqlite3_close(db)
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        sqlite3_close(db)
        guard let data = FileManager.default.contents(atPath: tmp) else { throw OutputError.cannotWrite(path, "GeoPackage vanished") }
        try? FileManager.default.removeItem(atPath: tmp)
        try AtomicFile.write(data, to: path)
        return data
    }

    /// GeoPackage binary point: "GP", version 0, flags (little-endian, no envelope), srs id, WKB Point.
    static func pointBlob(_ p: XY, srs: Int32) -> Data {
        var d = Data([0x47, 0x50, 0x00, 0x01])
        withUnsafeBytes(of: UInt32(bitPattern: srs).littleEndian) { d.append(contentsOf: $0) }
        d.append(1)
        withUnsafeBytes(of: UInt32(1).littleEndian) { d.append(contentsOf: $0) }
        for v in [p.x, p.y] { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    /// GeoPackage binary geometry: "GP", version 0, flags (little-endian, xy envelope), srs id, envelope, WKB.
    static func geometryBlob(_ mp: MultiPolygon, srs: Int32) -> Data {
        var d = Data([0x47, 0x50, 0x00, 0x03])
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        u32(UInt32(bitPattern: srs))
        let e = mp.extent ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0)
        f64(e.minX); f64(e.maxX); f64(e.minY); f64(e.maxY)
        d.append(1); u32(6); u32(UInt32(mp.polygons.count))
        for p in mp.polygons {
            d.append(1); u32(3)
            let rings = [p.exterior] + p.holes
            u32(UInt32(rings.count))
            for r in rings { u32(UInt32(r.count)); for v in r { f64(v.x); f64(v.y) } }
        }
        return d
    }
}
