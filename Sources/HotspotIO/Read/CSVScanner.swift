#if canImport(Glibc)
import Glibc
#endif
/// A streaming, byte-level CSV tokenizer (RFC 4180: quoted fields, doubled quotes, commas and newlines inside
/// quotes; CRLF or LF). It yields one record at a time as field byte ranges into a reused buffer: no allocation per
/// row. Bytes are never decoded unless a field is asked for as a `String`.
public struct CSVRecord {
    /// The record's bytes (for the quarantine file and duplicate detection), without the line terminator.
    public internal(set) var bytes: UnsafeBufferPointer<UInt8>
    /// One field: start/end offsets into `bytes` (quotes excluded), and whether it had doubled quotes inside.
    struct Field { var start: Int32, end: Int32, escaped: Bool }
    var fields: [Field] = []
    /// Physical line number (1-based) where the record starts.
    public internal(set) var line: Int = 0
    /// Line breaks inside the record (in quoted fields).
    public internal(set) var lineSpan: Int = 0
    /// True when a quoted field was still open at the end of the input (it ran to the end of the file).
    public internal(set) var unterminatedQuote = false
    public var count: Int { fields.count }

    init() { bytes = UnsafeBufferPointer(start: nil, count: 0) }

    /// Raw bytes of field `i` (quotes removed, doubled quotes not yet undoubled).
    public func raw(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(fields[i].start)..<Int(fields[i].end)])
    }

    public func isEmpty(_ i: Int) -> Bool { fields[i].end == fields[i].start }

    /// Field `i` as a String, or nil when it is not valid UTF-8.
    public func string(_ i: Int) -> String? {
        let r = raw(i)
        var s: String? = String(validating: r, as: UTF8.self)
        if fields[i].escaped, let v = s { s = v.replacingOccurrences(of: "\"\"", with: "\"") }
        return s
    }

    /// Field `i` parsed as a decimal number (see `FastDouble`).
    public func double(_ i: Int) -> Double? { FastDouble.parse(raw(i)) }

    /// True when the record is valid UTF-8 (an ASCII fast path eight bytes at a time; full validation only when a
    /// byte ≥ 0x80 occurs).
    public var isValidUTF8: Bool {
        Bytes.isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil
    }
}

extension String {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: a) {
            out += rest[..<r.lowerBound]; out += b; rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    fileprivate func range(of s: String) -> Range<Index>? {
        guard let first = s.first else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i] == first, self[i...].hasPrefix(s) { return i..<index(i, offsetBy: s.count) }
            i = index(after: i)
        }
        return nil
    }
}

/// Splits a byte buffer into CSV records. Feed it whole blocks; it keeps a partial record between blocks.
public struct CSVScanner {
    private var carry: [UInt8] = []
    private var record = CSVRecord()
    private var nextLine = 1

    private let firstLine: Int
    /// - Parameter firstLine: the physical line number of the first byte fed (1 for a whole file).
    public init(firstLine: Int = 1) { nextLine = firstLine; self.firstLine = firstLine }
    /// Physical lines consumed so far (newlines seen, counting those inside quoted fields).
    public var linesConsumed: Int { nextLine - firstLine }

    /// Calls `body` for each complete record in `block` (plus any carried-over start); at end of input, call with
    /// `final: true` to flush the last record (a file need not end with a newline).
    public mutating func scan(_ block: UnsafeBufferPointer<UInt8>, final: Bool, _ body: (CSVRecord) throws -> Void) rethrows {
        if carry.isEmpty {
            let used = try scanRecords(block, final: final, body)
            if used < block.count { carry = Array(block[used...]) }
        } else {
            carry.append(contentsOf: block)
            let buf = carry
            let used = try buf.withUnsafeBufferPointer { try scanRecords($0, final: final, body) }
            carry = used < buf.count ? Array(buf[used...]) : []
        }
    }

