import HotspotCore

/// Date parsing for incident files. All results are day numbers (days since 1970-01-01).
public enum DateParser {
    /// Years accepted as incident dates. Earlier or later dates are typing errors (0000-01, 9999-12) that would
    /// otherwise make thousands of empty time steps.
    public static let years = CivilDate.plausibleYears

    /// Parses `YYYY-MM` (→ the first of the month, `isMonth` true), `YYYY-MM-DD`, or an ISO 8601 date-time
    /// `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]`. A date-time with an offset is converted to **UK civil time**
    /// (GMT, or BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October), so
    /// a stop and search at 2018-05-31T23:01:00+00:00 falls on 1 June, as it did in London.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> (day: Int, isMonth: Bool)? {
        var n = b.count
        var s = 0
        while s < n && b[s] == 32 { s += 1 }
        while n > s && b[n - 1] == 32 { n -= 1 }
        func num(_ i: Int, _ len: Int) -> Int? {
            guard i + len <= n else { return nil }
            var v = 0
            for k in i..<(i + len) { let c = b[k]; guard c >= 48 && c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        guard let y = num(s, 4), s + 7 <= n, b[s + 4] == UInt8(ascii: "-"), let m = num(s + 5, 2), (1...12).contains(m),
              years.contains(y)
        else { return nil }
        if n == s + 7 { return (CivilDate.days(year: y, month: m, day: 1), true) }
        guard n >= s + 10, b[s + 7] == UInt8(ascii: "-"), let d = num(s + 8, 2),
              d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) else { return nil }
        let day = CivilDate.days(year: y, month: m, day: d)
        if n == s + 10 { return (day, false) }
        guard b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: " "),
              let hh = num(s + 11, 2), hh < 24, n >= s + 16, b[s + 13] == UInt8(ascii: ":"),
              let mm = num(s + 14, 2), mm < 60 else { return nil }
        var i = s + 16
        if i < n && b[i] == UInt8(ascii: ":") {
            guard let ss = num(i + 1, 2), ss <= 60 else { return nil }
            i += 3
            if i < n && b[i] == UInt8(ascii: ".") { i += 1; while i < n && b[i] >= 48 && b[i] <= 57 { i += 1 } }
        }
        if i == n { return (day, false) }  // no offset: local time as given
        var offsetMinutes = 0
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == n else { return nil }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), oh < 24 else { return nil }
            var om = 0
            if i + 3 < n {
                let j = b[i + 3] == UInt8(ascii: ":") ? i + 4 : i + 3
                guard let v = num(j, 2), j + 2 == n, v < 60 else { return nil }
                om = v
            } else if i + 3 != n { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        } else { return nil }
        let utcMinutes = day * 1440 + hh * 60 + mm - offsetMinutes
        return (ukCivilDay(utcMinutes: utcMinutes), false)
    }

    public static func parse(_ s: String) -> (day: Int, isMonth: Bool)? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    /// The UK civil date of an instant given in minutes since 1970-01-01T00:00Z (EU summer-time rule, since 1996).
    public static func ukCivilDay(utcMinutes: Int) -> Int {
        let utcDay = utcMinutes >= 0 ? utcMinutes / 1440 : (utcMinutes - 1439) / 1440
        let year = CivilDate.civil(days: utcDay).year
        func lastSunday(_ month: Int) -> Int {
            let last = CivilDate.days(year: year, month: month, day: 31)
            let weekday = ((last % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday; 0 = Sunday
            return last - weekday
        }
        let start = lastSunday(3) * 1440 + 60, end = lastSunday(10) * 1440 + 60
        let local = utcMinutes + ((utcMinutes >= start && utcMinutes < end) ? 60 : 0)
        return local >= 0 ? local / 1440 : (local - 1439) / 1440
    }
}
