/// Deterministic number formatting for every output (no locale, no platform printf differences).
public enum Fmt {
    /// "1 incident", "2 incidents": a count and its noun, singular for exactly one (`plural` for irregular nouns).
    public static func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }
    /// A byte count in words: "64 MiB", "512 KiB", "100 bytes".
    public static func bytes(_ n: Int) -> String {
        n >= 1 << 20 && n % (1 << 20) == 0 ? "\(n >> 20) MiB" : n >= 1 << 10 && n % (1 << 10) == 0 ? "\(n >> 10) KiB" : "\(n) bytes"
    }

    /// Fixed-point with `decimals` places (≤ 9), rounding half away from zero; never "-0.000".
    public static func fixed(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return "null" }
        var p: Double = 1
        for _ in 0..<decimals { p *= 10 }
        let scaled = (abs(v) * p).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return "\(v)" }
        let n = UInt64(scaled)
        let ip = n / UInt64(p), fp = n % UInt64(p)
        var s = (v < 0 && n != 0) ? "-" : ""
        s += String(ip)
        if decimals > 0 {
            let f = String(fp)
            s += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return s
    }

    /// Shortest representation that round-trips (Swift's `description`), `null` for NaN/∞ (JSON has neither).
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// A whole count with thousands separators: 1,071.
    public static func grouped(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, c) in s.enumerated() { if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }; out.append(c) }
        return (n < 0 ? "-" : "") + out
    }

    /// JSON string literal.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180). Checked on the UTF-8 bytes (these ASCII
    /// bytes never occur inside a multi-byte character), not by Character: faster, and a CR LF pair, one Character,
    /// is quoted too.
    public static func csvField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out: [UInt8] = [0x22]
        out.reserveCapacity(s.utf8.count + 8)
        for b in s.utf8 { out.append(b); if b == 0x22 { out.append(0x22) } }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }
}
