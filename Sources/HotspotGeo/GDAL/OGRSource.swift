import CGDAL
import Foundation
import HotspotCore

/// A polygon layer read through OGR: Shapefile, MapInfo TAB/MIF, FlatGeobuf, GML, KML, a named GeoPackage layer
/// (`file.gpkg:layer`) — any source OGR opens. Curved geometries are linearised; every part that is a polygon is
/// kept. The CRS is the source's EPSG code (identified with OSR when the source carries only a definition, as a
/// Shapefile's .prj).
public enum OGRSource {
    public struct Layer: Sendable {
        public var name: String
        /// nil when OGR cannot name an EPSG code for the source's CRS (or it has none).
        public var epsg: Int?
        public var fields: [String]
        /// Property values as text (nil = null), per feature, in `fields` order.
        public var values: [[String?]]
        public var geometries: [MultiPolygon]
    }

    /// `source` is a path or an OGR connection string; `layer` a layer name (default: the first layer).
    public static func read(_ source: String, layer: String? = nil) throws -> Layer {
        GDALLibrary.register()
        CPLErrorReset()
        guard let ds = GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GeoError.gdal("\(source): OGR cannot open it as a vector source (\(GDALLibrary.lastError("unknown format")))")
        }
        let d = GDALDatasetHandle(ds)
        let n = GDALDatasetGetLayerCount(d.raw)
        let names = (0..<n).compactMap { OGR_L_GetName(GDALDatasetGetLayer(d.raw, $0)).map { String(cString: $0) } }
        let l: OGRLayerH?
        if let layer {
            l = GDALDatasetGetLayerByName(d.raw, layer)
            guard l != nil else { throw GeoError.gdal("\(source): no layer '\(layer)'; its layers are: \(names.joined(separator: ", "))") }
        } else {
            guard n > 0 else { throw GeoError.gdal("\(source): no layers") }
            l = GDALDatasetGetLayer(d.raw, 0)
        }
        let lh = l!
        let defn = OGR_L_GetLayerDefn(lh)
        let fieldCount = OGR_FD_GetFieldCount(defn)
        let fields = (0..<fieldCount).map { String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, $0))) }
        var values: [[String?]] = [], geometries: [MultiPolygon] = []
        OGR_L_ResetReading(lh)
        while let f = OGR_L_GetNextFeature(lh) {
            defer { OGR_F_Destroy(f) }
            values.append((0..<fieldCount).map { k in OGR_F_IsFieldSetAndNotNull(f, k) != 0 ? String(cString: OGR_F_GetFieldAsString(f, k)) : nil })
            geometries.append(OGR_F_GetGeometryRef(f).map(multiPolygon) ?? MultiPolygon([]))
        }
        return Layer(name: String(cString: OGR_L_GetName(lh)), epsg: epsg(OGR_L_GetSpatialRef(lh)), fields: fields, values: values, geometries: geometries)
    }

    /// The polygons of a geometry (curves linearised; points and lines dropped).
    static func multiPolygon(_ g: OGRGeometryH) -> MultiPolygon {
        guard let linear = OGR_G_GetLinearGeometry(g, 0, nil) else { return MultiPolygon([]) }
        defer { OGR_G_DestroyGeometry(linear) }
        var out: [Polygon] = []
        func ring(_ r: OGRGeometryH) -> [XY] {
            let n = Int(OGR_G_GetPointCount(r))
            var x = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
            x.withUnsafeMutableBytes { xb in
                y.withUnsafeMutableBytes { yb in
                    _ = OGR_G_GetPoints(r, xb.baseAddress, Int32(MemoryLayout<Double>.stride), yb.baseAddress, Int32(MemoryLayout<Double>.stride), nil, 0)
                }
            }
            return (0..<n).map { XY(x[$0], y[$0]) }
        }
        func collect(_ g: OGRGeometryH) {
            let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g))
            if type == wkbPolygon {
                let k = OGR_G_GetGeometryCount(g)
                guard k > 0 else { return }
                out.append(Polygon(exterior: ring(OGR_G_GetGeometryRef(g, 0)), holes: (1..<max(1, k)).map { ring(OGR_G_GetGeometryRef(g, $0)) }))
            } else if type == wkbMultiPolygon || type == wkbGeometryCollection {
                for i in 0..<OGR_G_GetGeometryCount(g) { collect(OGR_G_GetGeometryRef(g, i)) }
            }
        }
        collect(linear)
        return MultiPolygon(out)
    }

    /// The EPSG code of a CRS definition (WKT 1 or 2, ESRI WKT, PROJ string, `EPSG:n`: whatever
    /// `OSRSetFromUserInput` reads), identified as OGR identifies a source's CRS: the definition's own EPSG
    /// authority, else `OSRAutoIdentifyEPSG`, else the `OSRFindMatches` candidate of confidence ≥ 70 %. Nil when
    /// none qualifies or the definition cannot be parsed. Used for a GeoPackage's own `srs_id` (e.g. 100000, as
    /// ArcGIS and MapInfo write them) whose `gpkg_spatial_ref_sys.definition` holds British National Grid.
    public static func epsg(definition: String) -> Int? {
        GDALLibrary.register()
        guard let srs = OSRNewSpatialReference(nil) else { return nil }
        defer { OSRDestroySpatialReference(srs) }
        guard OSRSetFromUserInput(srs, definition) == OGRERR_NONE else { return nil }
        return epsg(srs)
    }

    /// The EPSG code of a spatial reference: its own authority code, else OSR's identification.
    static func epsg(_ srs: OGRSpatialReferenceH?) -> Int? {
        guard let srs else { return nil }
        func code(_ s: OGRSpatialReferenceH) -> Int? {
            guard let a = OSRGetAuthorityName(s, nil), String(cString: a).uppercased() == "EPSG", let c = OSRGetAuthorityCode(s, nil) else { return nil }
            return Int(String(cString: c))
        }
        if let c = code(srs) { return c }
        guard let clone = OSRClone(srs) else { return nil }
        defer { OSRDestroySpatialReference(clone) }
        if OSRAutoIdentifyEPSG(clone) == OGRERR_NONE, let c = code(clone) { return c }
        // A definition without an authority (a Shapefile .prj): the best match OSR finds, when it is sure.
        var count: Int32 = 0
        var confidence: UnsafeMutablePointer<Int32>?
        guard let matches = OSRFindMatches(srs, nil, &count, &confidence) else { return nil }
        defer { OSRFreeSRSArray(matches); VSIFree(confidence) }
        for i in 0..<Int(count) where (confidence?[i] ?? 0) >= 70 { if let m = matches[i], let c = code(m) { return c } }
        return nil
    }
}
