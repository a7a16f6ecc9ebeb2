import Crypto
import Foundation
import HotspotCore

/// Incident file formats understood.
public enum IncidentFormat: String, Sendable, Codable, CaseIterable {
    /// Detect from the header.
    case auto
    /// data.police.uk street-level crime CSV.
    case policeuk
    /// data.police.uk stop-and-search CSV (Latitude before Longitude; Date is an ISO 8601 timestamp).
    case stopsearch
    /// Any CSV, with a `ColumnMapping`.
    case csv

    static let policeColumns = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                                "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
    static let policeRequired = ["Month", "Longitude", "Latitude", "Crime type"]
    static let stopRequired = ["Type", "Date", "Latitude", "Longitude"]

    public static let formatsUnderstood = """
        formats understood: policeuk (data.police.uk street-level CSV: \(policeColumns.joined(separator: ","))); \
        stopsearch (data.police.uk stop-and-search CSV: Type,Date,…,Latitude,Longitude,…,Object of search,…); \
        csv (any CSV with --x-col/--y-col [--epsg] or --lon-col/--lat-col, and --date-col)
        """
}

/// Which columns of a generic CSV hold what. Column names are matched case-insensitively.
public struct ColumnMapping: Sendable, Codable, Equatable {
    public var x: String?, y: String?
    public var lon: String?, lat: String?
    public var date: String?
    public var category: String?
    public var id: String?
    public var weight: String?
    /// CRS of x/y (default 27700, British National Grid). lon/lat are always EPSG:4326.
    public var epsg: Int = 27700

    public init(x: String? = nil, y: String? = nil, lon: String? = nil, lat: String? = nil, date: String? = nil,
                category: String? = nil, id: String? = nil, weight: String? = nil, epsg: Int = 27700) {
        self.x = x; self.y = y; self.lon = lon; self.lat = lat; self.date = date
        self.category = category; self.id = id; self.weight = weight; self.epsg = epsg
    }
    public var isEmpty: Bool { x == nil && y == nil && lon == nil && lat == nil && date == nil }
}

public enum InputError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case unreadable(String, String)
    case emptyFile(String)
    case badHeader(file: String, format: String, missing: [String])
    case unknownFormat(file: String, header: [String])
    case mixedCRS(String)
    /// The data were read but cannot support the analysis asked for (e.g. too few incidents).
    case unusable(String)

    public var description: String {
        switch self {
        case .missingFile(let f): return "\(f): no such file"
        case let .unreadable(f, why): return "\(f): cannot read (\(why))"
        case .emptyFile(let f): return "\(f): empty file (no header line)"
        case let .badHeader(f, format, missing):
            return "\(f): not a valid \(format) file: missing column(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")). "
                + IncidentFormat.formatsUnderstood
        case let .unknownFormat(f, header):
            return "\(f): cannot tell the format from the header (\(header.prefix(8).joined(separator: ","))…); "
                + IncidentFormat.formatsUnderstood
        case .mixedCRS(let m): return m
        case .unusable(let m): return m
        }
    }
}

/// The result of reading one or more incident files: accepted rows as a columnar table (in the source CRS:
/// EPSG:4326 for lon/lat, else the mapping's EPSG), every rejected row, and per-file counts.
public struct ReadResult: Sendable {
    public var table: IncidentTable
    public var quarantine: [QuarantineEntry]
    public var files: [FileSummary]
    public var read: Int { files.reduce(0) { $0 + $1.read } }
    public var accepted: Int { table.count }
}

public struct ReadOptions: Sendable {
    public var format: IncidentFormat = .auto
    public var mapping = ColumnMapping()
    /// Drop rows identical to an earlier row (a duplicate must have a non-blank id where the format has one:
    /// anti-social-behaviour rows have no Crime ID and identical ones are distinct incidents).
    public var dropDuplicates = false
    public var blockSize = 1 << 22
    public init() {}
}

/// Streams incident CSVs block by block (never holding a file whole), validating every row.
public enum IncidentReader {
    public typealias Progress = @Sendable (_ file: String, _ bytesRead: Int, _ bytesTotal: Int) -> Void

