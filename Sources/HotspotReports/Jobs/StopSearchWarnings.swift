import HotspotIO

extension StopsJob {
    /// What the stop-and-search reader left out or could not place, said per run (`hotspot stops`, the weekly
    /// `stops` layer): rows without a readable date (in no table: the first few by file and line) and rows whose
    /// coordinates are unusable (kept as searches without a location).
    static func readerWarnings(_ t: StopSearchTable) -> [String] {
        var out: [String] = []
        if !t.rejected.isEmpty {
            let first = t.rejected.prefix(3).map { "\($0.file.split(separator: "/").last ?? "") line \($0.line): \($0.reason)" }
            out.append("\(t.rejected.count) stop-and-search row(s) of \(t.read) left out, their date unreadable (e.g. \(first.joined(separator: "; "))); the point reader's quarantine.csv lists them too")
        }
        if t.badLocations > 0 {
            out.append("\(t.badLocations) stop-and-search row(s) with a latitude or longitude that is no number in range (±90°, ±180°): kept as searches without a location")
        }
        return out
    }
}