    /// Scans records; returns how many bytes were consumed (the rest is an incomplete record).
    private mutating func scanRecords(_ b: UnsafeBufferPointer<UInt8>, final: Bool, _ body: (CSVRecord) throws -> Void) rethrows -> Int {
        let n = b.count
        var pos = 0
        while pos < n {
            // One record starting at pos.
            record.fields.removeAll(keepingCapacity: true)
            var i = pos
            var lines = 0
            var complete = false
            record.unterminatedQuote = false
            fieldLoop: while true {
                if i < n && b[i] == UInt8(ascii: "\"") {
                    // Quoted field.
                    var esc = false
                    guard let j = Self.closingQuote(b, openedAt: i, final: final, lines: &lines, escaped: &esc) else {
                        if !final { return pos }
                        // Unterminated quote at end of input: take the rest as the field, less a final CR (which
                        // the record's bytes leave out: a field must not run past them).
                        let end = n > i + 1 && b[n - 1] == UInt8(ascii: "\r") ? n - 1 : n
                        record.fields.append(.init(start: Int32(i + 1 - pos), end: Int32(end - pos), escaped: esc))
                        record.unterminatedQuote = true
                        i = n; complete = true; break fieldLoop
                    }
                    record.fields.append(.init(start: Int32(i + 1 - pos), end: Int32(j - pos), escaped: esc))
                    i = j + 1
                    // Skip junk between the closing quote and the delimiter (lenient).
                    while i < n && b[i] != UInt8(ascii: ",") && b[i] != UInt8(ascii: "\n") { i += 1 }
                } else {
                    let (j, e) = Self.unquotedField(b, from: i, final: final)
                    record.fields.append(.init(start: Int32(i - pos), end: Int32(e - pos), escaped: false))
                    i = j
                }
                if i >= n {
                    if !final { return pos }
                    complete = true; break fieldLoop
                }
                if b[i] == UInt8(ascii: ",") {
                    i += 1
                    if i >= n && final {  // trailing comma at end of input: one more empty field
                        record.fields.append(.init(start: Int32(i - pos), end: Int32(i - pos), escaped: false))
                        complete = true; break fieldLoop
                    }
                    continue
                }
                // Newline ends the record.
                complete = true
                break fieldLoop
            }
            guard complete else { return pos }
            // Record bytes exclude the terminator (LF or CRLF).
            var bytesEnd = min(i, n)
            if bytesEnd > pos && b[bytesEnd - 1] == UInt8(ascii: "\r") { bytesEnd -= 1 }
            record.bytes = UnsafeBufferPointer(rebasing: b[pos..<bytesEnd])
            record.line = nextLine
            record.lineSpan = lines
            nextLine += 1 + lines
            // Blank lines are not records (but they are counted in line numbers).
            if bytesEnd > pos { try body(record) }
            pos = i < n ? i + 1 : n
        }
        return n
    }
}

extension CSVScanner {
    /// The closing quote of the quoted field opened at `b[i]` (a doubled quote `""` is a quote inside it, noted in
    /// `escaped`; line breaks inside are counted into `lines`), or nil when the field is still open at the end of
    /// `b`, or a quote ends `b` and more input may double it (not `final`).
    @inline(__always)
    static func closingQuote(_ b: UnsafeBufferPointer<UInt8>, openedAt i: Int, final: Bool, lines: inout Int,
                             escaped esc: inout Bool) -> Int? {
        let n = b.count
        var j = i + 1
        while j < n {
            let c = b[j]
            if c == UInt8(ascii: "\"") {
                if j + 1 < n && b[j + 1] == UInt8(ascii: "\"") { esc = true; j += 2; continue }
                if j + 1 >= n && !final { return nil }
                return j
            }
            if c == UInt8(ascii: "\n") { lines += 1 }
            j += 1
        }
        return nil
    }

    /// The unquoted field starting at `b[i]`: `next`, the index of the comma or newline that ends it (or `b.count`),
    /// and `end`, where its text ends (before a CR that precedes a newline, or ends the input at `final`).
    @inline(__always)
    static func unquotedField(_ b: UnsafeBufferPointer<UInt8>, from i: Int, final: Bool) -> (next: Int, end: Int) {
        let n = b.count
        var j = Bytes.nextCommaOrNewline(b, from: i, to: n)
        while j < n {
            let c = b[j]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "\n") { break }
            j += 1
        }
        var e = j
        if j < n || final {
            if e > i && b[e - 1] == UInt8(ascii: "\r") && (j == n || b[j] == UInt8(ascii: "\n")) { e -= 1 }
        }
        return (j, e)
    }
}

