import CGDAL
import Foundation
import HotspotCore

/// A raster surface (KDE density) as a Cloud-Optimised GeoTIFF through GDAL's COG driver: Float64, one band, the
/// grid's CRS (EPSG code), NoData set, DEFLATE-compressed with the floating-point predictor, internal overviews.
/// GDAL writes no timestamp, so the same surface gives the same bytes.
public enum GeoTIFFWriter {
    public static let noData = -9999.0

    /// Writes `values` (row-major, row 0 the southernmost, NaN = NoData) of `grid` to `path`.
    public static func write(values: [Double], grid: SquareGrid, epsg: Int, to path: String) throws {
        GDALLibrary.register()
        CPLErrorReset()
        guard let memDriver = GDALGetDriverByName("MEM"), let cog = GDALGetDriverByName("COG") else {
            throw GeoError.gdal("GDAL has no MEM or COG driver (GDAL 3.1 or later is needed)")
        }
        guard let mem = GDALCreate(memDriver, "", Int32(grid.ncols), Int32(grid.nrows), 1, GDT_Float64, nil) else {
            throw GeoError.gdal("GDAL cannot make a \(grid.ncols) × \(grid.nrows) raster: \(GDALLibrary.lastError("out of memory?"))")
        }
        let m = GDALDatasetHandle(mem)
        defer { withExtendedLifetime(m) {} }  // open until the scope ends (layers and bands use m.raw)
        var gt = [grid.x0, grid.cellSize, 0, grid.y0 + Double(grid.nrows) * grid.cellSize, 0, -grid.cellSize]
        _ = GDALSetGeoTransform(m.raw, &gt)
        guard let srs = OSRNewSpatialReference(nil) else { throw GeoError.gdal("OSR failed") }
        defer { OSRDestroySpatialReference(srs) }
        guard OSRImportFromEPSG(srs, Int32(epsg)) == OGRERR_NONE else { throw GeoError.gdal("EPSG:\(epsg) is not known to GDAL") }
        _ = GDALSetSpatialRef(m.raw, srs)
        let band = GDALGetRasterBand(m.raw, 1)
        _ = GDALSetRasterNoDataValue(band, noData)
        // North-up rows: row 0 of the raster is the grid's northernmost row.
        var rows = [Double](repeating: noData, count: grid.cellCount)
        for r in 0..<grid.nrows {
            let src = (grid.nrows - 1 - r) * grid.ncols, dst = r * grid.ncols
            for c in 0..<grid.ncols { let v = values[src + c]; rows[dst + c] = v.isNaN ? noData : v }
        }
        let err = rows.withUnsafeMutableBytes {
            GDALRasterIO(band, GF_Write, 0, 0, Int32(grid.ncols), Int32(grid.nrows), $0.baseAddress, Int32(grid.ncols), Int32(grid.nrows), GDT_Float64, 0, 0)
        }
        guard err == CE_None else { throw GeoError.gdal("GDAL could not fill the raster: \(GDALLibrary.lastError("RasterIO failed"))") }
        let options = ["COMPRESS=DEFLATE", "PREDICTOR=YES", "NUM_THREADS=1", "BIGTIFF=NO"]
        var cOptions: [UnsafeMutablePointer<CChar>?] = options.map { strdup($0) } + [nil]
        defer { for p in cOptions { free(p) } }
        let out = cOptions.withUnsafeMutableBufferPointer { GDALCreateCopy(cog, path, m.raw, 0, $0.baseAddress, nil, nil) }
        guard let out else { throw GeoError.gdal("\(path): GDAL could not write the GeoTIFF: \(GDALLibrary.lastError("COG driver failed"))") }
        GDALClose(out)
    }
}

extension GeoTIFFWriter {
    /// What a GeoTIFF holds, read back through GDAL (for tests and checks): north-up rows, band 1.
    public struct Raster: Sendable { public var width: Int, height: Int, epsg: Int?, noData: Double?, geoTransform: [Double], values: [Double] }

    public static func read(_ path: String) throws -> Raster {
        GDALLibrary.register()
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GeoError.gdal("\(path): GDAL cannot open it as a raster (\(GDALLibrary.lastError("unknown")))")
        }
        let d = GDALDatasetHandle(ds)
        defer { withExtendedLifetime(d) {} }  // open until the scope ends (layers and bands use d.raw)
        let w = Int(GDALGetRasterXSize(d.raw)), h = Int(GDALGetRasterYSize(d.raw))
        var gt = [Double](repeating: 0, count: 6)
        _ = GDALGetGeoTransform(d.raw, &gt)
        let band = GDALGetRasterBand(d.raw, 1)
        var has: Int32 = 0
        let nd = GDALGetRasterNoDataValue(band, &has)
        var values = [Double](repeating: 0, count: w * h)
        _ = values.withUnsafeMutableBytes { GDALRasterIO(band, GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Float64, 0, 0) }
        return Raster(width: w, height: h, epsg: OGRSource.epsg(GDALGetSpatialRef(d.raw)), noData: has != 0 ? nd : nil, geoTransform: gt, values: values)
    }
}
