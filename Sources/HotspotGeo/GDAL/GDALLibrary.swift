import CGDAL
import Foundation

/// GDAL/OGR, the field's own library for vector and raster formats, behind small owning types: the drivers are
/// registered once, and GDAL's last error message is taken into Swift errors.
public enum GDALLibrary {
    /// GDAL's release, e.g. "3.6.2".
    public static var version: String { String(cString: GDALVersionInfo("RELEASE_NAME")) }

    private static let registered: Bool = {
        GDALAllRegister()
        CPLSetConfigOption("CPL_LOG", "/dev/null")
        return true
    }()
    static func register() { _ = registered }

    /// GDAL's last error message, or `fallback`.
    static func lastError(_ fallback: String) -> String {
        guard let m = CPLGetLastErrorMsg(), m.pointee != 0 else { return fallback }
        return String(cString: m)
    }
}

/// An open GDAL dataset, closed with its owner.
final class GDALDatasetHandle {
    let raw: GDALDatasetH
    init(_ raw: GDALDatasetH) { self.raw = raw }
    deinit { GDALClose(raw) }
}
