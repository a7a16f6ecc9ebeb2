import HotspotCore

/// ESRI ASCII grid (`.asc`), which QGIS, ArcGIS and GDAL open directly (with a `.prj` beside it for the CRS).
/// Rows are written from north to south, as the format requires; NaN becomes `NODATA_value`.
public enum ASCIIGridWriter {
    public static let noData = -9999.0

    public static func write(values: [Double], grid: SquareGrid) -> String {
        var s = "ncols \(grid.ncols)\nnrows \(grid.nrows)\nxllcorner \(Fmt.number(grid.x0))\nyllcorner \(Fmt.number(grid.y0))\n"
        s += "cellsize \(Fmt.number(grid.cellSize))\nNODATA_value \(Fmt.number(noData))\n"
        s.reserveCapacity(grid.cellCount * 12)
        for r in stride(from: grid.nrows - 1, through: 0, by: -1) {
            for c in 0..<grid.ncols {
                if c > 0 { s += " " }
                let v = values[r * grid.ncols + c]
                s += v.isNaN ? Fmt.number(noData) : Fmt.number(v)
            }
            s += "\n"
        }
        return s
    }
}
