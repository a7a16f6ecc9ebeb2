import Foundation

/// An RFC 7807 problem: the status, a title, and a detail saying what to send instead.
public struct Problem: Error, Sendable, Equatable {
    public var status: Int
    public var title: String
    public var detail: String

    public init(_ status: Int, _ title: String, _ detail: String) {
        self.status = status; self.title = title; self.detail = detail
    }

    public static func badRequest(_ detail: String) -> Problem { Problem(400, "Bad Request", detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(404, "Not Found", detail) }

    /// `application/problem+json` body.
    public var json: [UInt8] {
        JSONWriter.encode(.object([
            ("type", .string(status == 404 ? "https://www.rfc-editor.org/rfc/rfc9110#status.404"
                : status == 405 ? "https://www.rfc-editor.org/rfc/rfc9110#status.405"
                : status == 400 ? "https://www.rfc-editor.org/rfc/rfc9110#status.400" : "about:blank")),
            ("title", .string(title)), ("status", .int(status)), ("detail", .string(detail)),
        ]))
    }
}

/// The representation asked for: `f=json`/`f=html`, else the `Accept` header (HTML only when a browser asks for it).
public enum Format: String, Sendable {
    case json, html

    public static func negotiate(f: String?, accept: String?) throws(Problem) -> Format {
        if let f {
            switch f.lowercased() {
            case "json", "geojson", "application/json", "application/geo+json": return .json
            case "html", "text/html": return .html
            default: throw .badRequest("f=\(f) is not offered: send f=json or f=html")
            }
        }
        let a = (accept ?? "").lowercased()
        return a.contains("text/html") && !a.contains("json") ? .html : .json
    }
}

/// The query of `/collections/{id}/items`, checked.
public struct ItemsQuery: Sendable, Equatable {
    public static let defaultLimit = 10
    public static let maxLimit = 10_000
    public static let parameters = ["f", "bbox", "bbox-crs", "limit", "offset", "datetime", "crs"]

    public var bbox: BBox?
    public var bboxCRS: ServedCRS = .crs84
    public var limit = ItemsQuery.defaultLimit
    public var offset = 0
    public var datetime: TimeFilter?
    /// The `datetime` value as sent (for next/prev links).
    public var datetimeText: String?
    public var crs: ServedCRS = .crs84
    public var format: Format = .json

    public init() {}

    /// Parses `params` (decoded name/value pairs). A `limit` above 10,000 is lowered to 10,000 (OGC allows it);
    /// below 1, not a whole number, or any other bad value is a 400 problem saying what to send. `datetime` on a
    /// collection without a date field is a 400 too: there is nothing it could filter.
    public static func parse(_ params: [(String, String)], accept: String? = nil, dated: Bool, collection: String = "")
        throws(Problem) -> ItemsQuery {
        var q = ItemsQuery()
        var seen: Set<String> = []
        var values: [String: String] = [:]
        for (k, v) in params {
            guard parameters.contains(k) else {
                throw .badRequest("unknown query parameter '\(k)': items takes \(parameters.joined(separator: ", "))")
            }
            guard seen.insert(k).inserted else { throw .badRequest("'\(k)' is given more than once: give it once") }
            values[k] = v
        }
        q.format = try Format.negotiate(f: values["f"], accept: accept)
        if let c = values["crs"] {
            guard let crs = ServedCRS.named(c) else { throw .badRequest("crs=\(c) is not offered: send crs=\(ServedCRS.crs84.rawValue) (the default) or crs=\(ServedCRS.bng.rawValue)") }
            q.crs = crs
        }
        if let c = values["bbox-crs"] {
            guard let crs = ServedCRS.named(c) else { throw .badRequest("bbox-crs=\(c) is not offered: send bbox-crs=\(ServedCRS.crs84.rawValue) (the default) or bbox-crs=\(ServedCRS.bng.rawValue)") }
            q.bboxCRS = crs
        }
        if let b = values["bbox"] { q.bbox = try bbox(b, crs: q.bboxCRS) }
        if let l = values["limit"] {
            guard let n = Int(l.trimmingCharacters(in: .whitespaces)), n >= 1 else {
                throw .badRequest("limit=\(l) is not a whole number from 1 to 10,000: send e.g. limit=100 (larger values are lowered to 10,000)")
            }
            q.limit = min(n, maxLimit)
        }
        if let o = values["offset"] {
            guard let n = Int(o.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw .badRequest("offset=\(o) is not a whole number of 0 or more: send e.g. offset=0, or follow the 'next' link")
            }
            q.offset = n
        }
        if let d = values["datetime"] {
            guard dated else {
                throw .badRequest("datetime filters only collections with a date field, and \(collection.isEmpty ? "this one" : collection) has none: leave datetime out")
            }
            q.datetime = try datetime(d)
            q.datetimeText = d
        }
        return q
    }

