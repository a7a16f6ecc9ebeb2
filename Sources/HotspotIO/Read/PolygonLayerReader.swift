import Foundation
import HotspotCore
import HotspotGeo

/// Reads a polygon layer (wards, LSOAs, a boundary) from GeoJSON (hotspot's own strict reader), a GeoPackage
/// (`file.gpkg`, its polygon table; hotspot's SQLite reader), or any other source OGR opens (`ogrSource`):
/// Shapefile, MapInfo TAB/MIF, FlatGeobuf, one layer of a GeoPackage (`file.gpkg:layer`), or a PostGIS table
/// (`PG:dbname=crime host=… tables=schema.wards`, OGR's connection string with its `tables=` option).
///
/// CRS: RFC 7946 GeoJSON is WGS84 lon/lat (EPSG:4326); a legacy `crs` member naming an EPSG code
/// (`urn:ogc:def:crs:EPSG::27700`, `EPSG:27700`) is honoured, and `declaredEPSG` overrides both.
/// Id and name fields are chosen by option or detected (`…CD`/`…NM` ONS columns, `ons_code`, `code`, `id`, `name`);
/// in GeoJSON a feature's `id` member (RFC 7946 §3.2, where GDAL/ogr2ogr writes an `id` field) is its `id`
/// property when it has none.
public enum PolygonLayerReader {
    public struct Layer: Sendable {
        public var areas: [Area]
        public var epsg: Int
        public var idField: String
        public var nameField: String
        public var sha256: String
        public var path: String
    }

    public enum LayerError: Error, CustomStringConvertible {
        case notGeoJSON(String, String)
        case noField(String, String, [String])
        case noPolygons(String)
        case duplicateID(String, String)
        case badGeometry(String, String)
        case wrongCRS(String, String)

        public var description: String {
            switch self {
            case let .notGeoJSON(p, why): return "\(p): not a GeoJSON FeatureCollection (\(why))"
            case let .noField(p, f, have): return "\(p): no property '\(f)' on its features; properties are: \(have.joined(separator: ", "))"
            case .noPolygons(let p): return "\(p): no Polygon or MultiPolygon features"
            case let .duplicateID(p, id): return "\(p): id '\(id)' appears on more than one feature; choose a unique --area-id field"
            case let .badGeometry(p, why): return "\(p): \(why); repair the file (e.g. QGIS Fix geometries, or ogr2ogr -makevalid)"
            case let .wrongCRS(p, why): return "\(p): \(why)"
            }
        }
    }

