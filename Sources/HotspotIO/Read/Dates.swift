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
        guard case .date(let v) = iso(b) else { return nil }
        return (v.day, v.isMonth)
    }

    /// `parse`'s layouts with the minute of the day kept (UK civil time for a date-time with an offset; -1 when no
    /// time is given).
    static func iso(_ b: UnsafeBufferPointer<UInt8>) -> DateReading {
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
        else { return .bad }
        if n == s + 7 { return .date(DateValue(day: CivilDate.days(year: y, month: m, day: 1), isMonth: true, minute: -1)) }
        guard n >= s + 10, b[s + 7] == UInt8(ascii: "-"), let d = num(s + 8, 2),
              d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) else { return .bad }
        let day = CivilDate.days(year: y, month: m, day: d)
        if n == s + 10 { return .date(DateValue(day: day, isMonth: false, minute: -1)) }
        guard b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: " "),
              let hh = num(s + 11, 2), hh < 24, n >= s + 16, b[s + 13] == UInt8(ascii: ":"),
              let mm = num(s + 14, 2), mm < 60 else { return .bad }
        var i = s + 16
        if i < n && b[i] == UInt8(ascii: ":") {
            guard let ss = num(i + 1, 2), ss <= 60 else { return .bad }
            i += 3
            if i < n && b[i] == UInt8(ascii: ".") { i += 1; while i < n && b[i] >= 48 && b[i] <= 57 { i += 1 } }
        }
        if i == n { return .date(DateValue(day: day, isMonth: false, minute: hh * 60 + mm)) }  // no offset: local time as given
        var offsetMinutes = 0
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == n else { return .bad }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), oh < 24 else { return .bad }
            var om = 0
            if i + 3 < n {
                let j = b[i + 3] == UInt8(ascii: ":") ? i + 4 : i + 3
                guard let v = num(j, 2), j + 2 == n, v < 60 else { return .bad }
                om = v
            } else if i + 3 != n { return .bad }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        } else { return .bad }
        let utcMinutes = day * 1440 + hh * 60 + mm - offsetMinutes
        let local = ukCivilMinutes(utcMinutes: utcMinutes)
        let localDay = local >= 0 ? local / 1440 : (local - 1439) / 1440
        return .date(DateValue(day: localDay, isMonth: false, minute: local - localDay * 1440))
    }

    public static func parse(_ s: String) -> (day: Int, isMonth: Bool)? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    /// The UK civil date of an instant given in minutes since 1970-01-01T00:00Z (EU summer-time rule, since 1996).
    public static func ukCivilDay(utcMinutes: Int) -> Int {
        let local = ukCivilMinutes(utcMinutes: utcMinutes)
        return local >= 0 ? local / 1440 : (local - 1439) / 1440
    }

    /// UK civil time, in minutes since 1970-01-01T00:00 local, of an instant in minutes since 1970-01-01T00:00Z.
    public static func ukCivilMinutes(utcMinutes: Int) -> Int {
        let utcDay = utcMinutes >= 0 ? utcMinutes / 1440 : (utcMinutes - 1439) / 1440
        let year = CivilDate.civil(days: utcDay).year
        func lastSunday(_ month: Int) -> Int {
            let last = CivilDate.days(year: year, month: month, day: 31)
            let weekday = ((last % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday; 0 = Sunday
            return last - weekday
        }
        let start = lastSunday(3) * 1440 + 60, end = lastSunday(10) * 1440 + 60
        return utcMinutes + ((utcMinutes >= start && utcMinutes < end) ? 60 : 0)
    }
}

/// How a day-first or month-first date (`05/01/2022`) is read: it cannot be told from the text, so it is never
/// guessed (`--date-format`, project files `columns: date_format:`). Year-first layouts need no option.
public enum DateOrder: String, Sendable, Codable, CaseIterable, Equatable {
    /// Year-first layouts only; a `NN/NN/YYYY` date stops the read with an error asking for the order.
    case auto
    /// `DD/MM/YYYY` (British, and Excel in UK locales).
    case dayFirst = "DD/MM/YYYY"
    /// `MM/DD/YYYY` (US).
    case monthFirst = "MM/DD/YYYY"

    /// `DD/MM/YYYY`, `MM/DD/YYYY` or `auto`, ignoring case.
    public init?(text: String) {
        guard let v = DateOrder.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = v
    }
}

/// A date read from an incident row: the day (days since 1970-01-01), whether only the month was given, and the
/// minute of the day (0…1439) or -1 when the row gives no time.
public struct DateValue: Sendable, Equatable {
    public var day: Int
    public var isMonth: Bool
    public var minute: Int
    public init(day: Int, isMonth: Bool, minute: Int) { self.day = day; self.isMonth = isMonth; self.minute = minute }
}

/// What a date field held.
public enum DateReading: Sendable, Equatable {
    case date(DateValue)
    /// Not a date in any layout understood (or out of range).
    case bad
    /// `NN/NN/YYYY` read without a `DateOrder`: day-first or month-first cannot be told.
    case ambiguous
}

extension DateParser {
    /// Reads an incident's date field, allocation-free. Year-first layouts are recognised without options:
    /// `YYYY-MM` (a month), `YYYY-MM-DD`, `YYYY/MM/DD` (also `YYYY/M/D`), each optionally followed by `T` or a space
    /// and `hh:mm[:ss[.fff]]`, and for `-` dates an offset `Z` or `±hh[:mm]` (converted to UK civil time as in
    /// `parse`). `DD/MM/YYYY` or `MM/DD/YYYY` (separator `/`, `-` or `.`, one- or two-digit day and month, an
    /// optional ` hh:mm[:ss]`) needs `order`; without it the reading is `.ambiguous`.
    public static func read(_ b: UnsafeBufferPointer<UInt8>, order: DateOrder) -> DateReading {
        var n = b.count, s = 0
        while s < n && b[s] == 32 { s += 1 }
        while n > s && b[n - 1] == 32 { n -= 1 }
        // Digits at i (1…maxLen of them): the value and the index after them.
        func digits(_ i: Int, _ minLen: Int, _ maxLen: Int) -> (Int, Int)? {
            var v = 0, k = i
            while k < n && k - i < maxLen, b[k] >= 48 && b[k] <= 57 { v = v * 10 + Int(b[k] - 48); k += 1 }
            return k - i >= minLen ? (v, k) : nil
        }
        guard let (first, a) = digits(s, 1, 4), a < n else { return .bad }
        let sep = b[a]
        guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") else { return .bad }
        if a - s == 4 {
            // Year first. `-` dates keep their exact ISO 8601 reading (police.uk months, stop and search times).
            if sep == UInt8(ascii: "-") { return iso(UnsafeBufferPointer(rebasing: b[s..<n])) }
            guard sep == UInt8(ascii: "/"), let (m, c) = digits(a + 1, 1, 2), c < n, b[c] == sep,
                  let (d, e) = digits(c + 1, 1, 2) else { return .bad }
            return civil(year: first, month: m, day: d, timeFrom: e, b, n)
        }
        guard a - s <= 2, let (second, c) = digits(a + 1, 1, 2), c < n, b[c] == sep,
              let (year, e) = digits(c + 1, 4, 4) else { return .bad }
        switch order {
        case .auto: return .ambiguous
        case .dayFirst: return civil(year: year, month: second, day: first, timeFrom: e, b, n)
        case .monthFirst: return civil(year: year, month: first, day: second, timeFrom: e, b, n)
        }
    }

    /// The date `year-month-day` with the time of day that may follow at `i` (`T` or space, then `hh:mm[:ss[.fff]]`).
    static func civil(year: Int, month: Int, day: Int, timeFrom i: Int, _ b: UnsafeBufferPointer<UInt8>, _ n: Int) -> DateReading {
        guard years.contains(year), (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return .bad }
        let d = CivilDate.days(year: year, month: month, day: day)
        if i == n { return .date(DateValue(day: d, isMonth: false, minute: -1)) }
        guard b[i] == UInt8(ascii: "T") || b[i] == 32 else { return .bad }
        var t = i + 1
        while t < n && b[t] == 32 { t += 1 }
        guard let minute = timeOfDay(UnsafeBufferPointer(rebasing: b[t..<n])) else { return .bad }
        return .date(DateValue(day: d, isMonth: false, minute: minute))
    }

    /// A time of day `h:mm`, `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fff` (surrounding spaces ignored) as the minute of the
    /// day (seconds dropped), 0…1439; nil when it is not one.
    public static func timeOfDay(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var n = b.count, s = 0
        while s < n && b[s] == 32 { s += 1 }
        while n > s && b[n - 1] == 32 { n -= 1 }
        func digit(_ i: Int) -> Int? { i < n && b[i] >= 48 && b[i] <= 57 ? Int(b[i] - 48) : nil }
        guard let h0 = digit(s) else { return nil }
        var i = s + 1, h = h0
        if let h1 = digit(i) { h = h0 * 10 + h1; i += 1 }
        guard h < 24, i < n, b[i] == UInt8(ascii: ":"), let m0 = digit(i + 1), let m1 = digit(i + 2) else { return nil }
        let m = m0 * 10 + m1
        guard m < 60 else { return nil }
        i += 3
        if i < n {
            guard b[i] == UInt8(ascii: ":"), let s0 = digit(i + 1), let s1 = digit(i + 2), s0 * 10 + s1 <= 60 else { return nil }
            i += 3
            if i < n && b[i] == UInt8(ascii: ".") { i += 1; while digit(i) != nil { i += 1 } }
            guard i == n else { return nil }
        }
        return h * 60 + m
    }

    public static func timeOfDay(_ s: String) -> Int? {
        var s = s
        return s.withUTF8 { timeOfDay($0) }
    }

    public static func read(_ s: String, order: DateOrder = .auto) -> DateReading {
        var s = s
        return s.withUTF8 { read($0, order: order) }
    }
}
