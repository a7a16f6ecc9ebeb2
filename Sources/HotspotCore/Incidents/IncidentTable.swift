/// How precisely an incident's time is known. police.uk street data are monthly; stop and search is timestamped.
public enum TimeResolution: String, Sendable, Codable {
    case month, day
}

/// A columnar table of incidents (struct of arrays): hot loops run over contiguous buffers and no object is
/// allocated per incident. Coordinates are in the table's `epsg` (metres for a projected CRS such as 27700;
/// for EPSG:4326, `x` is longitude and `y` latitude in degrees).
///
/// Memory: 8+8 (x, y) + 4 (day) + 2 (category) + 2 (source file) + 4 (line) = 28 bytes per incident, plus 8 when
/// weights are present and 2 when times of day are.
public struct IncidentTable: Sendable {
    public var epsg: Int
    public var x: [Double] = []
    public var y: [Double] = []
    /// Day number (days since 1970-01-01). For monthly data, the first day of the month.
    public var day: [Int32] = []
    /// Index into `categories`.
    public var category: [UInt16] = []
    /// Optional weights (severity, harm); empty when every incident weighs 1.
    public var weight: [Double] = []
    /// Minute of the day (0…1439, local civil time) of each incident, -1 where its row gave no time; empty when no
    /// row of the table had one (monthly police.uk data, dates without times).
    public var minute: [Int16] = []
    /// Index into the list of source files (see the reader's summary).
    public var sourceFile: [UInt16] = []
    /// 1-based line number of the row in its source file (the header is line 1).
    public var sourceLine: [UInt32] = []
    /// Category names, in first-seen order; `category[i]` indexes this list.
    public var categories: [String] = []
    /// Lookup for `categoryCode` (rebuilt when `categories` was set directly).
    private var categoryIndex: [String: UInt16] = [:]
    public var resolution: TimeResolution
    /// Whether `weight` holds harm weights of crime types (`--weights`, a harm table) rather than a weight column:
    /// outputs then name the weighted sums "harm" (`weightedColumn`).
    public var harm = false
    /// The name of the weighted sum's column: `harm` for harm weights, else `weighted_count`.
    public var weightedColumn: String { harm ? "harm" : "weighted_count" }

    public init(epsg: Int, resolution: TimeResolution) {
        self.epsg = epsg
        self.resolution = resolution
    }

    public var count: Int { x.count }
    public var isWeighted: Bool { !weight.isEmpty }
    /// Whether any incident has a time of day (`minute`).
    public var isTimed: Bool { !minute.isEmpty }

    /// Minute of the day of incident `i`, or -1 when unknown.
    @inlinable public func minute(at i: Int) -> Int { minute.isEmpty ? -1 : Int(minute[i]) }

    /// Weight of incident `i` (1 when the table is unweighted).
    @inlinable public func weight(at i: Int) -> Double { weight.isEmpty ? 1 : weight[i] }

    public mutating func reserveCapacity(_ n: Int) {
        x.reserveCapacity(n); y.reserveCapacity(n); day.reserveCapacity(n)
        category.reserveCapacity(n); sourceFile.reserveCapacity(n); sourceLine.reserveCapacity(n)
    }

    /// The most distinct categories a table holds (codes are 16-bit).
    public static let maxCategories = Int(UInt16.max)

    /// Index of `name` in `categories`, adding it when new; nil when the table already holds `maxCategories`.
    public mutating func categoryCode(_ name: String) -> UInt16? {
        if categoryIndex.count != categories.count {
            categoryIndex = Dictionary(categories.enumerated().map { ($1, UInt16($0)) }, uniquingKeysWith: { a, _ in a })
        }
        if let i = categoryIndex[name] { return i }
        guard categories.count < IncidentTable.maxCategories else { return nil }
        categories.append(name)
        categoryIndex[name] = UInt16(categories.count - 1)
        return UInt16(categories.count - 1)
    }

    /// Appends one incident. `weight` is recorded only once any weight differs from 1 (earlier rows are backfilled).
    @inlinable
    public mutating func append(x: Double, y: Double, day: Int32, category: UInt16, weight w: Double = 1,
                                file: UInt16, line: UInt32, minute m: Int16 = -1) {
        if !minute.isEmpty { minute.append(m) } else if m >= 0 {
            minute = [Int16](repeating: -1, count: self.x.count); minute.append(m)
        }
        self.x.append(x); self.y.append(y); self.day.append(day)
        self.category.append(category); sourceFile.append(file); sourceLine.append(line)
        if !weight.isEmpty { weight.append(w) } else if w != 1 {
            weight = [Double](repeating: 1, count: self.x.count - 1); weight.append(w)
        }
    }

