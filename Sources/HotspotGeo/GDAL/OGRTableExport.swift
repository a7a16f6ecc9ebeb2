import CGDAL
import Foundation
import HotspotCore

extension OGRSource {
    /// What `exportCSV` wrote.
    public struct Export: Sendable {
        public var rows: Int
        public var columns: [String]
        /// The EPSG code of the point geometry exported as `geom_x`, `geom_y` (nil: no point geometry).
        public var geometryEPSG: Int?
    }

    /// Streams a table (or view) of a database OGR opens — `PG:` + a libpq string or `postgresql://` URI — to a CSV
    /// file, feature by feature: every attribute as text, and a point geometry as `geom_x`, `geom_y` in its own CRS.
    /// The CSV then goes through the same reader, validation and quarantine as any incident file.
    public static func exportCSV(database url: String, table: String, to path: String) throws -> Export {
        GDALLibrary.register()
        CPLErrorReset()
        let source = url.hasPrefix("PG:") ? url : "PG:" + url
        guard let ds = GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GeoError.unreachable("cannot connect: \(PostGISWriter.oneLine(GDALLibrary.lastError("no PostgreSQL driver")))")
        }
        let d = GDALDatasetHandle(ds)
        defer { withExtendedLifetime(d) {} }  // open until the scope ends (layers and bands use d.raw)
        guard let l = GDALDatasetGetLayerByName(d.raw, table) else {
            throw GeoError.unreachable("no table or view '\(table)' in the database (give schema.table when it is not in the search path)")
        }
        let defn = OGR_L_GetLayerDefn(l)
        let n = OGR_FD_GetFieldCount(defn)
        let fields = (0..<n).map { cText(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, $0)), or: "field\($0 + 1)") }
        let gtype = OGR_GT_Flatten(OGR_L_GetGeomType(l))
        let point = gtype == wkbPoint
        let columns = fields + (point ? ["geom_x", "geom_y"] : [])
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw GeoError.gdal("\(path): cannot write the table's rows")
        }
        defer { try? out.close() }
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var buffer = columns.map(field).joined(separator: ",") + "\n"
        var rows = 0
        OGR_L_ResetReading(l)
        while let f = OGR_L_GetNextFeature(l) {
            defer { OGR_F_Destroy(f) }
            var cells = (0..<n).map { k in OGR_F_IsFieldSetAndNotNull(f, k) != 0 ? field(cText(OGR_F_GetFieldAsString(f, k))) : "" }
            if point {
                if let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0 {
                    cells += ["\(OGR_G_GetX(g, 0))", "\(OGR_G_GetY(g, 0))"]
                } else { cells += ["", ""] }
            }
            buffer += cells.joined(separator: ",") + "\n"
            rows += 1
            if buffer.utf8.count > 1 << 20 { out.write(Data(buffer.utf8)); buffer = "" }
        }
        out.write(Data(buffer.utf8))
        return Export(rows: rows, columns: columns, geometryEPSG: point ? epsg(OGR_L_GetSpatialRef(l)) : nil)
    }
}