    /// - Parameter anonymous: a layer without id and name properties is read with ids `1`, `2`, … and the name
    ///   `anonymous` (a study boundary needs neither).
    public static func read(path: String, idField: String? = nil, nameField: String? = nil,
                            declaredEPSG: Int? = nil, anonymous: String? = nil) throws -> Layer {
        if let (file, layer) = ogrSource(path) {
            return try readOGR(path: path, file: file, layer: layer, idField: idField, nameField: nameField, declaredEPSG: declaredEPSG, anonymous: anonymous)
        }
        if path.lowercased().hasSuffix(".gpkg") {
            return try readGeoPackage(path: path, idField: idField, nameField: nameField, declaredEPSG: declaredEPSG, anonymous: anonymous)
        }
        let data = try InputFile.contents(path)
        if let why = InputFile.encodingProblem(data.prefix(4096)) { throw InputError.unreadable(path, why) }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            let why = String(data: data.prefix(4096), encoding: .utf8) == nil ? "not UTF-8 text" : "invalid JSON"
            throw LayerError.notGeoJSON(path, why)
        }
        guard let root = obj as? [String: Any], let features = root["features"] as? [[String: Any]] else {
            throw LayerError.notGeoJSON(path, "no 'features' array")
        }
        var epsg = 4326
        if let crs = root["crs"] as? [String: Any], let props = crs["properties"] as? [String: Any],
           let name = props["name"] as? String, let code = Int(name.split(whereSeparator: { $0 == ":" }).last ?? "") {
            epsg = code == 84 ? 4326 : code
        }
        if let d = declaredEPSG { epsg = d }
        let propNames = (features.first?["properties"] as? [String: Any]).map { Array($0.keys).sorted() } ?? []
        // The feature `id` member (RFC 7946 §3.2; ogr2ogr moves an `id` property there) stands for an `id` property.
        let featureIDs = !features.isEmpty && features.allSatisfy { $0["id"] != nil && !($0["id"] is NSNull) }
        let idNames = featureIDs && !propNames.contains("id") ? propNames + ["id"] : propNames
        let idF = try idField ?? detect(idNames, suffix: "CD", fallbacks: ["ons_code", "gss_code", "GSS_CODE", "code", "id", "ID", "fid"], path: path, anonymous: anonymous)
        let nameF = try nameField ?? detect(propNames, suffix: "NM", fallbacks: ["name", "Name", "NAME"], path: path, anonymous: anonymous)
        /// A property's value; `id` falls back to the feature's `id` member.
        func value(_ f: [String: Any], _ props: [String: Any], _ field: String) -> Any? {
            if let v = props[field], !(v is NSNull) { return v }
            if field == "id", let v = f["id"], !(v is NSNull) { return v }
            return nil
        }
        let shownNames = featureIDs && !propNames.contains("id") ? propNames + ["(the feature id member: id)"] : propNames
        var areas: [Area] = []
        var ids = Set<String>()
        for f in features {
            guard let g = f["geometry"] as? [String: Any], let type = g["type"] as? String else { continue }
            let props = f["properties"] as? [String: Any] ?? [:]
            let idv: Any? = idF.isEmpty ? "\(areas.count + 1)" : value(f, props, idF)
            let namev: Any? = nameF.isEmpty ? anonymous : value(f, props, nameF)
            guard let idv else { throw LayerError.noField(path, idF, shownNames) }
            guard let namev else { throw LayerError.noField(path, nameF, shownNames) }
            let id = "\(idv)", name = "\(namev)"
            guard ids.insert(id).inserted else { throw LayerError.duplicateID(path, id) }
            var polys: [Polygon] = []
            let what = "feature '\(id)'"
            if type == "Polygon", let c = g["coordinates"] as? [Any] { polys = [try polygon(c, what, path)] }
            else if type == "MultiPolygon", let c = g["coordinates"] as? [Any] {
                polys = try c.map { p in
                    guard let rings = p as? [Any] else { throw LayerError.badGeometry(path, "\(what): a MultiPolygon member is not a list of rings") }
                    return try polygon(rings, what, path)
                }
            }
            else { continue }
            areas.append(Area(id: id, name: name, geometry: MultiPolygon(polys)))
        }
        guard !areas.isEmpty else { throw LayerError.noPolygons(path) }
        try checkCRS(areas, epsg: epsg, declared: declaredEPSG != nil, path: path)
        return Layer(areas: areas, epsg: epsg, idField: idF, nameField: nameF, sha256: Hashing.sha256(data), path: path)
    }

    /// The id (`suffix` CD) or name (NM) field; "" (numbered / named `anonymous`) when none and `anonymous` is set.
    static func detect(_ names: [String], suffix: String, fallbacks: [String], path: String, anonymous: String? = nil) throws -> String {
        if let n = names.first(where: { $0.uppercased().hasSuffix(suffix) || $0.uppercased().contains(suffix + "_") }) { return n }
        for f in fallbacks where names.contains(f) { return f }
        if anonymous != nil { return "" }
        throw LayerError.noField(path, suffix == "CD" ? "(an id field: give --area-id)" : "(a name field: give --area-name)", names)
    }

    /// Extensions read through OGR.
    public static let ogrExtensions: Set<String> = ["shp", "tab", "mif", "fgb"]

    /// The file and layer of a source read through OGR (`wards.shp`, `lsoa.fgb`, `layers.gpkg:wards`), or nil for
    /// the GeoJSON and whole-GeoPackage readers.
    public static func ogrSource(_ path: String) -> (file: String, layer: String?)? {
        if path.hasPrefix("PG:") { return (path, nil) }
        if let r = path.range(of: ".gpkg:", options: [.caseInsensitive, .backwards]) {
            return (String(path[..<r.lowerBound]) + String(path[r.lowerBound..<path.index(before: r.upperBound)]), String(path[r.upperBound...]))
        }
        return ogrExtensions.contains((path as NSString).pathExtension.lowercased()) ? (path, nil) : nil
    }

    /// A layer through OGR, with the same id/name detection and CRS checks as the other readers.
    static func readOGR(path: String, file: String, layer: String?, idField: String?, nameField: String?, declaredEPSG: Int?, anonymous: String?) throws -> Layer {
        let database = file.hasPrefix("PG:")
        if !database { try InputFile.check(file) }
        let g = try OGRSource.read(file, layer: layer)
        let names = g.fields.sorted()
        let idF = try idField ?? detect(names, suffix: "CD", fallbacks: ["ons_code", "gss_code", "GSS_CODE", "code", "id", "ID"], path: path, anonymous: anonymous)
        let nameF = try nameField ?? detect(names, suffix: "NM", fallbacks: ["name", "Name", "NAME"], path: path, anonymous: anonymous)
        for f in [idF, nameF] where !f.isEmpty && !g.fields.contains(f) { throw LayerError.noField(path, f, names) }
        let idc = g.fields.firstIndex(of: idF), namec = g.fields.firstIndex(of: nameF)
        var ids = Set<String>()
        let areas = try g.geometries.indices.compactMap { k -> Area? in
            guard !g.geometries[k].polygons.isEmpty else { return nil }
            let id = idc.map { g.values[k][$0] ?? "" } ?? "\(k + 1)", name = namec.map { g.values[k][$0] ?? "" } ?? anonymous ?? ""
            guard ids.insert(id).inserted else { throw LayerError.duplicateID(path, id) }
            return Area(id: id, name: name, geometry: g.geometries[k])
        }
        guard !areas.isEmpty else { throw LayerError.noPolygons(path) }
        guard let epsg = declaredEPSG ?? g.epsg else {
            throw LayerError.wrongCRS(path, "its CRS is not one OGR can name by an EPSG code (or it has none): declare it, e.g. --area-epsg NAME=27700")
        }
        try checkCRS(areas, epsg: epsg, declared: declaredEPSG != nil, path: path)
        // A database table has no file to hash: the hash of its areas as read stands for it.
        let sha = database ? Hashing.sha256(Data(areas.map { "\($0.id)\t\($0.name)\t\($0.geometry.polygons.map { $0.exterior.count })" }.joined(separator: "\n").utf8))
                           : try Hashing.sha256(file: file)
        return Layer(areas: areas, epsg: epsg, idField: idF.isEmpty ? "(numbered)" : idF, nameField: nameF.isEmpty ? "(none)" : nameF,
                     sha256: sha, path: database ? "PG:" + PostGISWriter.redacted(String(file.dropFirst(3))) : path)
    }

    /// A GeoPackage's polygon table (as GDAL, QGIS, ArcGIS, MapInfo or hotspot write it), in the CRS of its `srs_id`
    /// unless declared: the EPSG code of its `gpkg_spatial_ref_sys` row, identified from the definition when the
    /// `srs_id` is the file's own (`GeoPackageReader.epsg(of:)`).
    static func readGeoPackage(path: String, idField: String?, nameField: String?, declaredEPSG: Int?, anonymous: String?) throws -> Layer {
        let g = try GeoPackageReader.read(path: path)
        let names = g.text.keys.sorted()
        let idF = try idField ?? detect(names, suffix: "CD", fallbacks: ["ons_code", "gss_code", "GSS_CODE", "code", "id", "ID"], path: path, anonymous: anonymous)
        let nameF = try nameField ?? detect(names, suffix: "NM", fallbacks: ["name", "Name", "NAME"], path: path, anonymous: anonymous)
        for f in [idF, nameF] where !f.isEmpty && g.text[f] == nil { throw LayerError.noField(path, f, names) }
        func value(_ field: String, _ k: Int) -> String? {
            guard let t = g.text[field]?[k] else { return g.columns[field]?[k].map { Fmt.number($0) } }
            return t
        }
        var ids = Set<String>()
        let areas = try g.geometries.indices.compactMap { k -> Area? in
            guard !g.geometries[k].polygons.isEmpty else { return nil }
            let id = idF.isEmpty ? "\(k + 1)" : value(idF, k) ?? "", name = nameF.isEmpty ? anonymous ?? "" : value(nameF, k) ?? ""
            guard ids.insert(id).inserted else { throw LayerError.duplicateID(path, id) }
            return Area(id: id, name: name, geometry: g.geometries[k])
        }
        guard !areas.isEmpty else { throw LayerError.noPolygons(path) }
        if declaredEPSG == nil, g.epsg == 0, let srs = g.srs, srs.srsID > 0 {
            throw LayerError.wrongCRS(path, "its CRS (gpkg_spatial_ref_sys srs_id \(srs.srsID), '\(srs.name)', organization \(srs.organization)) is not one OSR can identify as an EPSG code from its definition: declare it, e.g. --area-epsg NAME=27700")
        }
        let epsg = declaredEPSG ?? (g.epsg > 0 ? g.epsg : 4326)
        try checkCRS(areas, epsg: epsg, declared: declaredEPSG != nil, path: path)
        return Layer(areas: areas, epsg: epsg, idField: idF.isEmpty ? "(numbered)" : idF, nameField: nameF.isEmpty ? "(none)" : nameF,
                     sha256: try Hashing.sha256(file: path), path: path)
    }

    /// One GeoJSON polygon: every ring closed (first position = last, RFC 7946 §3.1.6), at least 4 positions,
    /// every position a pair of finite numbers. Nothing is dropped or closed silently.
    static func polygon(_ rings: [Any], _ what: String, _ path: String) throws -> Polygon {
        let rs: [[XY]] = try rings.enumerated().map { k, r in
            guard let positions = r as? [Any] else { throw LayerError.badGeometry(path, "\(what): ring \(k + 1) is not a list of positions") }
            let ring = try positions.enumerated().map { j, p -> XY in
                guard let a = p as? [Any], a.count >= 2, let x = (a[0] as? NSNumber)?.doubleValue,
                      let y = (a[1] as? NSNumber)?.doubleValue, x.isFinite, y.isFinite else {
                    throw LayerError.badGeometry(path, "\(what): ring \(k + 1), position \(j + 1) is not a pair of numbers")
                }
                return XY(x, y)
            }
            guard ring.count >= 4 else { throw LayerError.badGeometry(path, "\(what): ring \(k + 1) has \(ring.count) positions; a closed ring needs at least 4") }
            guard ring.first! == ring.last! else {
                throw LayerError.badGeometry(path, "\(what): ring \(k + 1) is not closed (its first and last positions differ), so its area is undefined")
            }
            return ring
        }
        guard !rs.isEmpty else { throw LayerError.badGeometry(path, "\(what): a polygon without rings") }
        return Polygon(exterior: rs[0], holes: Array(rs.dropFirst()))
    }

    /// Coordinates must fit the CRS they are read in: lon/lat within ±180/±90 for EPSG:4326, British National Grid
    /// eastings and northings within Great Britain's for EPSG:27700. The message names the flag that fixes it.
    static func checkCRS(_ areas: [Area], epsg: Int, declared: Bool, path: String) throws {
        var e = Extent(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for a in areas { for p in a.geometry.polygons { for r in [p.exterior] + p.holes { for q in r {
            e = Extent(minX: min(e.minX, q.x), minY: min(e.minY, q.y), maxX: max(e.maxX, q.x), maxY: max(e.maxY, q.y))
        } } } }
        let looksLonLat = e.minX >= -180 && e.maxX <= 180 && e.minY >= -90 && e.maxY <= 90
        let looksBNG = e.minX >= -110_000 && e.maxX <= 800_000 && e.minY >= -110_000 && e.maxY <= 1_400_000
        let range = "x \(Fmt.number(e.minX))…\(Fmt.number(e.maxX)), y \(Fmt.number(e.minY))…\(Fmt.number(e.maxY))"
        let source = declared ? "declared as EPSG:\(epsg)" : (epsg == 4326 ? "read as WGS84 lon/lat (GeoJSON without a crs member)" : "in EPSG:\(epsg), as its crs member says")
        switch epsg {
        case 4326 where !looksLonLat:
            throw LayerError.wrongCRS(path, "coordinates (\(range)) are not longitudes and latitudes but the layer is \(source)"
                + (looksBNG ? "; they look like British National Grid metres: declare it with --area-epsg NAME=27700" : "; declare its CRS with --area-epsg NAME=CODE"))
        case 27700 where !looksBNG || looksLonLat:
            throw LayerError.wrongCRS(path, "coordinates (\(range)) are not British National Grid metres in Great Britain but the layer is \(source)"
                + (looksLonLat ? "; they look like WGS84 longitudes and latitudes: declare --area-epsg NAME=4326 (or remove the crs member)"
                   : "; declare its real CRS with --area-epsg NAME=CODE, or re-export the layer in EPSG:27700"))
        default:
            guard abs(e.minX) < 1e8, abs(e.maxX) < 1e8, abs(e.minY) < 1e8, abs(e.maxY) < 1e8 else {
                throw LayerError.wrongCRS(path, "coordinates (\(range)) are too large for EPSG:\(epsg)")
            }
        }
    }
}

