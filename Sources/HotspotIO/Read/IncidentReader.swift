// SHA256 is a plain value type; swift-crypto does not mark it Sendable yet. It is moved between threads, never shared.
@preconcurrency import Crypto
import Foundation
import HotspotCore
import Synchronization

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
        csv (any CSV with --x-col/--y-col [--epsg] or --lon-col/--lat-col, and --date-col [--time-col] [--date-format])
        """
}

/// Which columns of a generic CSV hold what. Column names are matched case-insensitively.
public struct ColumnMapping: Sendable, Codable, Equatable {
    public var x: String?, y: String?
    public var lon: String?, lat: String?
    public var date: String?
    /// A column of times of day (`hh:mm[:ss]`) going with `date`; blank cells leave the time unknown.
    public var time: String?
    /// How `NN/NN/YYYY` dates are read (`--date-format`); year-first layouts need nothing.
    public var dateOrder: DateOrder = .auto
    public var category: String?
    public var id: String?
    public var weight: String?
    /// CRS of x/y (default 27700, British National Grid). lon/lat are always EPSG:4326.
    public var epsg: Int = 27700

    public init(x: String? = nil, y: String? = nil, lon: String? = nil, lat: String? = nil, date: String? = nil,
                category: String? = nil, id: String? = nil, weight: String? = nil, epsg: Int = 27700,
                time: String? = nil, dateOrder: DateOrder = .auto) {
        self.x = x; self.y = y; self.lon = lon; self.lat = lat; self.date = date; self.time = time; self.dateOrder = dateOrder
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
    /// The path exists but is not a readable data file (a folder, a device, a symbolic-link loop, no permission).
    case notAFile(String, String)
    /// The same file (or the same contents) given twice: every incident would be counted twice.
    case sameFile(String, String, String)
    /// The data were read but cannot support the analysis asked for (e.g. too few incidents).
    case unusable(String)
    /// A `NN/NN/YYYY` date with no `--date-format`: day-first and month-first cannot be told apart.
    case ambiguousDate(file: String, line: Int, text: String)
    /// Column options given for a police.uk file, whose columns are read by name: they would be ignored.
    case mappingForFixedFormat(file: String, format: String, options: [String])
    /// Crime types of the incidents that a harm table (`--weights`) lacks, with no `--weights-missing` rule.
    case harmTypesMissing(table: String, missing: [String])

    public var description: String {
        switch self {
        case .missingFile(let f): return "\(f): no such file"
        case let .unreadable(f, why): return "\(f): cannot read (\(why))"
        case .emptyFile(let f): return "\(f): empty file (no header line)"
        case let .badHeader(f, format, missing):
            return "\(f): not a valid \(format) file: missing column(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")). "
                + IncidentFormat.formatsUnderstood
        case let .unknownFormat(f, header):
            return "\(f): cannot tell the format from the header (\(header.prefix(8).map { $0.count > 40 ? $0.prefix(40) + "…" : $0 }.joined(separator: ","))…); "
                + IncidentFormat.formatsUnderstood
        case .mixedCRS(let m): return m
        case let .notAFile(f, why): return "\(f): cannot read it: \(why)"
        case let .sameFile(a, b, why): return "\(b) is the same file as \(a) (\(why)): its incidents would be counted twice; give each file once"
        case .unusable(let m): return m
        case let .ambiguousDate(f, line, text):
            return "\(f): line \(line): the date '\(text)' could be day first or month first: give --date-format DD/MM/YYYY or --date-format MM/DD/YYYY (in a project file, columns: date_format: DD/MM/YYYY); hotspot does not guess the order"
        case let .harmTypesMissing(table, missing):
            return "\(table) has no weight for \(missing.count == 1 ? "1 crime type" : "\(missing.count) crime types") of the incidents analysed: \(missing.joined(separator: "; ")); add \(missing.count == 1 ? "it" : "them") to the table, or give --weights-missing zero (they add no harm) or --weights-missing one (each incident weighs 1)"
        case let .mappingForFixedFormat(f, format, options):
            return "\(f): a \(format) file, whose columns are read by their names: \(options.joined(separator: ", ")) would be ignored; drop \(options.count == 1 ? "it" : "them") (only --weight-col applies to it), or give --format csv to map every column yourself"
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
    /// A row longer than this is refused as an unbalanced quote or a file without line breaks (64 MiB).
    public var maxRecordBytes = 64 << 20
    /// Which accepted incidents an analysis uses (`--type`, `--from`, `--to`); the rest are counted as not selected.
    public var selection = Selection()
    /// Use the incident store (`IncidentStore`): reuse the columns of an earlier read of the same files, and keep
    /// this read's for the next command. `--no-store` turns it off; it never changes a result.
    public var useStore = true
    /// A harm table (`--weights FILE.csv`, `HarmWeights`): each incident then weighs its crime type's weight,
    /// applied after reading (`Pipeline.loadIncidents`), so the incident store never holds it.
    public var harmWeights: String?
    /// What incidents of a type the harm table lacks weigh (`--weights-missing`; default: the run stops).
    public var harmMissing: HarmWeights.MissingRule = .stop
    /// The store's folder; nil for `IncidentStore.defaultDirectory()`.
    public var storeDirectory: String?
    /// The store this read uses, or nil when it is off.
    public var store: IncidentStore? {
        guard useStore else { return nil }
        return storeDirectory.map { IncidentStore(directory: $0) } ?? IncidentStore.default
    }
    public init() {}
}

/// The incidents an analysis is about: crime types (police.uk types, or the mapped category column; matched
/// ignoring case) and a date range (days since 1970-01-01, inclusive). Rows outside it are valid, so they are not
/// quarantined: they are counted in `metadata.json` as not selected.
public struct Selection: Sendable, Equatable {
    public var types: [String] = []
    public var from: Int?
    public var to: Int?
    public init(types: [String] = [], from: Int? = nil, to: Int? = nil) { self.types = types; self.from = from; self.to = to }
    public var isEmpty: Bool { types.isEmpty && from == nil && to == nil }
}

/// Streams incident CSVs block by block (never holding a file whole), validating every row.
public enum IncidentReader {

    public static func read(files: [String], options: ReadOptions = ReadOptions()) throws -> ReadResult {
        var table: IncidentTable?
        var quarantine: [QuarantineEntry] = []
        var summaries: [FileSummary] = []
        guard files.count <= Int(UInt16.max) else {
            throw InputError.unusable("\(files.count) input files: at most \(UInt16.max) can be read in one run; concatenate them first")
        }
        try checkDistinct(files)
        var digests: [String: String] = [:]
        for (k, path) in files.enumerated() {
            var (t, q, s) = try readFile(path, fileIndex: UInt16(k), options: options)
            // Files with the same rows would count them twice; files of a header alone (an empty force-month) are
            // alike without counting anything twice.
            if t.count + q.count > 0 {
                if let first = digests[s.sha256] { throw InputError.sameFile(first, path, "identical contents, SHA-256 \(s.sha256.prefix(12))…") }
                digests[s.sha256] = path
            }
            quarantine += q
            summaries.append(s)
            if table == nil {
                table = t
                // Room for every file's rows at this file's bytes per row: no regrowth (and no second copy of
                // the columns) as the later files are appended.
                if files.count > 1, s.bytes > 0 {
                    let rest = files.dropFirst().reduce(0) { $0 + InputFile.size($1) }
                    table!.reserveCapacity(t.count + Int(Double(rest) * Double(t.count + q.count) / Double(s.bytes) * 1.05))
                }
            } else {
                guard table!.epsg == t.epsg else {
                    throw InputError.mixedCRS("\(path): coordinates are EPSG:\(t.epsg) but earlier files are EPSG:\(table!.epsg); read them separately")
                }
                t.sourceFile = t.sourceFile.map { _ in UInt16(k) }
                guard table!.append(contentsOf: t) else {
                    throw InputError.unusable("\(path): with the earlier files, more than \(IncidentTable.maxCategories) distinct categories: is --category-col the right column?")
                }
            }
        }
        return ReadResult(table: table ?? IncidentTable(epsg: 4326, resolution: .month), quarantine: quarantine, files: summaries)
    }

    /// Checks that every input can be read and that no file is named twice (or under two names).
    public static func checkDistinct(_ files: [String]) throws {
        var identities: [InputFile.Identity: String] = [:]
        for path in files {
            let id = try InputFile.check(path, incidents: true)
            if let first = identities[id] { throw InputError.sameFile(first, path, first == path ? "named twice" : "the same file under two names") }
            identities[id] = path
        }
    }

    /// The format `auto` resolves to for a plain (not gzipped) file, from its header line; nil when it cannot be
    /// told (the read then reports why).
    public static func detectFormat(_ path: String, options: ReadOptions) -> IncidentFormat? {
        var first: Data?
        if ArchiveInput.member(path) != nil { first = try? ArchiveInput.source(path).next(1 << 16).data } else {
            guard !path.hasSuffix(".gz"), let fh = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? fh.close() }
            first = try? fh.read(upToCount: 1 << 16)
        }
        guard var head = first, let nl = head.firstIndex(of: 10) else { return nil }
        head = head[head.startIndex..<nl]
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = head.dropFirst(3) }
        var names: [String] = []
        var sc = CSVScanner()
        Array(head).withUnsafeBufferPointer { b in
            sc.scan(b, final: true) { rec in if names.isEmpty { names = (0..<rec.count).map { rec.string($0) ?? "" } } }
        }
        return (try? layout(header: names, path: path, options: options))?.format
    }

    struct Layout {
        var format: IncidentFormat
        var fields: Int
        var xCol: Int, yCol: Int  // lon/x and lat/y
        var isLonLat: Bool
        var epsg: Int
        var dateCol: Int
        var timeCol: Int? = nil
        var dateOrder: DateOrder = .auto
        var categoryCol: Int?
        var idCol: Int?
        var weightCol: Int?
        /// police.uk's `LSOA code` column: each row's code is counted by kind per month (`DataVintage.CodeCounts`).
        var lsoaCol: Int? = nil
    }

    /// A police.uk file's `--weight-col` when the file has no such column.
    static func weightMissing(_ options: ReadOptions, _ col: (String) -> Int?) -> [String] {
        options.mapping.weight.flatMap { col($0) == nil ? [$0] : nil } ?? []
    }

    /// Column options a police.uk file would ignore (its columns are read by name): refused, never silently dropped
    /// (issue 21: `--weight-col` and `--x-col` on a police.uk file changed nothing, without a word).
    static func refuseMapping(_ options: ReadOptions, path: String, format: String) throws {
        let m = options.mapping
        let given: [(String, Bool)] = [("--x-col", m.x != nil), ("--y-col", m.y != nil), ("--lon-col", m.lon != nil), ("--lat-col", m.lat != nil),
                                       ("--date-col", m.date != nil), ("--time-col", m.time != nil), ("--date-format", m.dateOrder != .auto),
                                       ("--category-col", m.category != nil), ("--id-col", m.id != nil), ("--epsg", m.epsg != 27700)]
        let ignored = given.filter(\.1).map(\.0)
        guard ignored.isEmpty else { throw InputError.mappingForFixedFormat(file: path, format: format, options: ignored) }
    }

    static func layout(header: [String], path: String, options: ReadOptions) throws -> Layout {
        // One header field holding semicolons or tabs: another separator than the comma, which no column can be
        // found in; said as such rather than as missing columns.
        if header.count == 1, let sep = [(";", "semicolon"), ("\t", "tab")].first(where: { header[0].contains($0.0) }) {
            throw InputError.unreadable(path, "the header is one field holding \(sep.1)s: the file is \(sep.1)-separated (Excel's CSV in some locales); save it as comma-separated CSV (in Excel: CSV UTF-8 (Comma delimited))")
        }
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
            let missing = IncidentFormat.policeRequired.filter { col($0) == nil } + weightMissing(options, col)
            guard missing.isEmpty else { throw InputError.badHeader(file: path, format: "police.uk street-level", missing: missing) }
            try refuseMapping(options, path: path, format: "police.uk street-level")
            return Layout(format: .policeuk, fields: header.count, xCol: col("Longitude")!, yCol: col("Latitude")!,
                          isLonLat: true, epsg: 4326, dateCol: col("Month")!, categoryCol: col("Crime type"),
                          idCol: col("Crime ID"), weightCol: options.mapping.weight.flatMap(col), lsoaCol: col("LSOA code"))
        case .stopsearch:
            let missing = IncidentFormat.stopRequired.filter { col($0) == nil } + weightMissing(options, col)
            guard missing.isEmpty else { throw InputError.badHeader(file: path, format: "police.uk stop-and-search", missing: missing) }
            try refuseMapping(options, path: path, format: "police.uk stop-and-search")
            return Layout(format: .stopsearch, fields: header.count, xCol: col("Longitude")!, yCol: col("Latitude")!,
                          isLonLat: true, epsg: 4326, dateCol: col("Date")!,
                          categoryCol: col("Object of search") ?? col("Type"), idCol: nil, weightCol: options.mapping.weight.flatMap(col))
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
            for n in [xName, yName, dName] + [m.time, m.category, m.id, m.weight].compactMap({ $0 }) where col(n) == nil { missing.append(n) }
            guard missing.isEmpty else { throw InputError.badHeader(file: path, format: "mapped CSV", missing: missing) }
            return Layout(format: .csv, fields: header.count, xCol: col(xName)!, yCol: col(yName)!, isLonLat: lonLat,
                          epsg: lonLat ? 4326 : m.epsg, dateCol: col(dName)!, timeCol: m.time.flatMap(col), dateOrder: m.dateOrder,
                          categoryCol: m.category.flatMap(col),
                          idCol: m.id.flatMap(col), weightCol: m.weight.flatMap(col))
        }
    }

    /// One worker's share of a block: candidate rows (before duplicate handling) and rejected rows.
    struct Segment: Sendable {
        var x: [Double] = [], y: [Double] = [], day: [Int32] = [], weight: [Double] = []
        /// Minute of the day, -1 unknown (kept only when `anyTime`).
        var minute: [Int16] = []
        var anyTime = false
        /// The first `NN/NN/YYYY` date met without a date order: its line and text (the merge refuses the file).
        var ambiguousDate: (line: Int, text: String)?
        var category: [UInt16] = []          // index into `categories` (local to the segment)
        var categories: [[UInt8]] = []
        var line: [UInt32] = []
        var hash: [UInt64] = []              // 0: no id, never a duplicate
        /// Rows with an id (a non-zero hash).
        var hashed = 0
        var start: [Int] = [], end: [Int] = []  // byte range of the row in the block (for a dropped duplicate's text)
        var quarantine: [QuarantineEntry] = []
        var anyDay = false
        /// More distinct categories than a table can hold: the row that overflowed was skipped, and the merge refuses the file.
        var tooManyCategories = false
        /// Physical lines consumed (line numbers above are relative: the segment's first line is 1).
        var lines = 0
        /// LSOA codes of the rows read, by month ordinal (police.uk street files only).
        var lsoa: [Int: DataVintage.CodeCounts] = [:]
        var lsoaDay = Int.min, lsoaMonth = Int.min, lsoaCounts = DataVintage.CodeCounts()

        /// Counts the LSOA code of a row of day `day` (rows of one month run together: one lookup per run).
        mutating func countLSOA(_ code: UnsafeBufferPointer<UInt8>, day: Int) {
            if day != lsoaDay {
                lsoaDay = day
                let m = CivilDate.monthOrdinal(ofDay: day)
                if m != lsoaMonth { flushLSOA(); lsoaMonth = m; lsoaCounts = lsoa[m] ?? DataVintage.CodeCounts() }
            }
            lsoaCounts.add(code)
        }

        mutating func flushLSOA() { if lsoaMonth != Int.min { lsoa[lsoaMonth] = lsoaCounts } }

        /// The index in `categories` of the category `raw`, added when new (`catIndex`: hash → candidate indices);
        /// nil when a new one would pass `IncidentTable.maxCategories`.
        @inline(__always)
        mutating func categoryIndex(_ raw: UnsafeBufferPointer<UInt8>, catIndex: inout [UInt64: [Int]]) -> Int? {
            // A few categories in the first rows: looked at one by one (no dictionary hashing per row).
            for (k, c) in categories.prefix(16).enumerated() where c.count == raw.count {
                if raw.count == 0 || c.withUnsafeBufferPointer({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }) { return k }
            }
            let h = Bytes.hash(raw)
            if let cands = catIndex[h], let k = cands.first(where: { c in
                categories[c].count == raw.count && categories[c].withUnsafeBufferPointer { memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
            }) { return k }
            guard categories.count < IncidentTable.maxCategories else { return nil }
            let cat = categories.count; categories.append(Array(raw)); catIndex[h, default: []].append(cat)
            return cat
        }
    }

    /// A row's date reading, the previous row's when its bytes are the same (rows run in date order: most are).
    struct DateMemo {
        var last: DateReading?
        var bytes: [UInt8] = []

        mutating func read(_ b: UnsafeBufferPointer<UInt8>, layout L: Layout) -> DateReading {
            if let last, b.count > 0, b.count == bytes.count,
               bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 }) { return last }
            // police.uk and stop-and-search files keep their own layouts (YYYY-MM, ISO 8601), read exactly as
            // before; a mapped CSV takes the dated layouts of councils and forces.
            let reading = L.format == .csv ? DateParser.read(b, order: L.dateOrder) : DateParser.iso(b)
            last = reading
            bytes.removeAll(keepingCapacity: true); bytes.append(contentsOf: b)
            return reading
        }
    }

    /// Parses whole records in `b[range]` (which starts at a record boundary and ends after one).
    static func parseSegment(_ b: UnsafeBufferPointer<UInt8>, range: Range<Int>, layout L: Layout,
                             path: String, weighted: Bool) -> Segment {
        var seg = Segment()
        var catIndex: [UInt64: [Int]] = [:]
        var scanner = CSVScanner(firstLine: 1)
        let base = b.baseAddress!
        var dates = DateMemo()
        func reject(_ rec: CSVRecord, _ reason: QuarantineReason, _ detail: String) {
            seg.quarantine.append(QuarantineEntry(file: path, line: rec.line, reason: reason, detail: detail,
                                                  raw: String(decoding: rec.bytes, as: UTF8.self)))
        }
        scanner.scan(UnsafeBufferPointer(rebasing: b[range]), final: true) { rec in
            if rec.unterminatedQuote {
                return reject(rec, .unbalancedQuote, unbalancedQuoteDetail(line: rec.line, span: rec.lineSpan))
            }
            guard rec.isValidUTF8 else { return reject(rec, .invalidUTF8, "row is not valid UTF-8") }
            guard rec.count == L.fields else {
                return reject(rec, .wrongFieldCount, "\(rec.count) fields, header has \(L.fields)")
            }
            if rec.isEmpty(L.xCol) || rec.isEmpty(L.yCol) { return reject(rec, .missingCoordinate, "no coordinates") }
            guard let x = rec.double(L.xCol), let y = rec.double(L.yCol) else {
                return reject(rec, .unparsableCoordinate, "cannot read '\(rec.string(L.xCol) ?? "")', '\(rec.string(L.yCol) ?? "")' as numbers")
            }
            if L.isLonLat && !(x >= -180 && x <= 180 && y >= -90 && y <= 90) {
                return reject(rec, .coordinateOutOfRange, "longitude \(x), latitude \(y)")
            }
            if !L.isLonLat && !(abs(x) <= 1e8 && abs(y) <= 1e8) {
                return reject(rec, .projectedOutOfRange, "x \(x), y \(y): beyond ±100,000 km in EPSG:\(L.epsg)")
            }
            let date: DateValue
            switch dates.read(rec.raw(L.dateCol), layout: L) {
            case .date(let v): date = v
            case .ambiguous:
                if seg.ambiguousDate == nil { seg.ambiguousDate = (rec.line, rec.string(L.dateCol) ?? "") }
                return
            case .bad:
                let layouts = L.format != .csv ? "YYYY-MM, YYYY-MM-DD or ISO 8601"
                    : L.dateOrder == .auto ? "YYYY-MM, YYYY-MM-DD, YYYY/MM/DD or ISO 8601" : L.dateOrder.rawValue
                return reject(rec, .badDate, "cannot read '\(rec.string(L.dateCol) ?? "")' as a date: \(layouts), years \(DateParser.years.lowerBound)–\(DateParser.years.upperBound)")
            }
            var minute = date.minute
            if let tc = L.timeCol, !rec.isEmpty(tc) {
                guard let m = DateParser.timeOfDay(rec.raw(tc)) else {
                    return reject(rec, .badDate, "cannot read the time '\(rec.string(tc) ?? "")' as hh:mm or hh:mm:ss")
                }
                minute = m
            }
            var w = 1.0
            if let wc = L.weightCol {
                guard let v = rec.double(wc), v >= 0 else {
                    return reject(rec, .badWeight, "weight '\(rec.string(wc) ?? "")' is not a non-negative decimal number")
                }
                w = v
            }
            var cat = 0
            if let cc = L.categoryCol {
                guard let k = seg.categoryIndex(rec.raw(cc), catIndex: &catIndex) else { seg.tooManyCategories = true; return }
                cat = k
            }
            // A duplicate must carry an id (README): formats without an id column never have duplicates.
            let hasID = L.idCol.map { !rec.isEmpty($0) } ?? false
            seg.x.append(x); seg.y.append(y); seg.day.append(Int32(date.day)); seg.category.append(UInt16(cat))
            if weighted { seg.weight.append(w) }
            seg.line.append(UInt32(rec.line))
            seg.hash.append(hasID ? Bytes.hash(rec.bytes) : 0)
            if hasID { seg.hashed += 1 }
            let s = rec.bytes.baseAddress.map { $0 - base } ?? 0
            seg.start.append(s); seg.end.append(s + rec.bytes.count)
            if !date.isMonth { seg.anyDay = true }
            if let lc = L.lsoaCol { seg.countLSOA(rec.raw(lc), day: date.day) }
            seg.minute.append(Int16(minute))
            if minute >= 0 { seg.anyTime = true }
        }
        seg.lines = scanner.linesConsumed
        seg.flushLSOA()
        return seg
    }

    /// Where a buffer of whole records can be cut: after newlines outside quotes, near `parts` equal shares.
    /// (Quotes toggle "inside a field" per RFC 4180, so a newline with an even number of quotes before it ends a record.)
    static func cutPoints(_ b: UnsafeBufferPointer<UInt8>, parts: Int) -> [Int] {
        guard parts > 1, b.count > 1 << 16 else { return [0, b.count] }
        var cuts = [0]
        var quotes = 0, i = 0
        for k in 1..<parts {
            let target = b.count * k / parts
            guard target > i else { continue }
            quotes += Bytes.count(b, UInt8(ascii: "\""), from: i, to: target)
            i = target
            while let nl = Bytes.find(b, UInt8(ascii: "\n"), from: i, to: b.count) {
                quotes += Bytes.count(b, UInt8(ascii: "\""), from: i, to: nl)
                i = nl + 1
                if quotes % 2 == 0 { break }
            }
            if i < b.count && i > cuts.last! { cuts.append(i) } else { break }
        }
        cuts.append(b.count)
        return cuts
    }

    /// End of the last complete record in `b` (after its newline, outside quotes); 0 if none.
    static func lastRecordEnd(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var end = b.count
        guard var nl = Bytes.findLast(b, UInt8(ascii: "\n"), to: end) else { return 0 }
        var quotes = Bytes.count(b, UInt8(ascii: "\""), from: 0, to: nl)
        while quotes % 2 != 0 {
            end = nl
            guard let prev = Bytes.findLast(b, UInt8(ascii: "\n"), to: end) else { return 0 }
            quotes -= Bytes.count(b, UInt8(ascii: "\""), from: prev, to: nl)
            nl = prev
        }
        return nl + 1
    }

    static func countNewlines(_ b: UnsafeBufferPointer<UInt8>) -> Int { Bytes.count(b, UInt8(ascii: "\n"), from: 0, to: b.count) }

    /// The raw text of the rows of `path` that start on `lines` (physical line numbers), by streaming the file
    /// again: the quarantine file carries the row for rows rejected after reading (projection failed, outside the
    /// study area). The file's identity is checked by its SHA-256 elsewhere; here the rows are only looked up.
    public static func rawRows(path: String, lines: Set<Int>) throws -> [Int: String] {
        guard !lines.isEmpty, let fh = FileHandle(forReadingAtPath: path) else { return [:] }
        defer { try? fh.close() }
        var source: any ByteSource = path.hasSuffix(".gz") ? try GzipSource(handle: fh, path: path) : PlainSource(handle: fh)
        var scanner = CSVScanner()
        var out: [Int: String] = [:]
        var crOnly: Bool?
        let last = lines.max()!
        while out.count < lines.count {
            var (data, _) = try source.next(1 << 22)
            if crOnly == nil && !data.isEmpty { crOnly = LineEndings.detect(data) == .crOnly }
            if crOnly == true { data = LineEndings.crToLF(data) }
            let final = data.isEmpty
            var past = false
            data.withUnsafeBytes { raw in
                scanner.scan(raw.bindMemory(to: UInt8.self), final: final) { rec in
                    if lines.contains(rec.line) { out[rec.line] = String(decoding: rec.bytes, as: UTF8.self) }
                    if rec.line > last { past = true }
                }
            }
            if final || past { break }
        }
        return out
    }

    static func unbalancedQuoteDetail(line: Int, span: Int) -> String {
        "a quoted field opened on line \(line) is never closed: lines \(line)–\(line + span) (the end of the file) were read as one row"
    }

    /// A header longer than this is not a CSV header (e.g. `/dev/zero`, a binary file).
    static let maxHeaderBytes = 64 << 10

    enum LineEndings {
        case lf, crOnly
        /// CR-only when the first block holds a CR and no LF at all.
        static func detect(_ d: Data) -> LineEndings {
            d.contains(13) && !d.contains(10) ? .crOnly : .lf
        }
        static func crToLF(_ d: Data) -> Data {
            var out = d
            out.withUnsafeMutableBytes { b in for i in b.indices where b[i] == 13 { b[i] = 10 } }
            return out
        }
    }

    /// Work for one block, run side by side: a segment to parse, the running SHA-256 to update, or the merge of the
    /// previous block (its error, if any).
    enum Job: Sendable { case segment(Segment), hash(SHA256), merged((any Error)?) }

    /// Hashes that repeat an earlier one, over lists that each hold every copy of their hashes (the same count as
    /// inserting them all into one set): each list counted in a set of its own, small enough for the cache.
    static func countRepeats(_ buckets: [[UInt64]]) -> Int {
        let w = Parallel.workers
        return runJobs(w) { k in
            var repeats = 0
            for b in stride(from: k, to: buckets.count, by: w) where !buckets[b].isEmpty {
                var set = HashSet64(capacity: buckets[b].count)
                repeats += set.insertCounting(buckets[b])
            }
            return repeats
        }.reduce(0, +)
    }

    /// Runs `body` for `0..<n`, results in order: on the workers, or on this thread alone with `HOTSPOT_THREADS=1`.
    static func runJobs<T: Sendable>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
        Parallel.workers == 1 ? (0..<n).map(body) : parallelMap(chunks: (0..<n).map { $0..<($0 + 1) }) { body($0.lowerBound) }
    }

    /// Reads one file: its blocks streamed through a `FileRead` (the header, each block parsed, then merged in
    /// order while the next block is parsed, the table sized once), then its table, rejected rows and summary.
    static func readFile(_ path: String, fileIndex: UInt16, options: ReadOptions) throws
        -> (IncidentTable, [QuarantineEntry], FileSummary)
    {
        try InputFile.check(path, incidents: true)
        let total = InputFile.size(path)
        var source: any ByteSource
        let gzip = path.hasSuffix(".gz")
        var handle: FileHandle?
        defer { try? handle?.close() }
        if ArchiveInput.member(path) != nil { source = try ArchiveInput.source(path) } else {
            let fh = try InputFile.open(path)
            handle = fh
            source = gzip ? try GzipSource(handle: fh, path: path) : PlainSource(handle: fh)
        }
        var file = FileRead(path: path, fileIndex: fileIndex, options: options, total: total)
        PhaseProgress.send(.begin(phase: "read \((path as NSString).lastPathComponent)", total: Double(total), unit: "B"))
        defer { PhaseProgress.send(.end) }
        while true {
            let (next, raw) = try source.next(options.blockSize)
            if try file.consume(next, raw: raw) { break }
        }
        return try file.finish(gzip: gzip)
    }

    /// What one file's blocks add up to, merged in file order: the table, the rejected rows, the duplicate set.
    struct Merged: Sendable {
        var table = IncidentTable(epsg: 4326, resolution: .month)
        var quarantine: [QuarantineEntry] = []
        var read = 0, duplicates = 0
        // Sized once the first block shows how long rows are (a guess from the file size alone, at 180 bytes a row,
        // was twice too big for police.uk files: 27 bytes per incident of the peak instead of 13).
        // (`dropDuplicates` only: the first of identical rows is kept, so each row is decided in file order.)
        var seen = HashSet64(capacity: 1024)
        /// Without `dropDuplicates` repeats are only counted: the hashes of the rows with an id, kept by their top
        /// byte in 256 lists (8 bytes a row, appended in order with no random access while reading), their
        /// distinct values counted at the end (`countRepeats`). 5 bytes a row fewer than the set at its 3/4 load.
        var hashBuckets = [[UInt64]](repeating: [], count: 256)
        var anyDay = false
        var categoryCodes: [[UInt8]: UInt16] = [:]
        /// LSOA codes by month ordinal (police.uk street files only).
        var lsoa: [Int: DataVintage.CodeCounts] = [:]
    }

    /// A parsed block waiting for its merge: its segments in file order, and its bytes (a dropped duplicate's text).
    struct Pending: Sendable { var segments: [Segment]; var block: [UInt8] }

    /// The merge state of a file's read, shared with the job that merges one block while the next is parsed: that
    /// job and the reader's own thread, between blocks, take it in turn.
    final class MergeBox: Sendable {
        let state = Mutex(Merged())
    }

    /// One file's read in progress, block by block: the header found, each block's whole records parsed in parallel
    /// (the SHA-256 of the file as stored updated alongside, and the previous block merged in file order at the same
    /// time), the partial record carried to the next block.
    struct FileRead {
        let path: String, fileIndex: UInt16, options: ReadOptions, total: Int
        var hasher = SHA256()
        /// Bytes of the file as stored (gzipped or not) read so far.
        var rawBytes = 0
        var layout: Layout?
        let box = MergeBox()
        /// The last block parsed, merged with the next block's parse (or at the end, or before an error).
        var pending: Pending?
        /// Rows parsed so far (merged or pending), and those with an id: what the table and the duplicates' hashes
        /// are sized from.
        var parsedRows = 0, parsedHashed = 0
        var sized = false
        var carry: [UInt8] = []
        /// Physical line number of the next record.
        var nextLine = 1
        var lineEndings: LineEndings?

        init(path: String, fileIndex: UInt16, options: ReadOptions, total: Int) {
            self.path = path; self.fileIndex = fileIndex; self.options = options; self.total = total
        }

        /// Takes the next block (`next` decoded, `raw` as stored; both empty at the end of the file); true when the
        /// read is over.
        mutating func consume(_ next: Data, raw: Data) throws -> Bool {
            var data = next
            let final = data.isEmpty
            if lineEndings == nil && !data.isEmpty {
                // UTF-16 shows in the header line (a byte-order mark, or a NUL after every ASCII byte); a NUL
                // further on is damage to one row, which the row checks quarantine.
                let headerEnd = data.prefix(4096).firstIndex(of: 10) ?? data.startIndex + min(4096, data.count)
                if let why = InputFile.encodingProblem(data[data.startIndex..<headerEnd]) { throw InputError.unreadable(path, why) }
                lineEndings = LineEndings.detect(data)
            }
            // Old Mac files end lines with CR alone: read them as LF (same length, so offsets and hashes hold).
            if lineEndings == .crOnly { data = LineEndings.crToLF(data) }
            rawBytes += raw.count
            var buffer = carry
            buffer.append(contentsOf: data)
            let L: Layout
            if let known = layout { L = known } else {
                switch try header(&buffer, final: final) {
                case .incomplete: hasher.update(data: raw); carry = buffer; return final
                case .none: hasher.update(data: raw); return true
                case .found(let found): L = found
                }
            }
            let usable = final ? buffer.count : buffer.withUnsafeBufferPointer { lastRecordEnd($0) }
            let block = buffer
            let segments = try parse(block, usable: usable, raw: raw, layout: L)
            pending = Pending(segments: segments, block: block)
            sizeOnce(final: final)
            carry = Array(buffer[usable...])
            if carry.count > options.maxRecordBytes {
                try flushPending()  // an earlier row's error comes first, as when each block was merged at once
                throw InputError.unreadable(path, "line \(nextLine): one row runs on for more than \(Fmt.bytes(options.maxRecordBytes)): a quote (\") opened on or after line \(nextLine) is never closed, or the file has no line breaks")
            }
            if final { try flushPending() }
            PhaseProgress.send(.advance(Double(rawBytes)))
            return final
        }

        /// Merges the block parsed last, if it is not merged yet.
        mutating func flushPending() throws {
            guard let p = pending else { return }
            pending = nil
            guard let L = layout else { return }
            let (path, fileIndex, options) = (self.path, self.fileIndex, self.options)
            try box.state.withLock { m in
                for seg in p.segments { try m.merge(seg, block: p.block, layout: L, path: path, fileIndex: fileIndex, options: options) }
            }
        }

        /// What the bytes so far say of the header line.
        enum Header { case incomplete, none, found(Layout) }

        /// The header: the first record (after a UTF-8 byte-order mark, which is dropped), taken off `buffer`; the
        /// layout, the table's CRS and the next line number follow from it.
        mutating func header(_ buffer: inout [UInt8], final: Bool) throws -> Header {
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { buffer.removeFirst(3) }
            let end = buffer.withUnsafeBufferPointer { b -> Int? in
                var q = 0
                for i in 0..<b.count { if b[i] == UInt8(ascii: "\"") { q += 1 } else if b[i] == UInt8(ascii: "\n") && q % 2 == 0 { return i + 1 } }
                return final ? b.count : nil
            }
            guard let end else {
                guard buffer.count <= maxHeaderBytes else {
                    throw InputError.unreadable(path, "no line break in the first \(maxHeaderBytes >> 10) KiB: not a CSV file with a header line")
                }
                return .incomplete
            }
            guard end <= maxHeaderBytes else {
                throw InputError.unreadable(path, "the header line is longer than \(maxHeaderBytes >> 10) KiB: not a CSV file with a header line")
            }
            var names: [String] = []
            var sc = CSVScanner()
            buffer.withUnsafeBufferPointer { b in
                sc.scan(UnsafeBufferPointer(rebasing: b[0..<end]), final: true) { rec in
                    if names.isEmpty { names = (0..<rec.count).map { rec.string($0) ?? "" } }
                }
            }
            guard !names.isEmpty else { return .none }
            let lines = buffer.withUnsafeBufferPointer { countNewlines(UnsafeBufferPointer(rebasing: $0[0..<end])) }
            let found = try IncidentReader.layout(header: names, path: path, options: options)
            layout = found
            box.state.withLock { $0.table = IncidentTable(epsg: found.epsg, resolution: .month) }
            nextLine = 1 + max(1, lines)
            buffer.removeFirst(end)
            return .found(found)
        }

        /// The whole records of `block[..<usable]` parsed in segments on the workers while the SHA-256 takes in
        /// `raw` and the block before is merged; the segments in file order, their line numbers made physical.
        mutating func parse(_ block: [UInt8], usable: Int, raw: Data, layout L: Layout) throws -> [Segment] {
            let (path, fileIndex, options) = (self.path, self.fileIndex, self.options)
            let weighted = L.weightCol != nil
            // Twice as many segments as workers: the hash and the merge take a share of a core too.
            let parts = Parallel.workers == 1 ? 1 : 2 * Parallel.workers
            let cuts = block.withUnsafeBufferPointer { cutPoints(UnsafeBufferPointer(rebasing: $0[0..<usable]), parts: parts) }
            let nseg = cuts.count - 1
            let h0 = hasher
            let box = self.box
            let previous = pending
            pending = nil
            let jobs = runJobs(nseg + 2) { k -> Job in
                switch k {
                case 0:
                    guard let p = previous else { return .merged(nil) }
                    do {
                        try box.state.withLock { m in
                            for seg in p.segments { try m.merge(seg, block: p.block, layout: L, path: path, fileIndex: fileIndex, options: options) }
                        }
                        return .merged(nil)
                    } catch { return .merged(error) }
                case 1: var h = h0; h.update(data: raw); return .hash(h)
                default:
                    return .segment(block.withUnsafeBufferPointer { b in
                        parseSegment(b, range: cuts[k - 2]..<cuts[k - 1], layout: L, path: path, weighted: weighted)
                    })
                }
            }
            var segments: [Segment] = []
            for j in jobs {
                switch j {
                case .merged(let error): if let error { throw error }
                case .hash(let h): hasher = h
                case .segment(var s):
                    // Relative line numbers → physical line numbers in the file.
                    let offset = UInt32(nextLine - 1)
                    for i in s.line.indices { s.line[i] += offset }
                    if let a = s.ambiguousDate { s.ambiguousDate = (a.line + Int(offset), a.text) }
                    for i in s.quarantine.indices {
                        s.quarantine[i].line += Int(offset)
                        if s.quarantine[i].reason == .unbalancedQuote {
                            let q = s.quarantine[i]
                            s.quarantine[i].detail = unbalancedQuoteDetail(line: q.line, span: q.raw.utf8.count { $0 == 10 })
                        }
                    }
                    nextLine += s.lines
                    parsedRows += s.x.count + s.quarantine.count
                    parsedHashed += s.hashed
                    segments.append(s)
                }
            }
            return segments
        }

        /// Sizes the duplicate set and the table once, when the first 16 MB (or the whole file) have been read.
        mutating func sizeOnce(final: Bool) {
            guard !sized && parsedRows > 0 && (rawBytes >= 16 << 20 || final) else { return }
            // Rows in the whole file, from the bytes per row of its first 16 MB (of the file as stored, so gzip
            // too). No margin for the duplicate set: one past a power of two doubles it (128 MB more at 10
            // million rows), and a set that must grow later only costs a rehash.
            sized = true
            let perByte = Double(total) / Double(max(1, rawBytes))
            let rows = Int(Double(parsedRows) * perByte) + 1024
            let hashed = Int(Double(parsedHashed) * perByte)
            let dropDuplicates = options.dropDuplicates
            box.state.withLock { m in
                if dropDuplicates { m.seen.reserve(rows) } else {
                    // Top bytes of hashes spread evenly: 256ths of the estimate, 5 % over, so that no list grows.
                    let each = hashed / 256 + hashed / 5120 + 64
                    for k in m.hashBuckets.indices { m.hashBuckets[k].reserveCapacity(each) }
                }
                m.table.reserveCapacity(rows + rows / 20)
            }
        }

        /// The table (at day resolution when any row had a day), the rejected rows and the file's summary.
        mutating func finish(gzip: Bool) throws -> (IncidentTable, [QuarantineEntry], FileSummary) {
            guard let layout else { throw InputError.emptyFile(path) }
            try flushPending()
            var m = Merged()
            box.state.withLock { swap(&$0, &m) }  // the box lets go of the columns: no copy when they change later
            if !options.dropDuplicates {
                m.duplicates += IncidentReader.countRepeats(m.hashBuckets)
                m.hashBuckets = []
            }
            m.table.resolution = m.anyDay ? .day : .month
            var counts: [String: Int] = [:]
            for q in m.quarantine { counts[q.reason.rawValue, default: 0] += 1 }
            let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            let summary = FileSummary(path: path, sha256: digest, bytes: rawBytes, format: layout.format.rawValue + (gzip ? "+gzip" : ""), read: m.read,
                                      accepted: m.table.count, quarantined: counts, duplicates: m.duplicates,
                                      duplicatesDropped: options.dropDuplicates,
                                      lsoaCodes: layout.lsoaCol == nil ? nil : Dictionary(uniqueKeysWithValues: m.lsoa.map { (CivilDate.monthLabel($0.key), $0.value) }))
            return (m.table, m.quarantine, summary)
        }
    }
}

extension IncidentReader.Merged {
    /// Merges one segment (in file order: duplicates are decided here, so the first occurrence is the one kept):
    /// its categories coded in the table, its rows appended, a dropped duplicate quarantined with its text from
    /// `block`.
    mutating func merge(_ seg: IncidentReader.Segment, block: [UInt8], layout L: IncidentReader.Layout, path: String,
                        fileIndex: UInt16, options: ReadOptions) throws {
        let tooMany = InputError.unusable("\(path): more than \(IncidentTable.maxCategories) distinct categories: is --category-col the right column (a crime type, not an id or a free-text field)?")
        if seg.tooManyCategories { throw tooMany }
        if let (line, text) = seg.ambiguousDate { throw InputError.ambiguousDate(file: path, line: line, text: text) }
        read += seg.x.count + seg.quarantine.count
        quarantine += seg.quarantine
        if seg.anyDay { anyDay = true }
        for (m, c) in seg.lsoa { lsoa[m, default: DataVintage.CodeCounts()].merge(c) }
        let remap = try seg.categories.map { bytes -> UInt16 in
            if let c = categoryCodes[bytes] { return c }
            let name = String(decoding: bytes, as: UTF8.self)
            guard let c = table.categoryCode(name.isEmpty ? "(blank)" : name) else { throw tooMany }
            categoryCodes[bytes] = c
            return c
        }
        let weighted = L.weightCol != nil
        let noCategory = L.categoryCol == nil ? table.categoryCode("(all)")! : 0
        let codes = seg.category.map { L.categoryCol == nil ? noCategory : remap[Int($0)] }
        if !options.dropDuplicates {
            // Count repeats only (at the end, `countRepeats`); the rows all stay, so append the columns in bulk.
            for h in seg.hash where h != 0 { hashBuckets[Int(truncatingIfNeeded: h >> 56)].append(h) }
            table.appendColumns(x: seg.x, y: seg.y, day: seg.day, category: codes,
                                weight: weighted ? seg.weight : nil, file: fileIndex, line: seg.line,
                                minute: seg.anyTime ? seg.minute : nil)
            return
        }
        for i in 0..<seg.x.count {
            if seg.hash[i] != 0 && !seen.insert(seg.hash[i]) {
                duplicates += 1
                quarantine.append(QuarantineEntry(file: path, line: Int(seg.line[i]), reason: .duplicateRow,
                                                  detail: "identical to an earlier row",
                                                  raw: block.withUnsafeBufferPointer { b in
                                                      var e = seg.end[i]
                                                      if e > seg.start[i] && b[e - 1] == 13 { e -= 1 }
                                                      return String(decoding: UnsafeBufferPointer(rebasing: b[seg.start[i]..<e]), as: UTF8.self) }))
                continue
            }
            table.append(x: seg.x[i], y: seg.y[i], day: seg.day[i], category: codes[i],
                         weight: weighted ? seg.weight[i] : 1, file: fileIndex, line: seg.line[i], minute: seg.minute[i])
        }
    }
}
