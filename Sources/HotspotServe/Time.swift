import Foundation

/// Dates and times as the layers hold them and as `datetime` asks for them (RFC 3339), as seconds since 1970 UTC.
public enum TimeParser {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A value as an interval: `YYYY-MM-DD` → that UTC day; `YYYY-MM` → that month; an RFC 3339 date-time → an
    /// instant (a zero-length interval stands for it as `t..<t` and is treated as closed).
    public static func interval(of s: String) -> Range<Double>? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for k in from..<from + n { guard b[k] >= 48, b[k] <= 57 else { return nil }; v = v * 10 + Int(b[k] - 48) }
            return v
        }
        guard let y = num(0, 4), b.count >= 7, b[4] == UInt8(ascii: "-"), let m = num(5, 2), (1...12).contains(m) else { return nil }
        if b.count == 7 {
            let start = Double(days(y, m, 1)) * 86400
            return start..<(start + Double(daysInMonth(y, m)) * 86400)
        }
        guard b.count >= 10, b[7] == UInt8(ascii: "-"), let d = num(8, 2), d >= 1, d <= daysInMonth(y, m) else { return nil }
        let day = Double(days(y, m, d)) * 86400
        if b.count == 10 { return day..<(day + 86400) }
        return instant(s).map { $0..<$0 }
    }

    /// An RFC 3339 date-time (`2025-10-14T08:30:00Z`, fractions and offsets allowed, `t`/`z` lower case too).
    public static func instant(_ s: String) -> Double? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for k in from..<from + n { guard b[k] >= 48, b[k] <= 57 else { return nil }; v = v * 10 + Int(b[k] - 48) }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), (1...12).contains(mo), b[7] == 45,
              let d = num(8, 2), d >= 1, d <= daysInMonth(y, mo), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let h = num(11, 2), h < 24, b[13] == 58, let mi = num(14, 2), mi < 60, b[16] == 58, let se = num(17, 2), se <= 60
        else { return nil }
        var i = 19
        var frac = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { frac += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), oh < 24, i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2), om < 60 else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else { return nil }
        guard i == b.count else { return nil }
        return Double(days(y, mo, d)) * 86400 + Double(h * 3600 + mi * 60 + se - offset) + frac
    }

    /// RFC 3339 text of an instant, whole seconds, UTC.
    public static func format(_ t: Double) -> String {
        let secs = Int(t.rounded(.down))
        var z = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - z * 86400
        z += 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func p(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(rem / 3600, 2)):\(p(rem / 60 % 60, 2)):\(p(rem % 60, 2))Z"
    }
}

/// A `datetime` filter: an instant or an interval whose ends may be open (`..` or empty).
public struct TimeFilter: Sendable, Equatable {
    public var start: Double?
    public var end: Double?
    /// Whether a feature's time meets the filter (both closed at their ends; a day `d..<d+1` meets `d`'s midnight).
    public func matches(_ t: Range<Double>) -> Bool {
        let hi = t.isEmpty ? t.upperBound : t.upperBound
        if let s = start, hi < s || (!t.isEmpty && hi == s) { return false }
        if let e = end, t.lowerBound > e { return false }
        return true
    }
}
