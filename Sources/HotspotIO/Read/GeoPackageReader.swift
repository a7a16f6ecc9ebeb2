import CSQLite
import Foundation
import HotspotCore
import HotspotGeo

/// Reads the polygon feature table of a GeoPackage (what `GeoPackageWriter` writes, or QGIS/GDAL): geometries in the
/// table's CRS and every attribute column, for redrawing maps without recomputing (`hotspot map`).
public enum GeoPackageReader {
    /// A row of `gpkg_spatial_ref_sys`: the table's CRS as the file defines it.
    public struct SpatialRefSys: Sendable, Equatable {
        public var srsID: Int
        public var name: String
        public var organization: String
        public var organizationCoordsysID: Int
        public var definition: String
    }

    public struct Layer: Sendable {
        public var table: String
        /// The EPSG code of the table's CRS: `organization_coordsys_id` when the organization is EPSG, else the code
        /// OSR identifies from the definition (see `epsg(of:)`); the `srs_id` itself for the undefined systems (0,
        /// −1) and when the file has no row for it; 0 when the definition cannot be identified (see `srs`).
        public var epsg: Int
        /// The table's `gpkg_spatial_ref_sys` row (nil when the file has none for its `srs_id`).
        public var srs: SpatialRefSys?
        public var geometries: [MultiPolygon]
        /// Attribute values by column name, one per feature (nil = NULL).
        public var columns: [String: [Double?]]
        public var text: [String: [String?]]
    }

