import Foundation

/// Why a layer file cannot be served.
public enum LayerError: Error, CustomStringConvertible, Equatable {
    case malformed(String)
    case unreadable(String)
    public var description: String {
        switch self {
        case .malformed(let m): return "the layer holds \(m)"
        case .unreadable(let m): return m
        }
    }
}

/// What identifies one version of a file: an atomic swap (a new folder renamed over the old one) or a rewrite
/// changes the inode, the modification time or the size.
public struct FileKey: Sendable, Hashable {
    public var device: UInt64, inode: UInt64, mtimeNanos: Int64, size: Int64

    public init(device: UInt64, inode: UInt64, mtimeNanos: Int64, size: Int64) {
        self.device = device; self.inode = inode; self.mtimeNanos = mtimeNanos; self.size = size
    }

    init(_ s: stat) {
        device = UInt64(s.st_dev); inode = UInt64(s.st_ino)
        mtimeNanos = Int64(s.st_mtim.tv_sec) * 1_000_000_000 + Int64(s.st_mtim.tv_nsec)
        size = Int64(s.st_size)
    }

    /// The key of the file a path names now (following symbolic links); nil when there is none.
    public static func of(path: String) -> FileKey? {
        var s = stat()
        guard stat(path, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileKey(s)
    }
}

/// One feature, ready to serve: its JSON in each offered CRS already written, so a page is a concatenation.
public struct ServedFeature: Sendable {
    /// The feature `id` as in the file (a string or a number).
    public var id: JSON
    public var properties: [(String, JSON)]
    /// Geometry in CRS84 (lon/lat) and in EPSG:27700; nil for a null geometry.
    public var geometry: [ServedCRS: Geometry]
    public var bbox84: BBox
    /// The feature's time as a half-open interval of seconds since 1970 (UTC): a day for a date, an instant for a
    /// date-time; nil when the layer is undated or the value is empty.
    public var time: Range<Double>?
    /// `{"type":"Feature",...}` per CRS.
    public var json: [ServedCRS: [UInt8]]

    /// The id as the URL `/items/{fid}` names it.
    public var idText: String { id.text }
}

/// The CRSs served (OGC API – Features Part 2): CRS84 always, and British National Grid.
public enum ServedCRS: String, Sendable, CaseIterable, Hashable {
    case crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    case bng = "http://www.opengis.net/def/crs/EPSG/0/27700"

    public var epsg: Int { self == .crs84 ? 4326 : 27700 }
    /// Coordinate decimals written: ≈ 1 cm in degrees; millimetres in metres.
    var decimals: Int { self == .crs84 ? 7 : 3 }

    /// The CRS a `crs`/`bbox-crs` value names: the OGC URIs, their `https` forms, `[EPSG:27700]` safe CURIEs.
    public static func named(_ s: String) -> ServedCRS? {
        let t = s.trimmingCharacters(in: .whitespaces)
        let l = t.lowercased().replacingOccurrences(of: "https://", with: "http://")
        if l == ServedCRS.crs84.rawValue.lowercased() || l == "[ogc:crs84]" || l == "ogc:crs84" || l == "crs84" { return .crs84 }
        if l == ServedCRS.bng.rawValue.lowercased() || l == "[epsg:27700]" || l == "epsg:27700" { return .bng }
        return nil
    }
}

/// A field of a layer: its name in the file, its full name (from `NAME.fields.csv`, when there is one) and type.
public struct ServedField: Sendable, Equatable {
    public var name: String
    public var fullName: String?
    /// "text", "integer", "real", "date", "datetime", "boolean" (from the sidecar or the values).
    public var type: String
    public var label: String { fullName.map { $0 == name ? name : "\($0) (\(name))" } ?? name }
}

/// A whole layer read at one moment from one version of its file.
public struct ServedLayer: Sendable {
    public var key: FileKey
    /// The layer's own name (GeoJSON `name`, or the GeoPackage table).
    public var name: String
    public var fields: [ServedField]
    public var features: [ServedFeature]
    /// First position of each id.
    public var index: [String: Int]
    public var extent84: BBox
    /// EPSG code of the file's coordinates (4326 for GeoJSON, as CRS84).
    public var storageEPSG: Int
    /// The date field the `datetime` filter uses, and the span of its values.
    public var temporalField: String?
    public var temporalExtent: Range<Double>?
    /// Geometry type(s) of the features, for the description.
    public var geometryTypes: [String]

    public func feature(id: String) -> ServedFeature? { index[id].map { features[$0] } }