/// Reads a population table: a CSV with an id column and a population column (auto-detected: the first column
/// whose values match the layer's ids, and the last numeric column, unless named).
public enum PopulationReader {
    public static func read(path: String, idColumn: String? = nil, valueColumn: String? = nil) throws -> [String: Double] {
        let rows = try CSVRows.read(path)
        guard let header = rows.first, rows.count > 1 else { throw InputError.emptyFile(path) }
        let body = rows.dropFirst()
        let idc = idColumn.flatMap { header.firstIndex(of: $0) } ?? 0
        let valc: Int
        if let v = valueColumn { guard let i = header.firstIndex(of: v) else {
            throw InputError.badHeader(file: path, format: "population CSV", missing: [v]) }; valc = i }
        else {
            guard let i = (0..<header.count).reversed().first(where: { c in body.allSatisfy { $0.count > c && Double($0[c]) != nil } }) else {
                throw InputError.badHeader(file: path, format: "population CSV", missing: ["(a numeric population column)"])
            }
            valc = i
        }
        var out: [String: Double] = [:]
        // A population is a finite count of people, 0 or more: −5, inf, nan or 1e400 (read as inf) is a typing or
        // export error that would give rates of 0 or nonsense, so the file is refused with the line to fix.
        for (k, r) in body.enumerated() where r.count > max(idc, valc) {
            guard let v = Double(r[valc]) else { continue }
            guard v.isFinite, v >= 0, v < 1e10 else {
                throw InputError.unusable("\(path):\(k + 2): population '\(r[valc])' of \(r[idc]) is not a number of residents (0 or more, finite); correct that line")
            }
            out[r[idc]] = v
        }
        return out
    }
}

/// A small CSV file (population, enforcement records) as rows of strings, header first.
public enum CSVRows {
    public static func read(_ path: String, limit: Int = 256 << 20) throws -> [[String]] {
        let data = Data(try InputFile.text(path, limit: limit).utf8)
        var rows: [[String]] = []
        var scanner = CSVScanner()
        data.withUnsafeBytes { raw in
            scanner.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in
                rows.append((0..<rec.count).map { rec.string($0) ?? "" })
            }
        }
        return rows
    }
}
