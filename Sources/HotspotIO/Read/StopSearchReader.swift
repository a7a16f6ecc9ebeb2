import Foundation
import HotspotCore

/// The police.uk stop-and-search layout read for `hotspot stops`: every row (with or without a location), its
/// day (UK civil date of its timestamp, as `DateParser`), longitude/latitude (NaN when blank) and its attributes as
/// columns of small integer codes with their dictionaries (each distinct text once, in order of first sight). Kept
/// apart from `IncidentReader`, whose street-crime path it leaves as it is.
public struct StopSearchTable: Sendable {
    /// The attributes read, in this order: the column's header text in police.uk files.
    public static let attributes = ["Type", "Object of search", "Legislation", "Outcome", "Outcome linked to object of search",
                                    "Age range", "Gender", "Self-defined ethnicity", "Officer-defined ethnicity"]
    public struct Column: Sendable {
        public var name: String
        public var codes: [UInt16] = []
        /// Code → text ("" for a blank cell).
        public var values: [String] = []
        var lookup: [String: UInt16] = [:]
        /// Adds row text `s`; refuses a 65,536th distinct text (codes are 16-bit: no police.uk column comes near).
        mutating func append(_ s: String, file: String) throws {
            if let c = lookup[s] { codes.append(c); return }
            guard values.count < Int(UInt16.max) else {
                throw InputError.unusable("\(file): column '\(name)' holds more than \(UInt16.max) different texts: not a police.uk stop-and-search file")
            }
            let c = UInt16(values.count)
            lookup[s] = c; values.append(s); codes.append(c)
        }
        /// The text of row `i`.
        public func text(_ i: Int) -> String { values[Int(codes[i])] }
    }
    public var lon: [Double] = [], lat: [Double] = []
    /// Day number (days since 1970-01-01); rows whose date cannot be read are not kept (see `unreadableDates`).
    public var day: [Int32] = []
    public var sourceFile: [UInt16] = [], sourceLine: [UInt32] = []
    public var columns: [Column] = StopSearchTable.attributes.map { Column(name: $0) }
    /// Rows read and rows left out because their date could not be read (the incident reader quarantines them too):
    /// `count + unreadableDates == read`.
    public var read = 0, unreadableDates = 0
    /// Rows kept without a location because a coordinate was given but unusable (not a number, latitude outside
    /// ±90° or longitude outside ±180°); they count as searches without a location.
    public var badLocations = 0
    /// The rows left out: file (as given), line and why.
    public var rejected: [(file: String, line: Int, reason: String)] = []
    public var count: Int { day.count }
    public func column(_ name: String) -> Column { columns[StopSearchTable.attributes.firstIndex(of: name)!] }
    public func hasLocation(_ i: Int) -> Bool { lon[i].isFinite && lat[i].isFinite }
}

public enum StopSearchReader {
    /// Reads `files` (plain or `.gz`) whose header holds at least Type, Date, Latitude and Longitude; a missing
    /// attribute column reads as blank.
    public static func read(files: [String]) throws -> StopSearchTable {
        var t = StopSearchTable()
        guard files.count <= Int(UInt16.max) else { throw InputError.unusable("more than \(UInt16.max) stop-and-search files: merge them first") }
        for (fi, path) in files.enumerated() {
            var data = try bytes(path)
            if let why = InputFile.encodingProblem(data.prefix(4096)) { throw InputError.unreadable(path, why) }
            if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
            var header: [String: Int]? = nil
            var cols: [Int?] = [], dateCol = 0, lonCol = 0, latCol = 0
            var scanner = CSVScanner()
            try data.withUnsafeBytes { raw in
                try scanner.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in
                    guard let h = header else {
                        var d: [String: Int] = [:]
                        for i in 0..<rec.count { d[(rec.string(i) ?? "").trimmingCharacters(in: .whitespaces)] = i }
                        guard let dc = d["Date"], let lo = d["Longitude"], let la = d["Latitude"], d["Type"] != nil else {
                            throw InputError.badHeader(file: path, format: "police.uk stop-and-search",
                                                       missing: ["Type", "Date", "Latitude", "Longitude"].filter { d[$0] == nil })
                        }
                        header = d; dateCol = dc; lonCol = lo; latCol = la
                        cols = StopSearchTable.attributes.map { d[$0] }
                        return
                    }
                    _ = h
                    if rec.count == 1 && rec.isEmpty(0) { return }
                    t.read += 1
                    guard dateCol < rec.count, let d = DateParser.parse(rec.raw(dateCol)), let day = Int32(exactly: d.day) else {
                        t.unreadableDates += 1
                        t.rejected.append((path, rec.line, dateCol < rec.count ? "unreadable date '\(String((rec.string(dateCol) ?? "").prefix(40)))'" : "no Date field"))
                        return
                    }
                    t.day.append(day)
                    let (lon, lat) = location(rec, lonCol, latCol)
                    let given = [lonCol, latCol].contains { $0 < rec.count && !rec.isEmpty($0) }
                    if lon.isNaN && given { t.badLocations += 1 }
                    t.lon.append(lon); t.lat.append(lat)
                    t.sourceFile.append(UInt16(fi)); t.sourceLine.append(UInt32(clamping: rec.line))
                    for (k, c) in cols.enumerated() {
                        guard let s = c.map({ $0 < rec.count ? rec.string($0) : "" }) ?? "" else {
                            throw InputError.unreadable(path, "line \(rec.line) is not UTF-8 text (e.g. Windows-1252 or Latin-1); save the file as UTF-8")
                        }
                        try t.columns[k].append(s.trimmingCharacters(in: .whitespaces), file: path)
                    }
                }
            }
        }
        return t
    }

    /// The row's longitude and latitude, both NaN unless both are numbers inside ±180° and ±90°.
    static func location(_ rec: CSVRecord, _ lonCol: Int, _ latCol: Int) -> (Double, Double) {
        guard lonCol < rec.count, latCol < rec.count, let lon = rec.double(lonCol), let lat = rec.double(latCol),
              abs(lon) <= 180, abs(lat) <= 90 else { return (.nan, .nan) }
        return (lon, lat)
    }

    /// The whole file's bytes, decompressed when it ends in `.gz`.
    static func bytes(_ path: String) throws -> Data {
        guard path.hasSuffix(".gz") else { return try InputFile.contents(path) }
        try InputFile.check(path)
        let fh = try InputFile.open(path)
        defer { try? fh.close() }
        let source = try GzipSource(handle: fh, path: path)
        var data = Data()
        while true {
            let chunk = try source.next(1 << 22).data
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return data
    }
}
