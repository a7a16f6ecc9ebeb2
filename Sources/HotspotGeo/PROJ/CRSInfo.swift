import CProj

/// Descriptions of a CRS from PROJ's database.
public enum CRSInfo {
    /// ESRI-flavoured WKT (WKT1_ESRI), as ArcGIS and QGIS expect in a `.prj` beside an ESRI ASCII grid.
    public static func esriWKT(epsg: Int) throws -> String { try wkt(epsg: epsg, PJ_WKT1_ESRI) }

    /// OGC WKT 1 (GDAL flavour), as a GeoPackage's `gpkg_spatial_ref_sys.definition` expects.
    public static func ogcWKT(epsg: Int) throws -> String { try wkt(epsg: epsg, PJ_WKT1_GDAL) }

    static func wkt(epsg: Int, _ type: PJ_WKT_TYPE) throws -> String {
        guard let ctx = proj_context_create() else { throw GeoError.proj("cannot create a PROJ context") }
        defer { proj_context_destroy(ctx) }
        guard let crs = proj_create(ctx, "EPSG:\(epsg)") else { throw GeoError.proj("unknown CRS EPSG:\(epsg)") }
        defer { proj_destroy(crs) }
        guard let wkt = proj_as_wkt(ctx, crs, type, nil) else { throw GeoError.proj("no WKT for EPSG:\(epsg)") }
        return String(cString: wkt)
    }
}
