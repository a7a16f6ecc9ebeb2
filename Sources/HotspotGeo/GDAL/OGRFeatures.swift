import CGDAL
import Foundation
import HotspotCore

/// Every feature of one OGR layer with its geometry of any kind (points, lines, polygons; curves linearised;
/// Z and M dropped) and its attributes as text: what context layers (roads, stations, town centres) are read from.
public enum OGRFeatures {
    public struct Layer: Sendable {
        public var name: String
        /// nil when OGR cannot name an EPSG code for the layer's CRS (or it has none).
        public var epsg: Int?
        public var fields: [String]
        /// Property values as text (nil = null), per feature, in `fields` order.
        public var values: [[String?]]
        public var geometries: [FeatureGeometry]
    }

    /// `source` is a path or an OGR connection string; `layer` a layer name (default: the first layer).
    public static func read(_ source: String, layer: String? = nil) throws -> Layer {
        GDALLibrary.register()
        CPLErrorReset()
        guard let ds = GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GeoError.gdal("\(source): OGR cannot open it as a vector source (\(GDALLibrary.lastError("unknown format")))")
        }
        let d = GDALDatasetHandle(ds)
        defer { withExtendedLifetime(d) {} }  // open until the scope ends (layers and bands use d.raw)
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
        // Every C string OGR returns is checked: under memory pressure it may return NULL (issue 21: a NULL field
        // name reached strlen).
        let fields = try (0..<fieldCount).map { k in
            guard let fd = OGR_FD_GetFieldDefn(defn, k), let s = OGR_Fld_GetNameRef(fd) else { throw GeoError.gdal("\(source): OGR could not give field \(k)'s name (out of memory?)") }
            return String(cString: s)
        }
        var values: [[String?]] = [], geometries: [FeatureGeometry] = []
        OGR_L_ResetReading(lh)
        CPLErrorReset()
        var damaged = 0, firstError = "", read: Extent?
        while let f = OGR_L_GetNextFeature(lh) {
            defer { OGR_F_Destroy(f); CPLErrorReset() }
            // A feature whose geometry OGR failed to read (a .shp cut short: "Error in fread()") comes back without
            // one; it is counted, never taken as a feature without a shape.
            if OGR_F_GetGeometryRef(f) == nil && CPLGetLastErrorType() == CE_Failure {
                damaged += 1
                if firstError.isEmpty { firstError = GDALLibrary.lastError("a geometry could not be read") }
            }
            values.append(try (0..<fieldCount).map { k in
                guard OGR_F_IsFieldSetAndNotNull(f, k) != 0 else { return nil }
                guard let s = OGR_F_GetFieldAsString(f, k) else { throw GeoError.gdal("\(source): OGR could not give a field's value (out of memory?)") }
                return String(cString: s)
            })
            if let g = OGR_F_GetGeometryRef(f) {
                geometries.append(geometry(g))
                var e = OGREnvelope()
                OGR_G_GetEnvelope(g, &e)
                read = read.map { Extent(minX: min($0.minX, e.MinX), minY: min($0.minY, e.MinY), maxX: max($0.maxX, e.MaxX), maxY: max($0.maxY, e.MaxY)) }
                    ?? Extent(minX: e.MinX, minY: e.MinY, maxX: e.MaxX, maxY: e.MaxY)
            } else {
                geometries.append(.empty)
            }
        }
        if damaged > 0 {
            throw GeoError.gdal("\(source): \(damaged) of \(values.count) features could not be read (\(firstError)): the file is damaged or cut short; copy or export it again")
        }
        // A layer that says how many features it holds (a Shapefile's .shx and .dbf, a GeoPackage's table) must give
        // them all: a .shp cut short gave 5 areas of 12 with no word (issue 21).
        let declared = OGR_L_GetFeatureCount(lh, 0)
        if declared >= 0 && Int(declared) != values.count {
            throw GeoError.gdal("\(source): the layer declares \(declared) features but only \(values.count) could be read (\(GDALLibrary.lastError("the file is damaged or cut short"))): copy or export it again")
        }
        try checkExtent(lh, read: read, source: source)
        return Layer(name: cText(OGR_L_GetName(lh), or: "layer"), epsg: OGRSource.epsg(OGR_L_GetSpatialRef(lh)), fields: fields,
                     values: values, geometries: geometries)
    }

    /// A layer that states its extent (a Shapefile's header, a GeoPackage's gpkg_contents) must hold every feature
    /// read inside it: a shape outside is a damaged or mismatched file (a .shp from another .shx). A stated extent
    /// larger than the shapes is not an error: editors leave it so after deleting features (issue 21).
    static func checkExtent(_ lh: OGRLayerH, read: Extent?, source: String) throws {
        var d = OGREnvelope()
        guard let r = read, OGR_L_GetExtent(lh, &d, 0) == OGRERR_NONE, d.MinX <= d.MaxX, d.MinY <= d.MaxY else { return }
        let tolerance = 1e-6 * max(1, abs(d.MinX), abs(d.MaxX), abs(d.MinY), abs(d.MaxY))
        guard r.minX < d.MinX - tolerance || r.maxX > d.MaxX + tolerance || r.minY < d.MinY - tolerance || r.maxY > d.MaxY + tolerance else { return }
        func box(_ a: Double, _ b: Double, _ c: Double, _ e: Double) -> String { "\(fmt(a)) \(fmt(b)) – \(fmt(c)) \(fmt(e))" }
        throw GeoError.gdal("\(source): the layer states its extent as \(box(d.MinX, d.MinY, d.MaxX, d.MaxY)) but holds shapes reaching \(box(r.minX, r.minY, r.maxX, r.maxY)): the file is damaged or its parts do not belong together; copy or export it again")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.6g", x) }

    /// A geometry of one kind: the kind of its first non-empty part (a collection's other kinds are dropped).
    static func geometry(_ g: OGRGeometryH) -> FeatureGeometry {
        guard let linear = OGR_G_GetLinearGeometry(g, 0, nil) else { return .empty }
        defer { OGR_G_DestroyGeometry(linear) }
        var points: [XY] = [], lines: [[XY]] = [], polygons: [Polygon] = []
        func coords(_ r: OGRGeometryH) -> [XY] {
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
            switch type {
            case wkbPoint where OGR_G_IsEmpty(g) == 0: points.append(XY(OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)))
            case wkbLineString:
                let c = coords(g)
                if c.count >= 2 { lines.append(c) }
            case wkbPolygon:
                let k = OGR_G_GetGeometryCount(g)
                guard k > 0 else { return }
                polygons.append(Polygon(exterior: coords(OGR_G_GetGeometryRef(g, 0)), holes: (1..<max(1, k)).map { coords(OGR_G_GetGeometryRef(g, $0)) }))
            case wkbMultiPoint, wkbMultiLineString, wkbMultiPolygon, wkbGeometryCollection:
                for i in 0..<OGR_G_GetGeometryCount(g) { collect(OGR_G_GetGeometryRef(g, i)) }
            default: break
            }
        }
        collect(linear)
        if !polygons.isEmpty { return .polygons(MultiPolygon(polygons)) }
        if !lines.isEmpty { return .lines(lines) }
        if !points.isEmpty { return .points(points) }
        return .empty
    }
}