    /// `minx,miny,maxx,maxy` (a 6-number 3D box is taken without its heights).
    public static func bbox(_ s: String, crs: ServedCRS) throws(Problem) -> BBox {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        let example = crs == .crs84 ? "bbox=-0.05,51.44,0.0,51.47 (longitude, latitude)" : "bbox=535000,172000,540000,176000 with bbox-crs=\(ServedCRS.bng.rawValue)"
        guard parts.count == 4 || parts.count == 6, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw .badRequest("bbox=\(s) is not four numbers minx,miny,maxx,maxy: send e.g. \(example)")
        }
        let v = parts.map { $0! }
        let b = parts.count == 4 ? BBox(v[0], v[1], v[2], v[3]) : BBox(v[0], v[1], v[3], v[4])
        guard b.minX <= b.maxX, b.minY <= b.maxY else {
            throw .badRequest("bbox=\(s) has a minimum above its maximum: send minx,miny,maxx,maxy, e.g. \(example)")
        }
        if crs == .crs84, b.minX < -180 || b.maxX > 180 || b.minY < -90 || b.maxY > 90 {
            throw .badRequest("bbox=\(s) is outside longitude −180…180, latitude −90…90: send longitude, latitude (CRS84), e.g. \(example)")
        }
        return b
    }

    /// RFC 3339 instant, date, or interval `a/b` with `..` (or nothing) for an open end.
    public static func datetime(_ s: String) throws(Problem) -> TimeFilter {
        let help = "send an RFC 3339 instant (2025-10-14T00:00:00Z), a date (2025-10-14) or an interval (2025-10-01/2025-10-14, ../2025-10-14, 2025-10-01T00:00:00Z/..)"
        func bound(_ t: String, end: Bool) throws(Problem) -> Double? {
            if t == ".." || t.isEmpty { return nil }
            if let i = TimeParser.instant(t) { return i }
            if t.count == 10, let r = TimeParser.interval(of: t) { return end ? r.upperBound - 0.001 : r.lowerBound }
            throw .badRequest("datetime=\(s) is not a time: \(help)")
        }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            guard parts[0] != "..", !parts[0].isEmpty else { throw .badRequest("datetime=\(s) is open at both ends: \(help)") }
            return TimeFilter(start: try bound(parts[0], end: false), end: try bound(parts[0], end: true))
        case 2:
            let a = try bound(parts[0], end: false), b = try bound(parts[1], end: true)
            if let a, let b, a > b { throw .badRequest("datetime=\(s) ends before it starts: \(help)") }
            return TimeFilter(start: a, end: b)
        default:
            throw .badRequest("datetime=\(s) is not a time: \(help)")
        }
    }
}

/// Percent-decoding of a URL path segment or query part (`+` is a space in a query).
public enum Percent {
    public static func decode(_ s: Substring, plusIsSpace: Bool = false) -> String? {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) else { return nil }
                out.append(h << 4 | l); i += 3
            } else {
                out.append(plusIsSpace && c == UInt8(ascii: "+") ? 32 : c); i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// `name=value&…` → decoded pairs (in order).
    public static func query(_ q: String?) -> [(String, String)] {
        guard let q, !q.isEmpty else { return [] }
        return q.split(separator: "&").compactMap { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = decode(kv[0], plusIsSpace: true), !k.isEmpty else { return nil }
            return (k, kv.count > 1 ? decode(kv[1], plusIsSpace: true) ?? String(kv[1]) : "")
        }
    }

    /// Encodes anything but unreserved characters (for ids and values in links).
    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 46 || b == 95 || b == 126 {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