    public static func read(files: [String], options: ReadOptions = ReadOptions(), progress: Progress? = nil) throws -> ReadResult {
        var table: IncidentTable?
        var quarantine: [QuarantineEntry] = []
        var summaries: [FileSummary] = []
        for (k, path) in files.enumerated() {
            var (t, q, s) = try readFile(path, fileIndex: UInt16(k), options: options, progress: progress)
            quarantine += q
            summaries.append(s)
            if table == nil { table = t } else {
                guard table!.epsg == t.epsg else {
                    throw InputError.mixedCRS("\(path): coordinates are EPSG:\(t.epsg) but earlier files are EPSG:\(table!.epsg); read them separately")
                }
                t.sourceFile = t.sourceFile.map { _ in UInt16(k) }
                table!.append(contentsOf: t)
            }
        }
        return ReadResult(table: table ?? IncidentTable(epsg: 4326, resolution: .month), quarantine: quarantine, files: summaries)
    }

    struct Layout {
        var format: IncidentFormat
        var fields: Int
        var xCol: Int, yCol: Int  // lon/x and lat/y
        var isLonLat: Bool
        var epsg: Int
        var dateCol: Int
        var categoryCol: Int?
        var idCol: Int?
        var weightCol: Int?
    }

    static func layout(header: [String], path: String, options: ReadOptions) throws -> Layout {
        let lower = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func col(_ name: String) -> Int? { lower.firstIndex(of: name.lowercased()) }
        var format = options.format
        if format == .auto {
            if col("Crime type") != nil && col("Month") != nil { format = .policeuk }
            else if col("Object of search") != nil || (col("Type") != nil && col("Date") != nil && col("Latitude") != nil) { format = .stopsearch }
            else if !options.mapping.isEmpty { format = .csv }
            else { throw InputError.unknownFormat(file: path, header: header) }
        }
        switch format {
        case .policeuk:
            let missing = IncidentFormat.policeRequired.filter { col($0) == nil }
            guard missing.isEmpty else { throw InputError.badHeader(file: path, format: "police.uk street-level", missing: missing) }
            return Layout(format: .policeuk, fields: header.count, xCol: col("Longitude")!, yCol: col("Latitude")!,
                          isLonLat: true, epsg: 4326, dateCol: col("Month")!, categoryCol: col("Crime type"),
                          idCol: col("Crime ID"), weightCol: nil)
        case .stopsearch:
            let missing = IncidentFormat.stopRequired.filter { col($0) == nil }
            guard missing.isEmpty else { throw InputError.badHeader(file: path, format: "police.uk stop-and-search", missing: missing) }
            return Layout(format: .stopsearch, fields: header.count, xCol: col("Longitude")!, yCol: col("Latitude")!,
                          isLonLat: true, epsg: 4326, dateCol: col("Date")!,
                          categoryCol: col("Object of search") ?? col("Type"), idCol: nil, weightCol: nil)
        case .csv, .auto:
            let m = options.mapping
            var missing: [String] = []
            let lonLat = m.lon != nil || m.lat != nil
            let xName = lonLat ? m.lon : m.x, yName = lonLat ? m.lat : m.y
            guard let xName, let yName, let dName = m.date else {
                throw InputError.badHeader(file: path, format: "mapped CSV", missing: [
                    m.x == nil && m.lon == nil ? "(give --x-col or --lon-col)" : nil,
                    m.y == nil && m.lat == nil ? "(give --y-col or --lat-col)" : nil,
                    m.date == nil ? "(give --date-col)" : nil].compactMap { $0 })
            }
            for n in [xName, yName, dName] + [m.category, m.id, m.weight].compactMap({ $0 }) where col(n) == nil { missing.append(n) }
            guard missing.isEmpty else { throw InputError.badHeader(file: path, format: "mapped CSV", missing: missing) }
            return Layout(format: .csv, fields: header.count, xCol: col(xName)!, yCol: col(yName)!, isLonLat: lonLat,
                          epsg: lonLat ? 4326 : m.epsg, dateCol: col(dName)!, categoryCol: m.category.flatMap(col),
                          idCol: m.id.flatMap(col), weightCol: m.weight.flatMap(col))
        }
    }

    static func readFile(_ path: String, fileIndex: UInt16, options: ReadOptions, progress: Progress?) throws
        -> (IncidentTable, [QuarantineEntry], FileSummary)
    {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError.missingFile(path) }
        guard let fh = FileHandle(forReadingAtPath: path) else { throw InputError.unreadable(path, "permission denied?") }
        defer { try? fh.close() }
        let total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var hasher = SHA256()
        var scanner = CSVScanner()
        var layout: Layout?
        var table = IncidentTable(epsg: 4326, resolution: .month)
        var quarantine: [QuarantineEntry] = []
        var counts: [String: Int] = [:]
        var read = 0, duplicates = 0, bytes = 0
        var seen = Set<UInt64>()
        var firstBlock = true
        var categoryCache: [[UInt8]: UInt16] = [:]
        var anyDay = false
        var headerError: Error?

