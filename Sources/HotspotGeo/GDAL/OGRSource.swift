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

    /// `source` is a path or an OGR connection string; `layer` a layer name (default: the first layer). The features
    /// as `OGRFeatures` reads them, each kept as its polygons (a point or line feature as an empty MultiPolygon).
    public static func read(_ source: String, layer: String? = nil) throws -> Layer {
        let l = try OGRFeatures.read(source, layer: layer)
        return Layer(name: l.name, epsg: l.epsg, fields: l.fields, values: l.values, geometries: l.geometries.map { g in
            if case .polygons(let m) = g { return m }
            return MultiPolygon([])
        })
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
