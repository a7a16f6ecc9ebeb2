import HotspotCore

/// A property value in a feature or a CSV row.
public enum Value: Sendable, Equatable {
    case string(String)
    case int(Int)
    /// A float with a fixed number of decimals, or the shortest round-trip form when `decimals` is nil.
    case double(Double, decimals: Int?)
    case null

    public var json: String {
        switch self {
        case .string(let s): return Fmt.jsonString(s)
        case .int(let i): return String(i)
        case let .double(v, d): return d.map { Fmt.fixed(v, $0) } ?? Fmt.number(v)
        case .null: return "null"
        }
    }
    public var csv: String {
        switch self {
        case .string(let s): return Fmt.csvField(s)
        case .int(let i): return String(i)
        case let .double(v, d): return v.isFinite ? (d.map { Fmt.fixed(v, $0) } ?? Fmt.number(v)) : ""
        case .null: return ""
        }
    }
    /// The value as a CSV cell reads once unquoted (what a page shows).
    public var csvText: String {
        if case .string(let s) = self { return s }
        return csv
    }
    public var isNumeric: Bool {
        switch self { case .int, .double: return true; default: return false }
    }
}

/// Rows of named values, in column order: the one shape every exporter writes (GeoJSON properties, CSV columns).
public struct Table: Sendable {
    public var columns: [String]
    public var rows: [[Value]]
    /// Column names are made unique, ignoring case as SQLite and GIS software do ("Burglary" and "burglary" give
    /// `count_burglary` and `count_burglary_2`).
    public init(columns: [String], rows: [[Value]] = []) { self.columns = Table.unique(columns); self.rows = rows }

    static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.map { n in
            var name = n, k = 2
            while !seen.insert(name.lowercased()).inserted { name = "\(n)_\(k)"; k += 1 }
            return name
        }
    }

    /// RFC 4180 CSV with a header line, LF line ends.
    public func csv() -> String {
        var s = columns.map(Fmt.csvField).joined(separator: ",") + "\n"
        for r in rows { s += r.map(\.csv).joined(separator: ",") + "\n" }
        return s
    }

    /// `csv()`'s bytes handed to `emit` in pieces of about `chunk` bytes, in order: a table of millions of rows is
    /// never held whole as text.
    public func csv(chunk: Int = 1 << 24, emit: ([UInt8]) throws -> Void) rethrows {
        var b: [UInt8] = []
        b.reserveCapacity(min(chunk, 1 << 16) + 4096)
        b.append(contentsOf: (columns.map(Fmt.csvField).joined(separator: ",") + "\n").utf8)
        for r in rows {
            for (i, v) in r.enumerated() {
                if i > 0 { b.append(UInt8(ascii: ",")) }
                b.append(contentsOf: v.csv.utf8)
            }
            b.append(UInt8(ascii: "\n"))
            if b.count >= chunk { try emit(b); b.removeAll(keepingCapacity: true) }
        }
        try emit(b)
    }
}

extension Value {
    /// A count: INTEGER in GeoPackages and an integer in GeoJSON, unless the incidents carry weights (then REAL).
    public static func count(_ v: Double, weighted: Bool) -> Value {
        weighted || v != v.rounded() || !v.isFinite ? .double(v, decimals: nil) : .int(Int(v))
    }
}
