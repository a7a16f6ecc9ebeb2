import CGDAL
import CSQLite
import Foundation
import Glibc
import HotspotGeo

/// Reads one layer from one version of its file. Each reader reads from a single open file (GeoJSON: one file
/// descriptor, read to the end; GeoPackage: one SQLite connection, whose file stays the same inode), so a folder
/// swapped in while reading gives the old layer or the new one, never parts of both.
public enum LayerReader {
    public static func read(_ entry: CatalogueEntry) throws -> ServedLayer {
        let sidecar = entry.fieldsSidecar.map(FieldsSidecar.read) ?? [:]
        switch entry.source {
        case .geojson: return try readGeoJSON(path: entry.path, sidecar: sidecar)
        case .geopackage(let table): return try readGeoPackage(path: entry.path, table: table, sidecar: sidecar)
        }
    }

    // MARK: GeoJSON

    static func readGeoJSON(path: String, sidecar: [String: (full: String, type: String)]) throws -> ServedLayer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LayerError.unreadable("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw LayerError.unreadable("\(path) is not a file") }
        let key = FileKey(st)
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while true {
            if got == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: 65536)) }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 { if errno == EINTR { continue }; throw LayerError.unreadable("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            got += n
        }
        bytes.removeSubrange(got...)
        return try geoJSON(bytes, key: key, sidecar: sidecar)
    }

    /// A FeatureCollection (RFC 7946, lon/lat) → a served layer.
    static func geoJSON(_ bytes: [UInt8], key: FileKey, sidecar: [String: (full: String, type: String)] = [:]) throws -> ServedLayer {
        let root: JSON
        do { root = try JSONParser.parse(bytes) } catch { throw LayerError.unreadable("not GeoJSON: \(error)") }
        guard root["type"]?.stringValue == "FeatureCollection", let fs = root["features"]?.arrayValue else {
            throw LayerError.unreadable("not a GeoJSON FeatureCollection")
        }
        var ids: [JSON] = [], props: [[(String, JSON)]] = [], geoms: [Geometry?] = []
        var fieldOrder: [String] = [], kinds: [String: String] = [:]
        ids.reserveCapacity(fs.count); props.reserveCapacity(fs.count); geoms.reserveCapacity(fs.count)
        for (i, f) in fs.enumerated() {
            guard f["type"]?.stringValue == "Feature" else { throw LayerError.malformed("a member of features that is not a Feature (number \(i + 1))") }
            let id = f["id"] ?? .number(String(i + 1))
            ids.append(id)
            var p: [(String, JSON)] = []
            if case .object(let m)? = f["properties"] { p = m }
            for (k, v) in p {
                if kinds[k] == nil { fieldOrder.append(k); kinds[k] = "" }
                if kinds[k] == "" || kinds[k] == "integer" {
                    switch v {
                    case .number(let n): kinds[k] = n.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? "real" : "integer"
                    case .string: kinds[k] = "text"
                    case .bool: kinds[k] = "boolean"
                    case .null: break
                    default: kinds[k] = "json"
                    }
                }
            }
            props.append(p)
            geoms.append(try Geometry.from(json: f["geometry"] ?? .null))
        }
        let fields = fieldOrder.map { n in
            ServedField(name: n, fullName: sidecar[n]?.full, type: sidecar[n].map { $0.type.isEmpty ? kinds[n]! : $0.type } ?? (kinds[n]!.isEmpty ? "text" : kinds[n]!))
        }
        return try ServedLayer.make(key: key, name: root["name"]?.stringValue ?? "", fields: fields, ids: ids, properties: props,
                                    geometries: geoms, storageEPSG: try legacyCRS(root))
    }

    /// RFC 7946 GeoJSON is lon/lat; an older file may name another CRS in a `crs` member
    /// (`urn:ogc:def:crs:EPSG::27700`), whose coordinates are then projected like a GeoPackage's.
    static func legacyCRS(_ root: JSON) throws -> Int {
        guard let name = root["crs"]?["properties"]?["name"]?.stringValue else { return 4326 }
        if name.uppercased().hasSuffix("CRS84") { return 4326 }
        guard let code = name.split(separator: ":").last.flatMap({ Int($0) }), code > 0 else {
            throw LayerError.unreadable("a GeoJSON crs member naming \(name), which is not an EPSG code")
        }
        return code
    }

    // MARK: GeoPackage

    static let gdal: Bool = { GDALAllRegister(); CPLSetConfigOption("CPL_LOG", "/dev/null"); return true }()

    /// The feature tables of a GeoPackage (`gpkg_contents`), read with SQLite (cheap enough for every scan).
    public static func featureTables(path: String) -> [String] {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else { sqlite3_close(db); return [] }
        defer { sqlite3_close(db) }
        var st: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name", -1, &st, nil) == SQLITE_OK,
              let st else { return [] }
        defer { sqlite3_finalize(st) }
        var out: [String] = []
        while sqlite3_step(st) == SQLITE_ROW { if let t = sqlite3_column_text(st, 0) { out.append(String(cString: t)) } }
        return out
    }

    static func readGeoPackage(path: String, table: String, sidecar: [String: (full: String, type: String)]) throws -> ServedLayer {
        _ = gdal
        for _ in 0..<3 {
            guard let before = FileKey.of(path: path) else { throw LayerError.unreadable("\(path) is gone") }
            let layer = try readGeoPackageOnce(path: path, table: table, key: before, sidecar: sidecar)
            // The open connection read one inode; if the path named another by the end, read again under its key.
            if FileKey.of(path: path) == before { return layer }
        }
        throw LayerError.unreadable("\(path) kept changing while it was read")
    }

    /// The table `table` of the GeoPackage at `path` as a served layer, read through OGR from one open connection:
    /// its CRS's EPSG code, its fields and their types, every feature's values and geometry, and its ids.
    static func readGeoPackageOnce(path: String, table: String, key: FileKey,
                                   sidecar: [String: (full: String, type: String)]) throws -> ServedLayer {
        CPLErrorReset()
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            throw LayerError.unreadable("OGR cannot open \(path)")
        }
        defer { GDALClose(ds) }
        guard let l = GDALDatasetGetLayerByName(ds, table) else { throw LayerError.unreadable("\(path) has no table \(table)") }
        let epsg = epsgCode(l)
        guard epsg > 0 else { throw LayerError.unreadable("\(path) table \(table) has a CRS without an EPSG code") }
        let columns = OGRColumns(OGR_L_GetLayerDefn(l))
        let names = columns.names
        let fields = names.indices.map { k in
            ServedField(name: names[k], fullName: sidecar[names[k]]?.full, type: columns.typeName(k))
        }
        var fids: [Int64] = [], props: [[(String, JSON)]] = [], geoms: [Geometry?] = []
        OGR_L_ResetReading(l)
        while let f = OGR_L_GetNextFeature(l) {
            defer { OGR_F_Destroy(f) }
            fids.append(OGR_F_GetFID(f))
            var p: [(String, JSON)] = []
            p.reserveCapacity(names.count)
            for k in 0..<names.count { p.append((names[k], columns.value(f, k))) }
            props.append(p)
            geoms.append(OGR_F_GetGeometryRef(f).flatMap(geometry))
        }
        // Ids: the `id` column when every feature has a distinct one (as the GeoJSON beside it), else the fid.
        var ids: [JSON] = fids.map { .number(String($0)) }
        if let k = names.firstIndex(where: { $0.lowercased() == "id" }) {
            let values = props.map { $0[k].1 }
            if !values.contains(where: { $0 == .null }), Set(values.map(\.text)).count == values.count { ids = values }
        }
        return try ServedLayer.make(key: key, name: table, fields: fields, ids: ids, properties: props,
                                    geometries: geoms, storageEPSG: epsg)
    }

    /// The EPSG code of a layer's CRS: its authority code, else the one OGR identifies; 0 when it has none.
    private static func epsgCode(_ l: OGRLayerH) -> Int {
        var epsg = 0
        if let srs = OGR_L_GetSpatialRef(l) {
            if let c = OSRGetAuthorityCode(srs, nil), let n = Int(String(cString: c)) { epsg = n } else if let clone = OSRClone(srs) {
                defer { OSRDestroySpatialReference(clone) }
                if OSRAutoIdentifyEPSG(clone) == OGRERR_NONE, let c = OSRGetAuthorityCode(clone, nil), let n = Int(String(cString: c)) { epsg = n }
            }
        }
        return epsg
    }

    /// A layer's attribute columns as OGR defines them: names, types and subtypes, and each value as JSON.
    private struct OGRColumns {
        var names: [String] = [], types: [OGRFieldType] = [], subtypes: [OGRFieldSubType] = []

        init(_ defn: OGRFeatureDefnH?) {
            for k in 0..<OGR_FD_GetFieldCount(defn) {
                let fd = OGR_FD_GetFieldDefn(defn, k)
                names.append(cText(OGR_Fld_GetNameRef(fd), or: "field\(names.count + 1)"))
                types.append(OGR_Fld_GetType(fd)); subtypes.append(OGR_Fld_GetSubType(fd))
            }
        }

        /// The served type name of column `k`.
        func typeName(_ k: Int) -> String {
            switch types[k] {
            case OFTInteger where subtypes[k] == OFSTBoolean: return "boolean"
            case OFTInteger, OFTInteger64: return "integer"
            case OFTReal: return "real"
            case OFTDate: return "date"
            case OFTDateTime: return "datetime"
            default: return "text"
            }
        }

        /// Feature `f`'s value of column `k` (null when unset).
        func value(_ f: OGRFeatureH, _ k: Int) -> JSON {
            let i = Int32(k)
            guard OGR_F_IsFieldSetAndNotNull(f, i) != 0 else { return .null }
            switch types[k] {
            case OFTInteger where subtypes[k] == OFSTBoolean: return .bool(OGR_F_GetFieldAsInteger(f, i) != 0)
            case OFTInteger, OFTInteger64: return .number(String(OGR_F_GetFieldAsInteger64(f, i)))
            case OFTReal: return .double(OGR_F_GetFieldAsDouble(f, i))
            case OFTDate, OFTDateTime: return .string(dateText(f, i, withTime: types[k] == OFTDateTime))
            default: return .string(cText(OGR_F_GetFieldAsString(f, i)))
            }
        }

        /// A date field as `YYYY-MM-DD`, a date-time as `YYYY-MM-DDThh:mm:ss` with `Z` or its UTC offset.
        func dateText(_ f: OGRFeatureH, _ i: Int32, withTime: Bool) -> String {
            var y: Int32 = 0, mo: Int32 = 0, d: Int32 = 0, h: Int32 = 0, mi: Int32 = 0, tz: Int32 = 0
            var s: Float = 0
            _ = OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &s, &tz)
            func p2(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
            var text = "\(y)-\(p2(mo))-\(p2(d))"
            if withTime {
                text += "T\(p2(h)):\(p2(mi)):\(p2(Int32(s)))"
                // OGR's tz flag: 100 = UTC, 1 = local (unknown), each step of 1 from 100 = 15 minutes.
                if tz == 100 || tz <= 1 { text += "Z" } else {
                    let off = Int(tz - 100) * 15
                    text += (off < 0 ? "-" : "+") + p2(Int32(abs(off) / 60)) + ":" + p2(Int32(abs(off) % 60))
                }
            }
            return text
        }
    }

    /// OGR geometry → served geometry (curves linearised, Z/M dropped; collections are not served: null).
    static func geometry(_ g0: OGRGeometryH) -> Geometry? {
        guard OGR_G_IsEmpty(g0) == 0, let g = OGR_G_GetLinearGeometry(g0, 0, nil) else { return nil }
        defer { OGR_G_DestroyGeometry(g) }
        var out = Geometry(kind: .point, x: [], y: [])
        func coords(_ r: OGRGeometryH) -> Int {
            let n = Int(OGR_G_GetPointCount(r))
            for i in 0..<n { out.x.append(OGR_G_GetX(r, Int32(i))); out.y.append(OGR_G_GetY(r, Int32(i))) }
            return n
        }
        func rings(_ p: OGRGeometryH) -> Int {
            let k = Int(OGR_G_GetGeometryCount(p))
            for i in 0..<k { out.rings.append(coords(OGR_G_GetGeometryRef(p, Int32(i)))) }
            return k
        }
        switch OGR_GT_Flatten(OGR_G_GetGeometryType(g)) {
        case wkbPoint: out.kind = .point; _ = coords(g)
        case wkbLineString: out.kind = .lineString; out.rings.append(coords(g))
        case wkbPolygon: out.kind = .polygon; _ = rings(g)
        case wkbMultiPoint:
            out.kind = .multiPoint
            for i in 0..<OGR_G_GetGeometryCount(g) { _ = coords(OGR_G_GetGeometryRef(g, i)) }
        case wkbMultiLineString:
            out.kind = .multiLineString
            for i in 0..<OGR_G_GetGeometryCount(g) { out.rings.append(coords(OGR_G_GetGeometryRef(g, i))) }
        case wkbMultiPolygon:
            out.kind = .multiPolygon
            for i in 0..<OGR_G_GetGeometryCount(g) { out.polygons.append(rings(OGR_G_GetGeometryRef(g, i))) }
        default: return nil
        }
        return out
    }
}
