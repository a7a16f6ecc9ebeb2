/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after
/// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (days_from_civil / civil_from_days).
public enum CivilDate {
    /// Years accepted for incident dates and periods: earlier or later ones are typing errors (0000-01, 9999-12)
    /// that would otherwise make thousands of empty time steps.
    public static let plausibleYears = 1900...2099

    /// Days since 1970-01-01 of the civil date `year-month-day` (month 1…12).
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number.
    public static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Number of days in a month of the Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Month ordinal `year*12 + (month-1)`: consecutive months differ by one.
    @inlinable public static func monthOrdinal(year: Int, month: Int) -> Int { year * 12 + month - 1 }

    /// `YYYY-MM` label of a month ordinal.
    public static func monthLabel(_ ordinal: Int) -> String {
        let y = ordinal / 12, m = ordinal % 12 + 1
        return "\(y)-\(m < 10 ? "0" : "")\(m)"
    }

    /// `YYYY-MM-DD` label of a day number.
    public static func dayLabel(_ days: Int) -> String {
        let (y, m, d) = civil(days: days)
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// Month ordinal of a day number.
    /// The Monday starting ISO 8601 week `week` of `year` (week 1 holds 4 January), or nil when the year has no
    /// such week.
    public static func isoWeekStart(year: Int, week: Int) -> Int? {
        let jan4 = days(year: year, month: 1, day: 4)
        let monday1 = jan4 - ((jan4 % 7 + 7 + 3) % 7)  // 1970-01-01 was a Thursday
        guard week >= 1, week <= 53 else { return nil }
        let d = monday1 + (week - 1) * 7
        return isoWeek(ofDay: d).year == year ? d : nil
    }

    /// The ISO 8601 week-numbering year and week of a day.
    public static func isoWeek(ofDay d: Int) -> (year: Int, week: Int) {
        let monday = d - ((d % 7 + 7 + 3) % 7)
        let thursday = monday + 3
        let y = civil(days: thursday).year
        return (y, (thursday - days(year: y, month: 1, day: 1)) / 7 + 1)
    }

    /// `2026-W47`, the label of the ISO week holding day `d`.
    public static func isoWeekLabel(ofDay d: Int) -> String {
        let w = isoWeek(ofDay: d)
        return "\(w.year)-W" + (w.week < 10 ? "0" : "") + "\(w.week)"
    }

    /// Parses `2026-W47` to the Monday starting it.
    public static func parseISOWeek(_ s: String) -> Int? {
        let p = s.uppercased().split(separator: "-")
        guard p.count == 2, p[1].hasPrefix("W"), let y = Int(p[0]), plausibleYears.contains(y), let w = Int(p[1].dropFirst()) else { return nil }
        return isoWeekStart(year: y, week: w)
    }

    public static func monthOrdinal(ofDay days: Int) -> Int {
        let c = civil(days: days)
        return monthOrdinal(year: c.year, month: c.month)
    }
}
