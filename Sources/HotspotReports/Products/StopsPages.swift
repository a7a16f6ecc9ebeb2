import HotspotCore
import HotspotIO
import HotspotCartography

extension StopsJob {
    /// `pages:` (svg, pdf, png or none), `periods:` (YYYY-MM..YYYY-MM, one summary page each) and `place:` (the
    /// pages' title) of a `stops:` section.
    static func decodePages(_ s: [String: Project.Field], into r: inout Request) throws {
        if let f = s["pages"] {
            let v = try f.strings()
            r.pages = try v == ["none"] ? [] : v.map { t in guard let x = MapRaster.Format(rawValue: t) else { throw f.error("use svg, png, pdf or none") }; return x }
        }
        if let f = s["periods"] {
            r.periods = try f.strings().map { text in guard let v = Period(parsing: text) else { throw f.error("'\(text)' is not a period: use YYYY-MM..YYYY-MM") }; return v }
        }
        r.place = try s["place"]?.string()
    }
}
