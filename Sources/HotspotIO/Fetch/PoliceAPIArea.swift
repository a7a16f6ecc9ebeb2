import Foundation
import HotspotCore
import HotspotGeo

/// A study area made ready for the police.uk API: the rings to send (in latitude/longitude, each simplified so the
/// request stays small, after growing the area by the tolerance so the simplified ring still holds all of it), and
/// the exact area in EPSG:27700 the answers are filtered to. The API returns the crimes inside the ring it is sent;
/// filtering to the exact area makes the rows those of the archive for the same area (points on a grown or
/// simplified edge, and inside holes the API cannot be sent, are dropped).
public struct PoliceAPIArea: Sendable {
    /// Rings of (lat, lon) pairs, one per polygon of the area.
    public var rings: [[(lat: Double, lon: Double)]]
    /// The area in EPSG:27700 (metres).
    public var exact: MultiPolygon
    /// Vertices sent, over all rings.
    public var vertices: Int { rings.reduce(0) { $0 + $1.count } }

    /// - Parameters:
    ///   - geometry: the area, in `epsg` (4326 lon/lat, 27700, or any CRS PROJ knows).
    ///   - tolerance: metres of simplification (Douglas–Peucker, after growing the area by as much).
    public init(_ geometry: MultiPolygon, epsg: Int, tolerance: Double = 10) throws {
        let bng = epsg == 27700 ? geometry : try Projection(from: epsg, to: 27700).transform([geometry])[0]
        let ctx = try GEOSContext()
        // Each polygon made valid on its own, then all dissolved (the polygons of a layer touch: as one MultiPolygon
        // they are not valid, and MakeValid of the whole would turn shared edges into holes).
        let parts = try bng.polygons.flatMap { try GEOSGeometry(ctx, MultiPolygon([$0])).makeValid().multiPolygon().polygons }
        let whole = try GEOSGeometry(ctx, MultiPolygon(parts)).unaryUnion()
        exact = whole.multiPolygon()
        let sent = try whole.buffer(tolerance, quadrantSegments: 2).simplified(tolerance).multiPolygon()
        let back = try Projection(from: 27700, to: 4326)
        var out: [[(lat: Double, lon: Double)]] = []
        for p in sent.polygons where p.exterior.count >= 4 {
            var xs = p.exterior.map(\.x), ys = p.exterior.map(\.y)
            _ = try back.transform(x: &xs, y: &ys)
            out.append(zip(ys, xs).map { (lat: $0, lon: $1) })
        }
        rings = out
    }

    /// True when the API's point (its strings, WGS84) lies in the exact area; a row without a location is kept out.
    public func contains(rows: [StreetRow]) throws -> [Bool] {
        var xs = rows.map { Double($0.longitude) ?? .nan }, ys = rows.map { Double($0.latitude) ?? .nan }
        if !rows.isEmpty { _ = try Projection(from: 4326, to: 27700).transform(x: &xs, y: &ys) }
        return zip(xs, ys).map { x, y in
            guard x.isFinite, y.isFinite else { return false }
            let p = XY(x, y)
            return exact.polygons.contains { poly in pointInRing(p, poly.exterior) && !poly.holes.contains { pointInRing(p, $0) } }
        }
    }
}

extension PoliceAPIFetcher {
    /// The month's crimes inside `area`: each of its rings fetched (`fetchMonth(polygon:month:)`), the answers merged
    /// by record id and filtered to the exact area, sorted.
    public func fetchMonth(area: PoliceAPIArea, month: String) throws -> [StreetRow] {
        var byID: [Int64: StreetRow] = [:]
        for ring in area.rings { for r in try fetchMonth(polygon: ring, month: month) { byID[r.apiID] = r } }
        let rows = Array(byID.values)
        let inside = try area.contains(rows: rows)
        return StreetRow.sorted(zip(rows, inside).filter { $0.1 }.map { $0.0 })
    }
}
