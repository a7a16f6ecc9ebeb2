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
        String(decoding: featureCollectionBytes(name: name, geometries: geometries, properties: properties, idColumn: idColumn,
                                                decimals: decimals), as: UTF8.self)
    }

    /// `featureCollection` as UTF-8 bytes, built in one buffer (about 1 s per million grid cells).
    public static func featureCollectionBytes(name: String, geometries: [MultiPolygon], properties: Table,
                                              idColumn: String, decimals: Int = GeoJSONWriter.decimals) -> [UInt8] {
        precondition(geometries.count == properties.rows.count)
        return collectionBytes(name: name, count: geometries.count, perFeature: 400, properties: properties, idColumn: idColumn) { b, i in
            appendGeometry(&b, geometries[i], decimals: decimals)
        }
    }

    /// `featureCollectionBytes` in pieces of about `chunk` bytes, each handed to `emit` as soon as it is full: the
    /// same bytes, without holding the whole collection (a national grid's GeoJSON is gigabytes). The `count`
    /// geometries are asked for in batches (`geometries(range)`, ranges in order, at most `batch` long), so that they
    /// too need not be held all at once (e.g. reprojected batch by batch).
    public static func streamFeatureCollection(name: String, count: Int, properties: Table, idColumn: String,
                                               decimals: Int = GeoJSONWriter.decimals, chunk: Int = 1 << 24, batch: Int,
                                               geometries: (Range<Int>) throws -> [MultiPolygon], emit: ([UInt8]) throws -> Void) rethrows {
        precondition(count == properties.rows.count && batch > 0)
        var current: [MultiPolygon] = [], start = 0
        try collectionStream(name: name, count: count, perFeature: 400, properties: properties, idColumn: idColumn,
                             chunk: chunk, emit: emit) { b, i in
            if i - start >= current.count {
                start = i
                current = try geometries(i..<min(count, i + batch))
                precondition(current.count == min(count, i + batch) - i, "a batch of the wrong length")
            }
            appendGeometry(&b, current[i - start], decimals: decimals)
        }
    }

    /// A FeatureCollection of points (lon/lat, RFC 7946) with `properties` per point.
    public static func points(name: String, x: [Double], y: [Double], properties: Table, idColumn: String,
                              decimals: Int = GeoJSONWriter.decimals) -> String {
        precondition(x.count == properties.rows.count && y.count == x.count)
        return collection(name: name, count: x.count, properties: properties, idColumn: idColumn) { b, i in
            b.append("{\"type\":\"Point\",\"coordinates\":[")
            b.fixed(x[i], decimals); b.byte(UInt8(ascii: ",")); b.fixed(y[i], decimals)
            b.append("]}")
        }
    }

    /// A FeatureCollection of two-point LineStrings (lon/lat, RFC 7946), `from[i]` to `to[i]`, with `properties` per
    /// line.
    public static func lines(name: String, from: [XY], to: [XY], properties: Table, idColumn: String,
                             decimals: Int = GeoJSONWriter.decimals) -> String {
        precondition(from.count == properties.rows.count && to.count == from.count)
        return collection(name: name, count: from.count, properties: properties, idColumn: idColumn) { b, i in
            b.append("{\"type\":\"LineString\",\"coordinates\":[[")
            b.fixed(from[i].x, decimals); b.byte(UInt8(ascii: ",")); b.fixed(from[i].y, decimals)
            b.append("],[")
            b.fixed(to[i].x, decimals); b.byte(UInt8(ascii: ",")); b.fixed(to[i].y, decimals)
            b.append("]]}")
        }
    }

    /// `collectionBytes` as a String.
    private static func collection(name: String, count: Int, properties: Table, idColumn: String,
                                   geometry: (inout ByteText, Int) -> Void) -> String {
        String(decoding: collectionBytes(name: name, count: count, perFeature: 200, properties: properties, idColumn: idColumn,
                                         geometry: geometry), as: UTF8.self)
    }

    /// A FeatureCollection of `count` features, each geometry appended by `geometry`, in one byte buffer (sized for
    /// about `perFeature` bytes a feature).
    private static func collectionBytes(name: String, count: Int, perFeature: Int, properties: Table, idColumn: String,
                                        geometry: (inout ByteText, Int) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        collectionStream(name: name, count: count, perFeature: perFeature, properties: properties, idColumn: idColumn,
                         chunk: .max, emit: { out = $0 }, geometry: geometry)
        return out
    }

    /// The FeatureCollection's bytes handed to `emit` in order, a piece whenever `chunk` bytes are buffered and the
    /// rest at the end (with `chunk` = .max, once: the whole collection).
    private static func collectionStream(name: String, count: Int, perFeature: Int, properties: Table, idColumn: String, chunk: Int,
                                         emit: ([UInt8]) throws -> Void, geometry: (inout ByteText, Int) throws -> Void) rethrows {
        let idIndex = properties.columns.firstIndex(of: idColumn)
        var keys: [[UInt8]] = []
        for c in properties.columns {
            var k = ByteText(); k.jsonString(c); k.byte(UInt8(ascii: ":")); keys.append(k.bytes)
        }
        var b = ByteText(capacity: min(count * perFeature + 256, chunk == .max ? .max : chunk + (1 << 16)))
        b.append("{\"type\":\"FeatureCollection\",\"name\":"); b.jsonString(name); b.append(",\"features\":[")
        for i in 0..<count {
            if i > 0 { b.byte(UInt8(ascii: ",")) }
            b.append("\n{\"type\":\"Feature\"")
            let row = properties.rows[i]
            if let k = idIndex { b.append(",\"id\":"); b.json(row[k]) }
            b.append(",\"geometry\":")
            try geometry(&b, i)
            b.append(",\"properties\":{")
            for j in keys.indices {
                if j > 0 { b.byte(UInt8(ascii: ",")) }
                b.append(keys[j]); b.json(row[j])
            }
            b.append("}}")
            if b.bytes.count >= chunk { try emit(b.bytes); b.bytes.removeAll(keepingCapacity: true) }
        }
        b.append("\n]}\n")
        try emit(b.bytes)
    }

    /// A Polygon (one part) or MultiPolygon geometry object, right-hand rule enforced; empty → null.
    public static func geometry(_ mp: MultiPolygon, decimals: Int = GeoJSONWriter.decimals) -> String {
        var b = ByteText()
        appendGeometry(&b, mp, decimals: decimals)
        return String(decoding: b.bytes, as: UTF8.self)
    }

    /// `geometry(mp)` appended to `b`: rings are walked backwards where the right-hand rule turns them (exteriors
    /// counter-clockwise, holes clockwise, as `Polygon.rightHandRule`), without copying them.
    static func appendGeometry(_ b: inout ByteText, _ mp: MultiPolygon, decimals: Int) {
        func ring(_ r: [XY], ccw: Bool) {
            b.byte(UInt8(ascii: "["))
            let reverse = (Polygon.signedArea2(r) > 0) != ccw
            r.withUnsafeBufferPointer { p in
                for i in 0..<p.count {
                    let v = p[reverse ? p.count - 1 - i : i]
                    if i > 0 { b.byte(UInt8(ascii: ",")) }
                    b.byte(UInt8(ascii: "[")); b.fixed(v.x, decimals); b.byte(UInt8(ascii: ",")); b.fixed(v.y, decimals)
                    b.byte(UInt8(ascii: "]"))
                }
            }
            b.byte(UInt8(ascii: "]"))
        }
        func poly(_ p: Polygon) {
            b.byte(UInt8(ascii: "["))
            ring(p.exterior, ccw: true)
            for h in p.holes { b.byte(UInt8(ascii: ",")); ring(h, ccw: false) }
            b.byte(UInt8(ascii: "]"))
        }
        switch mp.polygons.count {
        case 0: b.append("null")
        case 1: b.append("{\"type\":\"Polygon\",\"coordinates\":"); poly(mp.polygons[0]); b.byte(UInt8(ascii: "}"))
        default:
            b.append("{\"type\":\"MultiPolygon\",\"coordinates\":[")
            for (k, p) in mp.polygons.enumerated() { if k > 0 { b.byte(UInt8(ascii: ",")) }; poly(p) }
            b.append("]}")
        }
    }
}
