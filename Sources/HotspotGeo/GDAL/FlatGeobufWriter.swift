import CGDAL
import Foundation
import HotspotCore

/// FlatGeobuf (https://flatgeobuf.org) through GDAL's FlatGeobuf driver: one polygon (or point) layer in the layer's
/// EPSG with typed columns and the packed Hilbert R-tree spatial index, written to a temporary file beside `path`
/// that replaces it once closed. Geometries go to OGR as WKB built in one reused buffer.
public enum FlatGeobufWriter {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `layer` (its `table` is the layer name) to `path`.
    public static func write(path: String, layer l: PostGISWriter.Layer) throws {
        GDALLibrary.register()
        CPLErrorReset()
        guard let driver = GDALGetDriverByName("FlatGeobuf") else { throw WriteError(description: "GDAL has no FlatGeobuf driver (GDAL ≥ 3.1 has)") }
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier).fgb"
        unlink(tmp)
        do {
            try writeDataset(driver, tmp, l)
            // The driver sorts the features and writes the file and its index when the dataset closes (at the end of
            // writeDataset): a failure there (a full disk) is only in GDAL's error state.
            if CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal {
                throw WriteError(description: "cannot write \(path): \(GDALLibrary.lastError("GDAL failed while closing the file"))")
            }
        } catch {
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func writeDataset(_ driver: GDALDriverH, _ tmp: String, _ l: PostGISWriter.Layer) throws {
        guard let raw = GDALCreate(driver, tmp, 0, 0, 0, GDT_Unknown, nil) else {
            throw WriteError(description: "cannot create \(tmp): \(GDALLibrary.lastError("?"))")
        }
        let d = GDALDatasetHandle(raw)
        // The dataset stays open (and its layer valid) until every feature is written; it closes when `d` goes.
        try withExtendedLifetime(d) { try writeLayer(d, l) }
    }

    private static func writeLayer(_ d: GDALDatasetHandle, _ l: PostGISWriter.Layer) throws {
        guard let srs = OSRNewSpatialReference(nil) else { throw WriteError(description: "OSR failed") }
        defer { OSRDestroySpatialReference(srs) }
        _ = OSRImportFromEPSG(srs, Int32(l.epsg))
        var c: [UnsafeMutablePointer<CChar>?] = [strdup("SPATIAL_INDEX=YES"), nil]
        defer { for p in c { free(p) } }
        let type = l.points != nil ? wkbPoint : wkbMultiPolygon
        guard let layer = c.withUnsafeMutableBufferPointer({ GDALDatasetCreateLayer(d.raw, l.table, srs, type, $0.baseAddress) }) else {
            throw WriteError(description: "\(l.table): cannot create the layer (\(GDALLibrary.lastError("?")))")
        }
        if let bad = OGRLayerFill.createFields(layer, l.fields) { throw WriteError(description: "\(l.table).\(bad): \(GDALLibrary.lastError("cannot add the field"))") }
        let defn = OGR_L_GetLayerDefn(layer)
        var wkb: [UInt8] = []
        wkb.reserveCapacity(256)
        for (k, row) in l.rows.enumerated() {
            guard let f = OGR_F_Create(defn) else { throw WriteError(description: "OGR feature failed") }
            defer { OGR_F_Destroy(f) }
            OGRLayerFill.setFields(f, row)
            wkb.removeAll(keepingCapacity: true)
            if let p = l.points { WKB.appendPoint(&wkb, p[k]) } else { WKB.appendMultiPolygon(&wkb, l.polygons[k]) }
            var g: OGRGeometryH?
            let err = wkb.withUnsafeBytes { OGR_G_CreateFromWkb($0.baseAddress, nil, &g, Int32($0.count)) }
            guard err == OGRERR_NONE, let g else { throw WriteError(description: "\(l.table): feature \(k + 1): bad geometry") }
            _ = OGR_F_SetGeometryDirectly(f, g)
            guard OGR_L_CreateFeature(layer, f) == OGRERR_NONE else { throw WriteError(description: "\(l.table): \(GDALLibrary.lastError("cannot write a feature"))") }
        }
    }
}

/// Little-endian ISO WKB, appended to a reused buffer.
public enum WKB {
    @inline(__always) static func u32(_ d: inout [UInt8], _ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    @inline(__always) static func f64(_ d: inout [UInt8], _ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }

    /// A Point.
    public static func appendPoint(_ d: inout [UInt8], _ p: XY) {
        d.append(1); u32(&d, 1); f64(&d, p.x); f64(&d, p.y)
    }

    /// A MultiPolygon (rings as they are: closed, in their own winding).
    public static func appendMultiPolygon(_ d: inout [UInt8], _ mp: MultiPolygon) {
        d.append(1); u32(&d, 6); u32(&d, UInt32(mp.polygons.count))
        for p in mp.polygons {
            d.append(1); u32(&d, 3); u32(&d, UInt32(1 + p.holes.count))
            ring(&d, p.exterior)
            for h in p.holes { ring(&d, h) }
        }
    }

    /// A ring, closed (its first point repeated at the end) when it is not: WKB rings are closed (OGC 06-103r4 §6.1.7).
    private static func ring(_ d: inout [UInt8], _ r: [XY]) {
        let open = r.count > 0 && r.first! != r.last!
        u32(&d, UInt32(r.count + (open ? 1 : 0)))
        r.withUnsafeBufferPointer { p in for v in p { f64(&d, v.x); f64(&d, v.y) } }
        if open { f64(&d, r[0].x); f64(&d, r[0].y) }
    }
}

/// What the OGR writers (PostGIS, FlatGeobuf) share: a layer's typed columns and a row's values set on a feature.
enum OGRLayerFill {
    /// Creates the columns (64-bit integers, reals, text); returns the name of a column OGR refused, nil when all are made.
    static func createFields(_ layer: OGRLayerH, _ fields: [(name: String, kind: PostGISWriter.Kind)]) -> String? {
        for f in fields {
            let t: OGRFieldType = f.kind == .integer ? OFTInteger64 : f.kind == .real ? OFTReal : OFTString
            let fd = OGR_Fld_Create(f.name, t)
            defer { OGR_Fld_Destroy(fd) }
            guard OGR_L_CreateField(layer, fd, 1) == OGRERR_NONE else { return f.name }
        }
        return nil
    }

    /// Sets a row's values on a feature in column order (a non-finite real is null).
    static func setFields(_ f: OGRFeatureH, _ row: [PostGISWriter.FieldValue]) {
        for (i, v) in row.enumerated() {
            switch v {
            case .int(let n): OGR_F_SetFieldInteger64(f, Int32(i), GIntBig(n))
            case .real(let x): if x.isFinite { OGR_F_SetFieldDouble(f, Int32(i), x) } else { OGR_F_SetFieldNull(f, Int32(i)) }
            case .text(let s): OGR_F_SetFieldString(f, Int32(i), s)
            case .null: OGR_F_SetFieldNull(f, Int32(i))
            }
        }
    }
}