    public static func read(path: String) throws -> Layer {
        try InputFile.check(path)
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            throw InputError.unreadable(path, "not a GeoPackage (SQLite cannot open it)")
        }
        defer { sqlite3_close(db) }
        func rows(_ sql: String, _ body: (OpaquePointer) -> Void) throws {
            var st: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &st, nil) == SQLITE_OK, let st else {
                throw InputError.unreadable(path, "not a GeoPackage (\(cText(sqlite3_errmsg(db), or: "SQLite error")))")
            }
            defer { sqlite3_finalize(st) }
            while sqlite3_step(st) == SQLITE_ROW { body(st) }
        }
        var table = "", geomColumn = "", epsg = 0
        try rows("SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns LIMIT 1") { st in
            table = cText(sqlite3_column_text(st, 0)); geomColumn = cText(sqlite3_column_text(st, 1))
            epsg = Int(sqlite3_column_int(st, 2))
        }
        guard !table.isEmpty else { throw InputError.unreadable(path, "the GeoPackage has no feature table") }
        var srs: SpatialRefSys?
        let srsID = epsg
        try rows("SELECT srs_name, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = \(srsID)") { st in
            func text(_ c: Int32) -> String { sqlite3_column_text(st, c).map { String(cString: $0) } ?? "" }
            srs = SpatialRefSys(srsID: srsID, name: text(0), organization: text(1), organizationCoordsysID: Int(sqlite3_column_int(st, 2)),
                                definition: text(3))
        }
        if let srs { epsg = Self.epsg(of: srs) ?? 0 }
        func ident(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var geometries: [MultiPolygon] = []
        var columns: [String: [Double?]] = [:], text: [String: [String?]] = [:]
        var names: [String] = []
        try rows("SELECT * FROM \(ident(table)) ORDER BY fid") { st in
            let n = Int(sqlite3_column_count(st))
            if names.isEmpty { names = (0..<n).map { cText(sqlite3_column_name(st, Int32($0)), or: "column \($0 + 1)") } }
            for c in 0..<n {
                let name = names[c]
                if name == geomColumn {
                    let len = Int(sqlite3_column_bytes(st, Int32(c)))
                    let blob = sqlite3_column_blob(st, Int32(c)).map { Data(bytes: $0, count: len) } ?? Data()
                    geometries.append(geometry(blob) ?? MultiPolygon([]))
                    continue
                }
                switch sqlite3_column_type(st, Int32(c)) {
                case SQLITE_INTEGER, SQLITE_FLOAT:
                    columns[name, default: []].append(sqlite3_column_double(st, Int32(c))); text[name, default: []].append(nil)
                case SQLITE_TEXT:
                    let s = cText(sqlite3_column_text(st, Int32(c)))
                    columns[name, default: []].append(Double(s)); text[name, default: []].append(s)
                default:
                    columns[name, default: []].append(nil); text[name, default: []].append(nil)
                }
            }
        }
        return Layer(table: table, epsg: epsg, srs: srs, geometries: geometries, columns: columns, text: text)
    }

    /// The QGIS styles a GeoPackage carries (its `layer_styles` table, empty when it has none): the table each
    /// styles, the QML and whether QGIS applies it on opening (`useAsDefault`).
    public static func styles(path: String) throws -> [(table: String, qml: String, isDefault: Bool)] {
        try InputFile.check(path)
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            throw InputError.unreadable(path, "not a GeoPackage (SQLite cannot open it)")
        }
        defer { sqlite3_close(db) }
        var st: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT f_table_name, styleQML, useAsDefault FROM layer_styles ORDER BY id", -1, &st, nil) == SQLITE_OK, let st else { return [] }
        defer { sqlite3_finalize(st) }
        var out: [(String, String, Bool)] = []
        while sqlite3_step(st) == SQLITE_ROW {
            func text(_ c: Int32) -> String { sqlite3_column_text(st, c).map { String(cString: $0) } ?? "" }
            out.append((text(0), text(1), sqlite3_column_int(st, 2) != 0))
        }
        return out
    }

    /// The EPSG code of a GeoPackage CRS, as OGR's GPKG driver reads it: the organization's code when the
    /// organization is EPSG; the undefined systems (srs_id 0, −1) as they are; otherwise (an `srs_id` of the
    /// file's own, e.g. 100000 from ArcGIS or MapInfo, organization `NONE`) the code OSR identifies from the
    /// `definition` WKT (`OGRSource.epsg(definition:)`: its EPSG authority, `OSRAutoIdentifyEPSG`, or an
    /// `OSRFindMatches` candidate of confidence ≥ 70). Nil when none can be identified.
    public static func epsg(of srs: SpatialRefSys) -> Int? {
        if srs.organization.uppercased() == "EPSG", srs.organizationCoordsysID > 0 { return srs.organizationCoordsysID }
        if srs.srsID <= 0 { return srs.srsID }
        let d = srs.definition.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !d.isEmpty, d.lowercased() != "undefined" else { return nil }
        return OGRSource.epsg(definition: d)
    }

    /// GeoPackage binary → polygons: the "GP" header (its envelope skipped), then WKB Polygon or MultiPolygon in
    /// either byte order. Nil for anything else.
    static func geometry(_ d: Data) -> MultiPolygon? {
        let b = [UInt8](d)
        guard b.count >= 8, b[0] == 0x47, b[1] == 0x50 else { return nil }
        let envelope = [0, 32, 48, 48, 64][min(4, Int((b[3] >> 1) & 0x07))]
        var i = 8 + envelope
        func u32(_ le: Bool) -> UInt32? {
            guard i + 4 <= b.count else { return nil }
            let v = b[i..<i + 4].enumerated().reduce(UInt32(0)) { a, e in a | UInt32(e.element) << (le ? 8 * e.offset : 8 * (3 - e.offset)) }
            i += 4
            return v
        }
        func f64(_ le: Bool) -> Double? {
            guard i + 8 <= b.count else { return nil }
            let v = b[i..<i + 8].enumerated().reduce(UInt64(0)) { a, e in a | UInt64(e.element) << (le ? 8 * e.offset : 8 * (7 - e.offset)) }
            i += 8
            return Double(bitPattern: v)
        }
        func polygon() -> Polygon? {
            guard i < b.count else { return nil }
            let le = b[i] == 1; i += 1
            guard let type = u32(le), type % 1000 == 3, let nr = u32(le) else { return nil }
            var rings: [[XY]] = []
            for _ in 0..<nr {
                guard let np = u32(le) else { return nil }
                var r: [XY] = []
                for _ in 0..<np { guard let x = f64(le), let y = f64(le) else { return nil }; r.append(XY(x, y)) }
                rings.append(r)
            }
            return rings.isEmpty ? nil : Polygon(exterior: rings[0], holes: Array(rings.dropFirst()))
        }
        guard i < b.count else { return nil }
        let le = b[i] == 1
        let save = i
        i += 1
        guard let type = u32(le) else { return nil }
        if type % 1000 == 3 { i = save; return polygon().map { MultiPolygon([$0]) } }
        guard type % 1000 == 6, let n = u32(le) else { return nil }
        var ps: [Polygon] = []
        for _ in 0..<n { guard let p = polygon() else { return nil }; ps.append(p) }
        return MultiPolygon(ps)
    }
}
