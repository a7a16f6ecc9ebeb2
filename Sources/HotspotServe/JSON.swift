/// A JSON value that keeps what a layer file says as it says it: object members in their order and numbers as their
/// literal text (so `0.000230` is served as `0.000230`, and an integer never becomes `1.0`).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text (already valid JSON).
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public static func int(_ v: Int) -> JSON { .number(String(v)) }
    public static func double(_ v: Double) -> JSON { v.isFinite ? .number(JSONWriter.number(v)) : .null }

    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var doubleValue: Double? { if case .number(let s) = self { return Double(s) }; return nil }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }

    /// The value as text for a page or an id: strings bare, numbers as written, others as JSON.
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return String(decoding: JSONWriter.encode(self), as: UTF8.self)
        }
    }
}

/// Writes JSON into a byte buffer: no escaping of `/`, members in the order given.
public enum JSONWriter {
    public static func encode(_ v: JSON) -> [UInt8] {
        var out: [UInt8] = []
        write(v, into: &out)
        return out
    }

    public static func write(_ v: JSON, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): string(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let m):
            out.append(UInt8(ascii: "{"))
            for (i, (k, e)) in m.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Shortest text that reads back as the same Double; integers without a fraction.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// Fixed-point with `decimals` places, "-0" never written.
    public static func fixed(_ v: Double, _ decimals: Int, into out: inout [UInt8]) {
        guard v.isFinite else { out.append(contentsOf: "null".utf8); return }
        var p: Double = 1
        for _ in 0..<decimals { p *= 10 }
        let scaled = (abs(v) * p).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { out.append(contentsOf: "\(v)".utf8); return }
        let n = UInt64(scaled), ip = n / UInt64(p)
        var fp = n % UInt64(p)
        if v < 0 && n != 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: String(ip).utf8)
        guard decimals > 0 else { return }
        out.append(UInt8(ascii: "."))
        var digits = [UInt8](repeating: 48, count: decimals)
        var i = decimals - 1
        while fp > 0 && i >= 0 { digits[i] = 48 + UInt8(fp % 10); fp /= 10; i -= 1 }
        out.append(contentsOf: digits)
    }
}

/// An order-keeping JSON parser over bytes (RFC 8259), for GeoJSON layers. Errors name the byte offset.
public struct JSONParser {
    public struct ParseError: Error, CustomStringConvertible {
        public let offset: Int, message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    let b: [UInt8]
    var i = 0
    var depth = 0

    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        var p = JSONParser(b: bytes)
        p.ws()
        let v = try p.value()
        p.ws()
        guard p.i == bytes.count else { throw ParseError(offset: p.i, message: "text after the value") }
        return v
    }

    mutating func ws() {
        while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 }
    }

    func fail(_ m: String) -> ParseError { ParseError(offset: i, message: m) }

    mutating func value() throws -> JSON {
        guard i < b.count else { throw fail("unexpected end") }
        switch b[i] {
        case UInt8(ascii: "{"):
            depth += 1
            guard depth < 512 else { throw fail("nested too deeply") }
            defer { depth -= 1 }
            i += 1; ws()
            var m: [(String, JSON)] = []
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(m) }
            while true {
                ws()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let k = try string()
                ws()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1; ws()
                m.append((k, try value()))
                ws()
                guard i < b.count else { throw fail("unexpected end") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(m) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            depth += 1
            guard depth < 512 else { throw fail("nested too deeply") }
            defer { depth -= 1 }
            i += 1; ws()
            var a: [JSON] = []
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                ws()
                a.append(try value())
                ws()
                guard i < b.count else { throw fail("unexpected end") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ s: String) throws {
        for c in s.utf8 {
            guard i < b.count, b[i] == c else { throw fail("expected \(s)") }
            i += 1
        }
    }

    mutating func number() throws -> String {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let s = i; while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }; return i - s }
        guard digits() > 0 else { throw fail("expected a value") }
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { throw fail("expected digits after '.'") } }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("expected an exponent") }
        }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") {
            guard b[i] >= 0x20 else { throw fail("control character in a string") }
            i += 1
        }
        guard i < b.count else { throw fail("unterminated string") }
        if b[i] == UInt8(ascii: "\"") { defer { i += 1 }; return String(decoding: b[start..<i], as: UTF8.self) }
        var out = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < b.count else { break }
                let e = b[i]; i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var u = try hex4()
                    if (0xD800..<0xDC00).contains(u), i + 1 < b.count, b[i] == 92, b[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let lo = try hex4()
                        if (0xDC00..<0xE000).contains(lo) { u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00) }
                    }
                    let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("bad escape")
                }
                continue
            }
            guard c >= 0x20 else { throw fail("control character in a string") }
            out.append(c); i += 1
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]; i += 1
            switch c {
            case 48...57: v = v * 16 + UInt32(c - 48)
            case 65...70: v = v * 16 + UInt32(c - 55)
            case 97...102: v = v * 16 + UInt32(c - 87)
            default: throw fail("bad \\u escape")
            }
        }
        return v
    }
}
