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
        mutating func append(_ s: String) {
            if let c = lookup[s] { codes.append(c); return }
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
    /// Rows read and rows left out because their date could not be read (the incident reader quarantines them too).
    public var read = 0, unreadableDates = 0
    public var count: Int { day.count }
    public func column(_ name: String) -> Column { columns[StopSearchTable.attributes.firstIndex(of: name)!] }
    public func hasLocation(_ i: Int) -> Bool { lon[i].isFinite && lat[i].isFinite }
}

public enum StopSearchReader {
    /// Reads `files` (plain or `.gz`) whose header holds at least Type, Date, Latitude and Longitude; a missing
    /// attribute column reads as blank.
    public static func read(files: [String]) throws -> StopSearchTable {
        var t = StopSearchTable()
        for (fi, path) in files.enumerated() {
            var data = try bytes(path)
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
                    guard dateCol < rec.count, let d = DateParser.parse(rec.raw(dateCol)) else { t.unreadableDates += 1; return }
                    t.day.append(Int32(d.day))
                    t.lon.append(lonCol < rec.count ? rec.double(lonCol) ?? .nan : .nan)
                    t.lat.append(latCol < rec.count ? rec.double(latCol) ?? .nan : .nan)
                    t.sourceFile.append(UInt16(fi)); t.sourceLine.append(UInt32(rec.line))
                    for (k, c) in cols.enumerated() {
                        let s = c.flatMap { $0 < rec.count ? rec.string($0) : nil } ?? ""
                        t.columns[k].append(s.trimmingCharacters(in: .whitespaces))
                    }
                }
            }
        }
        return t
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
