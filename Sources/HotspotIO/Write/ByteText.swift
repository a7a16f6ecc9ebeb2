/// Text built as UTF-8 bytes in one growing buffer: the writers of large layers (a million features) append numbers
/// and literals here without a `String` per value. Every number is spelled exactly as `Fmt` and `Value.json` spell it.
public struct ByteText {
    public var bytes: [UInt8] = []
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }
    @inline(__always) public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    @inline(__always) public mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    public mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A whole number in decimal (as `String(n)`).
    public mutating func int(_ v: Int64) {
        if v < 0 {
            byte(UInt8(ascii: "-"))
            uint(v == .min ? UInt64(Int64.max) + 1 : UInt64(-v))
        } else { uint(UInt64(v)) }
    }

    /// An unsigned whole number in decimal, zero-padded on the left to at least `width` digits.
    public mutating func uint(_ v: UInt64, width: Int = 1) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0) // 32 bytes of scratch, enough for 20 digits
        var n = v, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[31 - count] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10; count += 1 } while n > 0
            while count < width && count < 32 { d[31 - count] = UInt8(ascii: "0"); count += 1 }
            bytes.append(contentsOf: d[(32 - count)...])
        }
    }

    /// `Fmt.fixed(v, decimals)`, byte for byte.
    public mutating func fixed(_ v: Double, _ decimals: Int) {
        guard v.isFinite else { append("null"); return }
        var p: Double = 1
        for _ in 0..<decimals { p *= 10 }
        let scaled = (abs(v) * p).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { append("\(v)"); return }
        let n = UInt64(scaled), up = UInt64(p)
        if v < 0 && n != 0 { byte(UInt8(ascii: "-")) }
        uint(n / up)
        if decimals > 0 { byte(UInt8(ascii: ".")); uint(n % up, width: decimals) }
    }

    /// `Fmt.number(v)`, byte for byte.
    public mutating func number(_ v: Double) {
        guard v.isFinite else { append("null"); return }
        if v == v.rounded(), abs(v) < 1e15 { int(Int64(v)); return }
        append("\(v)")
    }

    /// `Fmt.jsonString(s)`, byte for byte (the common case, no character to escape, copied straight).
    public mutating func jsonString(_ s: String) {
        var plain = true
        for u in s.utf8 where u < 0x20 || u == UInt8(ascii: "\"") || u == UInt8(ascii: "\\") { plain = false; break }
        if plain {
            byte(UInt8(ascii: "\"")); bytes.append(contentsOf: s.utf8); byte(UInt8(ascii: "\""))
        } else { append(Fmt.jsonString(s)) }
    }

    /// `value.json`, byte for byte.
    public mutating func json(_ value: Value) {
        switch value {
        case .string(let s): jsonString(s)
        case .int(let i): int(Int64(i))
        case let .double(v, d): if let d { fixed(v, d) } else { number(v) }
        case .null: append("null")
        }
    }
}
