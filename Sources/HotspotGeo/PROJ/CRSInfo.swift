import CProj

/// Descriptions of a CRS from PROJ's database.
public enum CRSInfo {
    /// ESRI-flavoured WKT (WKT1_ESRI), as ArcGIS and QGIS expect in a `.prj` beside an ESRI ASCII grid.
    public static func esriWKT(epsg: Int) throws -> String {
        guard let ctx = proj_context_create() else { throw GeoError.proj("cannot create a PROJ context") }
        defer { proj_context_destroy(ctx) }
        guard let crs = proj_create(ctx, "EPSG:\(epsg)") else { throw GeoError.proj("unknown CRS EPSG:\(epsg)") }
        defer { proj_destroy(crs) }
        guard let wkt = proj_as_wkt(ctx, crs, PJ_WKT1_ESRI, nil) else { throw GeoError.proj("no ESRI WKT for EPSG:\(epsg)") }
        return String(cString: wkt)
    }
}