    /// Appends whole columns (one file's block); `weight` nil means every row weighs 1, `minute` nil that no row
    /// has a time of day.
    public mutating func appendColumns(x: [Double], y: [Double], day: [Int32], category: [UInt16], weight: [Double]?,
                                       file: UInt16, line: [UInt32], minute: [Int16]? = nil) {
        if let minute {
            if !isTimed { self.minute = [Int16](repeating: -1, count: count) }
            self.minute += minute
        } else if isTimed {
            self.minute += [Int16](repeating: -1, count: x.count)
        }
        if let weight, weight.contains(where: { $0 != 1 }) || isWeighted {
            if !isWeighted { self.weight = [Double](repeating: 1, count: count) }
            self.weight += weight
        } else if isWeighted {
            self.weight += [Double](repeating: 1, count: x.count)
        }
        self.x += x; self.y += y; self.day += day; self.category += category
        sourceFile += [UInt16](repeating: file, count: x.count); sourceLine += line
    }

    /// The rows whose index satisfies `keep`, in order.
    public func filtered(_ keep: (Int) -> Bool) -> IncidentTable {
        var out = IncidentTable(epsg: epsg, resolution: resolution)
        out.categories = categories
        out.harm = harm
        for i in 0..<count where keep(i) {
            out.x.append(x[i]); out.y.append(y[i]); out.day.append(day[i]); out.category.append(category[i])
            out.sourceFile.append(sourceFile[i]); out.sourceLine.append(sourceLine[i])
            if !weight.isEmpty { out.weight.append(weight[i]) }
            if !minute.isEmpty { out.minute.append(minute[i]) }
        }
        return out
    }

    /// Appends every row of `other` (same CRS), re-coding categories and offsetting source-file indices.
    /// Returns false, appending nothing, when the categories together would exceed `maxCategories`.
    @discardableResult
    public mutating func append(contentsOf other: IncidentTable, fileOffset: UInt16 = 0) -> Bool {
        precondition(other.epsg == epsg, "cannot append tables in different CRSs")
        guard Set(categories).union(other.categories).count <= IncidentTable.maxCategories else { return false }
        let remap = other.categories.map { categoryCode($0)! }
        if other.isWeighted && !isWeighted { weight = [Double](repeating: 1, count: count) }
        // Whole columns at a time (the same values as appending row by row).
        if isWeighted { weight += other.isWeighted ? other.weight : [Double](repeating: 1, count: other.count) }
        if other.isTimed && !isTimed { minute = [Int16](repeating: -1, count: count) }
        if isTimed { minute += other.isTimed ? other.minute : [Int16](repeating: -1, count: other.count) }
        x += other.x; y += other.y; day += other.day
        category += remap.enumerated().allSatisfy({ $0.offset == Int($0.element) }) ? other.category : other.category.map { remap[Int($0)] }
        sourceFile += fileOffset == 0 ? other.sourceFile : other.sourceFile.map { $0 + fileOffset }
        sourceLine += other.sourceLine
        if other.resolution == .day { resolution = .day }
        return true
    }

    /// Bounding box of the coordinates, or nil when empty.
    public var extent: Extent? { Extent(x: x, y: y) }

}

/// An axis-aligned rectangle [minX, maxX] × [minY, maxY].
public struct Extent: Sendable, Equatable, Codable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    /// Bounding box of paired coordinate arrays; nil when empty.
    public init?(x: [Double], y: [Double]) {
        guard !x.isEmpty else { return nil }
        var a = Double.infinity, b = Double.infinity, c = -Double.infinity, d = -Double.infinity
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                for i in 0..<xs.count {
                    let px = xs[i], py = ys[i]
                    if px < a { a = px }; if px > c { c = px }
                    if py < b { b = py }; if py > d { d = py }
                }
            }
        }
        self.init(minX: a, minY: b, maxX: c, maxY: d)
    }
    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public func union(_ o: Extent) -> Extent {
        Extent(minX: min(minX, o.minX), minY: min(minY, o.minY), maxX: max(maxX, o.maxX), maxY: max(maxY, o.maxY))
    }
    public func contains(x: Double, y: Double) -> Bool { x >= minX && x <= maxX && y >= minY && y <= maxY }
}
