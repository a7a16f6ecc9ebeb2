import CGEOS
import HotspotCore

extension GEOSGeometry {
    /// GEOS MakeValid (the "linework" method): returns a valid polygonal geometry covering the same area.
    public func makeValid() throws -> GEOSGeometry {
        guard let g = GEOSMakeValid_r(context.handle, raw) else { throw context.takeError("MakeValid failed") }
        return GEOSGeometry(context, owning: g)
    }
}
