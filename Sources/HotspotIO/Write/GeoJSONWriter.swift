import HotspotCore

/// RFC 7946 GeoJSON: a FeatureCollection in WGS84 longitude/latitude (no `crs` member), exterior rings
/// counter-clockwise and holes clockwise (right-hand rule), coordinates with 6 decimals (≈ 0.1 m), a stable `id`
/// per feature. Geometries must already be in EPSG:4326, x = longitude.
public enum GeoJSONWriter {
    public static let decimals = 6

    /// - Parameters:
    ///   - geometries: one per row of `properties` (lon/lat).
    ///   - idColumn: the property whose value is also the feature `id`.
    public static func featureCollection(name: String, geometries: [MultiPolygon], properties: Table,
                                         idColumn: String, decimals: Int = GeoJSONWriter.decimals) -> String {
        precondition(geometries.count == properties.rows.count)
        let idIndex = properties.columns.firstIndex(of: idColumn)
        var s = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString(name)),\"features\":["
        s.reserveCapacity(geometries.count * 400)
        for (i, g) in geometries.enumerated() {
            if i > 0 { s += "," }
            s += "\n{\"type\":\"Feature\""
            if let k = idIndex { s += ",\"id\":" + properties.rows[i][k].json }
            s += ",\"geometry\":" + geometry(g, decimals: decimals)
            s += ",\"properties\":{"
            for (j, c) in properties.columns.enumerated() {
                if j > 0 { s += "," }
                s += Fmt.jsonString(c) + ":" + properties.rows[i][j].json
            }
            s += "}}"
        }
        s += "\n]}\n"
        return s
    }

    /// A FeatureCollection of points (lon/lat, RFC 7946) with `properties` per point.
    public static func points(name: String, x: [Double], y: [Double], properties: Table, idColumn: String,
                              decimals: Int = GeoJSONWriter.decimals) -> String {
        precondition(x.count == properties.rows.count && y.count == x.count)
        let idIndex = properties.columns.firstIndex(of: idColumn)
        var s = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString(name)),\"features\":["
        for i in x.indices {
            if i > 0 { s += "," }
            s += "\n{\"type\":\"Feature\""
            if let k = idIndex { s += ",\"id\":" + properties.rows[i][k].json }
            s += ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(Fmt.fixed(x[i], decimals)),\(Fmt.fixed(y[i], decimals))]}"
            s += ",\"properties\":{" + properties.columns.enumerated().map { Fmt.jsonString($1) + ":" + properties.rows[i][$0].json }.joined(separator: ",") + "}}"
        }
        return s + "\n]}\n"
    }

    /// A FeatureCollection of two-point LineStrings (lon/lat, RFC 7946), `from[i]` to `to[i]`, with `properties` per
    /// line.
    public static func lines(name: String, from: [XY], to: [XY], properties: Table, idColumn: String,
                             decimals: Int = GeoJSONWriter.decimals) -> String {
        precondition(from.count == properties.rows.count && to.count == from.count)
        let idIndex = properties.columns.firstIndex(of: idColumn)
        func xy(_ p: XY) -> String { "[" + Fmt.fixed(p.x, decimals) + "," + Fmt.fixed(p.y, decimals) + "]" }
        var s = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString(name)),\"features\":["
        for i in from.indices {
            if i > 0 { s += "," }
            s += "\n{\"type\":\"Feature\""
            if let k = idIndex { s += ",\"id\":" + properties.rows[i][k].json }
            s += ",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[" + xy(from[i]) + "," + xy(to[i]) + "]}"
            s += ",\"properties\":{" + properties.columns.enumerated().map { Fmt.jsonString($1) + ":" + properties.rows[i][$0].json }.joined(separator: ",") + "}}"
        }
        return s + "\n]}\n"
    }

    /// A Polygon (one part) or MultiPolygon geometry object, right-hand rule enforced; empty → null.
    public static func geometry(_ mp: MultiPolygon, decimals: Int = GeoJSONWriter.decimals) -> String {
        let g = mp.rightHandRule
        func ring(_ r: [XY]) -> String {
            "[" + r.map { "[" + Fmt.fixed($0.x, decimals) + "," + Fmt.fixed($0.y, decimals) + "]" }.joined(separator: ",") + "]"
        }
        func poly(_ p: Polygon) -> String { "[" + ([p.exterior] + p.holes).map(ring).joined(separator: ",") + "]" }
        switch g.polygons.count {
        case 0: return "null"
        case 1: return "{\"type\":\"Polygon\",\"coordinates\":" + poly(g.polygons[0]) + "}"
        default: return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + g.polygons.map(poly).joined(separator: ",") + "]}"
        }
    }
}