    /// Builds the served form: ids, bboxes, time, JSON per CRS. `geometries` are in `storageEPSG`.
    static func make(key: FileKey, name: String, fields: [ServedField], ids: [JSON], properties: [[(String, JSON)]],
                     geometries: [Geometry?], storageEPSG: Int) throws -> ServedLayer {
        var byCRS: [ServedCRS: [Geometry?]] = [:]
        for crs in ServedCRS.allCases {
            byCRS[crs] = crs.epsg == storageEPSG ? geometries : try Reprojector.project(geometries, from: storageEPSG, to: crs.epsg)
        }
        // The date field: one named date/datetime/time/month whose values all read as dates (at least one).
        var temporal: String?
        for candidate in ["date", "datetime", "time", "month", "week"] {
            guard let f = fields.first(where: { $0.name.lowercased() == candidate }) else { continue }
            var any = false, all = true
            for p in properties {
                guard let v = p.first(where: { $0.0 == f.name })?.1 else { continue }
                if case .null = v { continue }
                if case .string(let s) = v, s.isEmpty { continue }
                if case .string(let s) = v, TimeParser.interval(of: s) != nil { any = true } else { all = false; break }
            }
            if any && all { temporal = f.name; break }
        }
        var features: [ServedFeature] = []
        features.reserveCapacity(ids.count)
        var index: [String: Int] = [:]
        var extent = BBox.empty
        var tmin = Double.infinity, tmax = -Double.infinity
        var kinds: [String] = []
        for i in ids.indices {
            var f = ServedFeature(id: ids[i], properties: properties[i], geometry: [:], bbox84: .empty, time: nil, json: [:])
            for crs in ServedCRS.allCases { f.geometry[crs] = byCRS[crs]![i] }
            if let g = f.geometry[.crs84] ?? nil {
                f.bbox84 = g.bbox
                if !kinds.contains(g.kind.rawValue) { kinds.append(g.kind.rawValue) }
            }
            extent.add(f.bbox84)
            if let t = temporal, case .string(let s)? = properties[i].first(where: { $0.0 == t })?.1, let r = TimeParser.interval(of: s) {
                f.time = r
                tmin = min(tmin, r.lowerBound); tmax = max(tmax, r.upperBound)
            }
            for crs in ServedCRS.allCases {
                var out: [UInt8] = []
                out.reserveCapacity(128)
                out.append(contentsOf: "{\"type\":\"Feature\",\"id\":".utf8)
                JSONWriter.write(ids[i], into: &out)
                out.append(contentsOf: ",\"geometry\":".utf8)
                if let g = f.geometry[crs] ?? nil {
                    // Coordinates as stored are written as they are (shortest round-trip text); projected ones rounded.
                    g.write(into: &out, decimals: crs.epsg == storageEPSG ? nil : crs.decimals)
                } else {
                    out.append(contentsOf: "null".utf8)
                }
                out.append(contentsOf: ",\"properties\":".utf8)
                JSONWriter.write(.object(properties[i]), into: &out)
                out.append(UInt8(ascii: "}"))
                f.json[crs] = out
            }
            let idText = ids[i].text
            if index[idText] == nil { index[idText] = i }
            features.append(f)
        }
        return ServedLayer(key: key, name: name, fields: fields, features: features, index: index, extent84: extent,
                           storageEPSG: storageEPSG, temporalField: temporal,
                           temporalExtent: tmin <= tmax ? tmin..<tmax : nil, geometryTypes: kinds)
    }

    /// An estimate of the memory the layer holds, for the cache's budget.
    var approximateBytes: Int {
        features.reduce(0) { a, f in a + f.json.values.reduce(0) { $0 + $1.count } * 3 + 200 }
    }
}

/// Short → full field names from `NAME.fields.csv` (`field,column,type`), written beside each layer.
public enum FieldsSidecar {
    public static func read(path: String) -> [String: (full: String, type: String)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var out: [String: (String, String)] = [:]
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where n > 0 {
            let cells = csvCells(String(line))
            guard cells.count >= 2 else { continue }
            out[cells[0]] = (cells[1], cells.count > 2 ? cells[2] : "")
        }
        return out
    }

    static func csvCells(_ line: String) -> [String] {
        var cells: [String] = [], cur = "", quoted = false
        var it = Array(line), i = 0
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" { if i + 1 < it.count && it[i + 1] == "\"" { cur.append("\""); i += 1 } else { quoted = false } } else { cur.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { cells.append(cur); cur = "" } else { cur.append(c) }
            i += 1
        }
        cells.append(cur)
        it.removeAll()
        return cells
    }
}
