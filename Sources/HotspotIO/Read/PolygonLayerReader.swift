import Foundation
import HotspotCore

/// Reads a polygon layer (wards, LSOAs, a boundary) from GeoJSON.
///
/// CRS: RFC 7946 GeoJSON is WGS84 lon/lat (EPSG:4326); a legacy `crs` member naming an EPSG code
/// (`urn:ogc:def:crs:EPSG::27700`, `EPSG:27700`) is honoured, and `declaredEPSG` overrides both.
/// Id and name fields are chosen by option or detected (`…CD`/`…NM` ONS columns, `ons_code`, `code`, `id`, `name`).
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

        public var description: String {
            switch self {
            case let .notGeoJSON(p, why): return "\(p): not a GeoJSON FeatureCollection (\(why))"
            case let .noField(p, f, have): return "\(p): no property '\(f)' on its features; properties are: \(have.joined(separator: ", "))"
            case .noPolygons(let p): return "\(p): no Polygon or MultiPolygon features"
            case let .duplicateID(p, id): return "\(p): id '\(id)' appears on more than one feature; choose a unique --area-id field"
            }
        }
    }

    public static func read(path: String, idField: String? = nil, nameField: String? = nil,
                            declaredEPSG: Int? = nil) throws -> Layer {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError.missingFile(path) }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            throw LayerError.notGeoJSON(path, "invalid JSON")
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
        let idF = try idField ?? detect(propNames, suffix: "CD", fallbacks: ["ons_code", "code", "id", "ID", "fid"], path: path)
        let nameF = try nameField ?? detect(propNames, suffix: "NM", fallbacks: ["name", "Name", "NAME"], path: path)
        var areas: [Area] = []
        var ids = Set<String>()
        for f in features {
            guard let g = f["geometry"] as? [String: Any], let type = g["type"] as? String else { continue }
            let props = f["properties"] as? [String: Any] ?? [:]
            guard let idv = props[idF] ?? (idF == "id" ? f["id"] : nil) else { throw LayerError.noField(path, idF, propNames) }
            guard let namev = props[nameF] else { throw LayerError.noField(path, nameF, propNames) }
            let id = "\(idv)", name = "\(namev)"
            guard ids.insert(id).inserted else { throw LayerError.duplicateID(path, id) }
            var polys: [Polygon] = []
            if type == "Polygon", let c = g["coordinates"] as? [Any] { polys = [polygon(c)] }
            else if type == "MultiPolygon", let c = g["coordinates"] as? [Any] { polys = c.compactMap { ($0 as? [Any]).map(polygon) } }
            else { continue }
            areas.append(Area(id: id, name: name, geometry: MultiPolygon(polys)))
        }
        guard !areas.isEmpty else { throw LayerError.noPolygons(path) }
        return Layer(areas: areas, epsg: epsg, idField: idF, nameField: nameF, sha256: Hashing.sha256(data), path: path)
    }

    static func detect(_ names: [String], suffix: String, fallbacks: [String], path: String) throws -> String {
        if let n = names.first(where: { $0.uppercased().hasSuffix(suffix) || $0.uppercased().contains(suffix + "_") }) { return n }
        for f in fallbacks where names.contains(f) { return f }
        throw LayerError.noField(path, suffix == "CD" ? "(an id field: give --area-id)" : "(a name field: give --area-name)", names)
    }

    static func polygon(_ rings: [Any]) -> Polygon {
        let rs: [[XY]] = rings.map { r in
            ((r as? [Any]) ?? []).compactMap { p -> XY? in
                guard let a = p as? [Any], a.count >= 2, let x = (a[0] as? NSNumber)?.doubleValue,
                      let y = (a[1] as? NSNumber)?.doubleValue else { return nil }
                return XY(x, y)
            }
        }
        return Polygon(exterior: rs.first ?? [], holes: Array(rs.dropFirst()))
    }
}

/// Reads a population table: a CSV with an id column and a population column (auto-detected: the first column
/// whose values match the layer's ids, and the last numeric column, unless named).
public enum PopulationReader {
    public static func read(path: String, idColumn: String? = nil, valueColumn: String? = nil) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError.missingFile(path)
        }
        var rows: [[String]] = []
        var scanner = CSVScanner()
        data.withUnsafeBytes { raw in
            scanner.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in
                rows.append((0..<rec.count).map { rec.string($0) ?? "" })
            }
        }
        _ = text
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
        for r in body where r.count > max(idc, valc) { if let v = Double(r[valc]) { out[r[idc]] = v } }
        return out
    }
}
