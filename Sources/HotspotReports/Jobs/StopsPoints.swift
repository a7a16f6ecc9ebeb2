import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The searches stacked by map point: police.uk publishes each search at one of a fixed set of anonymous map
/// points, so one feature per point (its longitude and latitude as published) holds every located search of the
/// analysis there.
struct StopsPoints {
    /// Longitude/latitude (WGS84, as in the files) and the same point in EPSG:27700, per map point.
    var lon: [Double], lat: [Double], at: [XY]
    /// Rows of the table at each point.
    var rows: [[Int]]

    /// The located searches in the analysis (the borough scope), grouped by their published coordinates; points in
    /// order of longitude, then latitude.
    init(_ r: StopsJob.Result, x: [Double], y: [Double]) {
        let t = r.table, b = r.scopes[0]
        var byPoint: [XY: [Int]] = [:]
        for i in 0..<t.count where b.member[i] >= 0 && t.hasLocation(i) { byPoint[XY(t.lon[i], t.lat[i]), default: []].append(i) }
        let keys = byPoint.keys.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        lon = keys.map(\.x); lat = keys.map(\.y)
        rows = keys.map { byPoint[$0]! }
        at = rows.map { XY(x[$0[0]], y[$0[0]]) }
    }

    /// stops-points properties (names of 10 characters or fewer, as Shapefiles and the other layers keep them): id
    /// (p1, p2, … in point order), searches, found (outcome other than no further action), n_outcome (a known
    /// outcome: found's denominator), linked ("Outcome linked to object of search" True), and the searches of each
    /// type (`typeColumn`: person, person_veh, vehicle).
    func properties(_ t: StopSearchTable) -> Table {
        let type = t.column("Type"), outcome = t.column("Outcome"), link = t.column("Outcome linked to object of search")
        let types = type.values.indices.filter { !type.values[$0].isEmpty }.sorted { type.values[$0] < type.values[$1] }
        var out = Table(columns: ["id", "searches", "found", "n_outcome", "linked"] + types.map { Self.typeColumn(type.values[$0]) })
        for (k, rs) in rows.enumerated() {
            let found = rs.map { StopsCodes.found(outcome.text($0)) }
            let byType = types.map { ty in rs.filter { Int(type.codes[$0]) == ty }.count }
            out.rows.append([.string("p\(k + 1)"), .int(rs.count), .int(found.filter { $0 == true }.count), .int(found.filter { $0 != nil }.count),
                             .int(rs.filter { StopsCodes.linked(link.text($0)) == true }.count)] + byType.map { .int($0) })
        }
        return out
    }

    /// The column of a search type: police.uk's three types by short names, any other by its text in snake case.
    static func typeColumn(_ type: String) -> String {
        ["Person search": "person", "Person and Vehicle search": "person_veh", "Vehicle search": "vehicle"][type] ?? snakeCase(type)
    }
}

extension StopsJob {
    /// stops-points.geojson (RFC 7946, lon/lat to 6 decimals), .gpkg (EPSG:27700) and .qml: one feature per map
    /// point, styled as graduated circles by searches.
    static func writePoints(_ r: Result, x: [Double], y: [Double], set: OutputSet) throws {
        let pts = StopsPoints(r, x: x, y: y)
        let props = pts.properties(r.table)
        let counts = pts.rows.map(\.count)
        let style = LayerStyle.points(MapStyle.stackedPoints(counts, field: "searches", title: "Stop and search (size: searches at the map point)", colour: searchColour))
        try set.writePoints("stops-points", x: pts.lon, y: pts.lat, points: pts.at, properties: props, style: style)
        let fields = FieldNames.layer(props)
        let crs = GeoPackageWriter.CRS(epsg: analysisEPSG, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: analysisEPSG))
        let data = try GeoPackageWriter.write(path: set.path("stops-points.gpkg"),
                                              layers: [.init(table: "stops_points", points: pts.at, properties: fields.table,
                                                             style: style.renamed(fields.rename), aliases: fields.aliases)], crs: crs)
        set.record("stops-points.gpkg", data)
    }

    /// The colour of search symbols on maps and in the points layer's style.
    static let searchColour = "#2166ac"
}