        func reject(_ rec: CSVRecord, _ reason: QuarantineReason, _ detail: String) {
            quarantine.append(QuarantineEntry(file: path, line: rec.line, reason: reason, detail: detail,
                                              raw: String(decoding: rec.bytes, as: UTF8.self)))
            counts[reason.rawValue, default: 0] += 1
        }

        func handle(_ rec: CSVRecord) {
            if headerError != nil { return }
            guard let L = layout else {
                // Header line.
                let names = (0..<rec.count).map { rec.string($0) ?? "" }
                do {
                    layout = try self.layout(header: names, path: path, options: options)
                    table = IncidentTable(epsg: layout!.epsg, resolution: .month)
                } catch { headerError = error }
                return
            }
            read += 1
            guard rec.isValidUTF8 else { return reject(rec, .invalidUTF8, "row is not valid UTF-8") }
            guard rec.count == L.fields else {
                return reject(rec, .wrongFieldCount, "\(rec.count) fields, header has \(L.fields)")
            }
            if rec.isEmpty(L.xCol) || rec.isEmpty(L.yCol) {
                return reject(rec, .missingCoordinate, "no coordinates")
            }
            guard let x = rec.double(L.xCol), let y = rec.double(L.yCol) else {
                return reject(rec, .unparsableCoordinate, "cannot read '\(rec.string(L.xCol) ?? "")', '\(rec.string(L.yCol) ?? "")' as numbers")
            }
            if L.isLonLat && !(x >= -180 && x <= 180 && y >= -90 && y <= 90) {
                return reject(rec, .coordinateOutOfRange, "longitude \(x), latitude \(y)")
            }
            guard let date = DateParser.parse(rec.raw(L.dateCol)) else {
                return reject(rec, .badDate, "cannot read '\(rec.string(L.dateCol) ?? "")' as YYYY-MM, YYYY-MM-DD or ISO 8601")
            }
            var w = 1.0
            if let wc = L.weightCol {
                guard let v = rec.double(wc), v >= 0 else {
                    return reject(rec, .unparsableCoordinate, "weight '\(rec.string(wc) ?? "")' is not a non-negative number")
                }
                w = v
            }
            let hasID = L.idCol.map { !rec.isEmpty($0) } ?? true
            if hasID {
                let h = fnv1a(rec.bytes)
                if !seen.insert(h).inserted {
                    duplicates += 1
                    if options.dropDuplicates { return reject(rec, .duplicateRow, "identical to an earlier row") }
                }
            }
            var cat: UInt16 = 0
            if let cc = L.categoryCol {
                let key = Array(rec.raw(cc))
                if let c = categoryCache[key] { cat = c } else {
                    cat = table.categoryCode(rec.string(cc).map { $0.isEmpty ? "(blank)" : $0 } ?? "(blank)")
                    categoryCache[key] = cat
                }
            } else { cat = table.categoryCode("(all)") }
            if !date.isMonth { anyDay = true }
            table.append(x: x, y: y, day: Int32(date.day), category: cat, weight: w, file: fileIndex, line: UInt32(rec.line))
        }

        while true {
            let data = try fh.read(upToCount: options.blockSize) ?? Data()
            let final = data.isEmpty
            hasher.update(data: data)
            bytes += data.count
            data.withUnsafeBytes { raw in
                var buf = raw.bindMemory(to: UInt8.self)
                if firstBlock, buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF {
                    buf = UnsafeBufferPointer(rebasing: buf[3...])  // UTF-8 byte-order mark
                }
                scanner.scan(buf, final: final) { handle($0) }
            }
            firstBlock = false
            if let e = headerError { throw e }
            progress?(path, bytes, total)
            if final { break }
        }
        guard layout != nil else { throw InputError.emptyFile(path) }
        table.resolution = anyDay ? .day : .month
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let summary = FileSummary(path: path, sha256: digest, bytes: bytes, format: layout!.format.rawValue, read: read,
                                  accepted: table.count, quarantined: counts, duplicates: duplicates,
                                  duplicatesDropped: options.dropDuplicates)
        return (table, quarantine, summary)
    }

    /// 64-bit FNV-1a with a final avalanche (used only to spot identical rows).
    static func fnv1a(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 33; h &*= 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }
}