/// Exact decimal → Double for the common case (≤ 19 significant digits, ≤ 22 fraction digits): the integer
/// mantissa and the power of ten are both exact doubles, so one IEEE division is correctly rounded — the same
/// result as `strtod`. Other inputs (exponents, long mantissas) fall back to `Double(String)`.
///
/// Only plain decimal numbers are numbers: `[+-]digits[.digits][(e|E)[+-]digits]` with surrounding spaces.
/// Hex floats (`0x10`), `inf`, `nan`, embedded NUL or other bytes, and values that overflow to infinity or
/// underflow to zero or a subnormal from non-zero digits are refused (nil).
public enum FastDouble {
    @usableFromInline static let pow10: [Double] = (0...22).map { i in var p = 1.0; for _ in 0..<i { p *= 10 }; return p }

    @inlinable
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, n = b.count
        while i < n && b[i] == UInt8(ascii: " ") { i += 1 }
        while n > i && b[n - 1] == UInt8(ascii: " ") { n -= 1 }
        guard i < n else { return nil }
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        var mant: UInt64 = 0, digits = 0, frac = 0, sawDot = false, any = false
        while i < n {
            let c = b[i]
            if c >= 48 && c <= 57 {
                any = true
                if digits < 19 { mant = mant * 10 + UInt64(c - 48); if mant > 0 { digits += 1 }; if sawDot { frac += 1 } }
                else { return slow(b) }
            } else if c == UInt8(ascii: ".") && !sawDot { sawDot = true } else { return slow(b) }
            i += 1
        }
        guard any else { return nil }
        guard frac <= 22, mant < (1 << 53) else { return slow(b) }
        let v = frac == 0 ? Double(mant) : Double(mant) / pow10[frac]
        return neg ? -v : v
    }

    @usableFromInline static func slow(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        // Strict grammar first: Double(String) would also take hex floats, "inf", "nan", and stop at a NUL.
        var i = 0, n = b.count
        while i < n && b[i] == UInt8(ascii: " ") { i += 1 }
        while n > i && b[n - 1] == UInt8(ascii: " ") { n -= 1 }
        if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) { i += 1 }
        var digits = 0, nonZero = false, sawDot = false
        while i < n {
            let c = b[i]
            if c >= 48 && c <= 57 { digits += 1; if c != 48 { nonZero = true } }
            else if c == UInt8(ascii: ".") && !sawDot { sawDot = true }
            else { break }
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < n {
            guard b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") else { return nil }
            i += 1
            if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) { i += 1 }
            let expStart = i
            while i < n && b[i] >= 48 && b[i] <= 57 { i += 1 }
            guard i > expStart, i == n else { return nil }
        }
        guard let s = String(validating: b, as: UTF8.self), let v = Double(s.trimmingSpaces), v.isFinite else { return nil }
        if nonZero && !v.isNormal { return nil }  // underflow: 1e-400 is not 0
        return v
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Word-at-a-time byte helpers (SWAR: eight bytes per step) for the CSV hot loops.
public enum Bytes {
    @inline(__always) static func load(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
    }
    @inline(__always) static func hasByte(_ w: UInt64, _ c: UInt8) -> UInt64 {
        let v = w ^ (0x0101_0101_0101_0101 &* UInt64(c))
        return (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }

    /// Index of the first ',' or '\n' at or after `i` found eight bytes at a time, or the start of the last partial
    /// word (the caller finishes byte by byte).
    @inline(__always)
    public static func nextCommaOrNewline(_ b: UnsafeBufferPointer<UInt8>, from i: Int, to n: Int) -> Int {
        var j = i
        while j + 8 <= n {
            let w = load(b, j)
            let m = hasByte(w, UInt8(ascii: ",")) | hasByte(w, UInt8(ascii: "\n"))
            if m != 0 { return j + m.trailingZeroBitCount / 8 }
            j += 8
        }
        return j
    }

    /// True when every byte is below 0x80.
    public static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0, acc: UInt64 = 0
        let n = b.count
        while i + 8 <= n { acc |= load(b, i); i += 8 }
        while i < n { acc |= UInt64(b[i]); i += 1 }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// A fast 64-bit hash of bytes (eight at a time, multiply–xorshift mixing); never 0.
    public static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(b.count)
        var i = 0
        let n = b.count
        while i + 8 <= n {
            h = (h ^ load(b, i)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(b[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h == 0 ? 1 : h
    }

    /// Number of occurrences of `c` in b[from..<to] (memchr-driven: fast when the byte is rare, as quotes are).
    public static func count(_ b: UnsafeBufferPointer<UInt8>, _ c: UInt8, from: Int, to: Int) -> Int {
        guard from < to, let base = b.baseAddress else { return 0 }
        var n = 0
        var p = UnsafeRawPointer(base + from)
        let end = UnsafeRawPointer(base + to)
        while p < end, let hit = memchr(p, Int32(c), end - p) {
            n += 1
            p = UnsafeRawPointer(hit) + 1
        }
        return n
    }

    /// Index of the first `c` in b[from..<to], or nil.
    public static func find(_ b: UnsafeBufferPointer<UInt8>, _ c: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let base = b.baseAddress, let hit = memchr(base + from, Int32(c), to - from) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// Index of the last `c` in b[0..<to], or nil.
    public static func findLast(_ b: UnsafeBufferPointer<UInt8>, _ c: UInt8, to: Int) -> Int? {
        var i = to - 1
        while i >= 0 { if b[i] == c { return i }; i -= 1 }
        return nil
    }
}

/// A set of non-zero 64-bit hashes (open addressing, linear probing, grown at 3/4 load): the duplicate-row check
/// without SipHash or per-insert allocation.
struct HashSet64 {
    private var slots: [UInt64]
    private var used = 0
    /// Where `insertCounting` puts what it read ahead (so that the reads are not optimised away).
    private var sink: UInt64 = 0
    init(capacity: Int = 1024) {
        var c = 1024
        while c * 3 < capacity * 4 { c <<= 1 }
        slots = [UInt64](repeating: 0, count: c)
    }
    /// Inserts h (≠ 0); returns false when it was already present.
    mutating func insert(_ h: UInt64) -> Bool {
        if (used + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let s = slots[i]
            if s == 0 { slots[i] = h; used += 1; return true }
            if s == h { return false }
            i = (i + 1) & mask
        }
    }
    /// Inserts every non-zero hash of `hashes` in order; returns how many were already present (a repeat within
    /// `hashes` counts too). The same answers as `insert` one by one: the home slots of the next eight hashes are
    /// read first, so that their cache misses overlap instead of coming one after another.
    mutating func insertCounting(_ hashes: [UInt64]) -> Int {
        var repeats = 0
        var i = 0
        let n = hashes.count
        while i < n {
            let end = min(n, i + 8)
            if (used + end - i) * 4 > slots.count * 3 { grow() }
            let mask = slots.count - 1
            var touch: UInt64 = 0
            for k in i..<end { let h = hashes[k]; touch &+= slots[Int(truncatingIfNeeded: h ^ (h >> 29)) & mask] }
            sink &+= touch  // keeps the reads
            for k in i..<end where hashes[k] != 0 && !insert(hashes[k]) { repeats += 1 }
            i = end
        }
        return repeats
    }

    /// Makes room for `n` hashes without growing again (at most 3/4 full).
    mutating func reserve(_ n: Int) {
        var c = slots.count
        while c * 3 < n * 4 { c <<= 1 }
        if c > slots.count { rehash(c) }
    }
    private mutating func grow() { rehash(slots.count * 2) }
    private mutating func rehash(_ count: Int) {
        let old = slots
        slots = [UInt64](repeating: 0, count: count)
        used = 0
        for h in old where h != 0 { _ = insert(h) }
    }
}
