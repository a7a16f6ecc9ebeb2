@preconcurrency import Crypto
import Foundation
import HotspotCore
import HotspotGeo
#if canImport(Glibc)
import Glibc
#endif

/// The incident store: the accepted, projected columns of a set of input files, with their quarantine and file
/// summaries, so that a second command on the same files parses and projects nothing.
///
/// One entry per *slot* (the input files by their resolved paths, the format options, the target CRS and grid
/// folders, the projection method of `HOTSPOT_PROJECTION`); the entry
/// records each input's identity (device, inode, size, modification and change times in nanoseconds), the PROJ
/// version and the `hotspot` executable's own size and time, and is used only when all of them still match. Its
/// SHA-256 of each input is the one computed when the file was first read. Entries are written to a temporary file
/// and renamed into place (atomic: two concurrent runs each write a whole entry, the last rename wins); a file
/// modified in the last 2 s is not stored (a rewrite within the file system's timestamp granularity could keep the
/// same identity).
///
/// Layout: `HSTORE03`, the header length (u64 LE), the JSON header, zero padding to 64 bytes, then the columns
/// x, y (f64), day (i32), category (u16), source file (u16), source line (u32), weight (f64, when weighted), minute
/// of the day (i16, when timed; version 03 added it), and
/// an 8-byte checksum of the columns. Entries are read with `pread` straight into the table's arrays (one copy, no
/// second resident image as a memory mapping would add to the peak).
public struct IncidentStore: Sendable {
    public let directory: String
    /// The most the entries may hold together (bytes); after a save, the least recently used entries go until they
    /// fit. `$HOTSPOT_STORE_MAX_GB` (default 8).
    public let capacity: Int

    public init(directory: String, capacity: Int? = nil) {
        self.directory = directory
        self.capacity = capacity ?? Self.defaultCapacity()
    }

    /// The limits `HOTSPOT_STORE_MAX_GB` may take (GB).
    public static let capacityRange: ClosedRange<Double> = 0.001...1_000_000

    public static func defaultCapacity(environment env: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        // The CLI refuses a value outside `capacityRange` before any command runs (`checkEnvironment`); here a bad
        // one falls back to the default rather than trapping.
        guard let s = env["HOTSPOT_STORE_MAX_GB"] else { return 8_000_000_000 }
        guard let gb = capacityGB(s) else { return 8_000_000_000 }
        return Int(gb * 1e9)
    }

    /// `HOTSPOT_STORE_MAX_GB` as a number of GB within `capacityRange`, else nil.
    public static func capacityGB(_ text: String) -> Double? {
        guard let gb = Double(text.trimmingCharacters(in: .whitespaces)), gb.isFinite, capacityRange.contains(gb) else { return nil }
        return gb
    }

    /// Opens `path` for reading only if it is a regular file: a FIFO, device or socket where an entry should be is
    /// never opened for a read that would wait for a writer (O_NONBLOCK on the open, then checked with fstat).
    static func openRegular(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { close(fd); return nil }
        return fd
    }

    /// The store's folder: `$HOTSPOT_STORE` (`off` disables it), else `$XDG_CACHE_HOME/hotspot/incidents`, else
    /// `~/.cache/hotspot/incidents`; nil when disabled or no home is known.
    public static func defaultDirectory(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let s = env["HOTSPOT_STORE"], !s.isEmpty { return s == "off" ? nil : s }
        if let x = env["XDG_CACHE_HOME"], x.hasPrefix("/") { return x + "/hotspot/incidents" }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.cache/hotspot/incidents"
    }

    public static var `default`: IncidentStore? { defaultDirectory().map { IncidentStore(directory: $0) } }

    /// What was read and projected from the input files (before any selection or boundary).
    public struct Entry: Sendable {
        public var table: IncidentTable
        public var quarantine: [QuarantineEntry]
        public var files: [FileSummary]
        public var projection: ProjectionInfo?
        /// The CRS the coordinates were read in (4326 for lon/lat).
        public var sourceEPSG: Int
        public init(table: IncidentTable, quarantine: [QuarantineEntry], files: [FileSummary], projection: ProjectionInfo?, sourceEPSG: Int) {
            self.table = table; self.quarantine = quarantine; self.files = files; self.projection = projection; self.sourceEPSG = sourceEPSG
        }
    }

    /// What an entry is for. `slot` names the file; `identity` must match for the entry to be used.
    public struct Key: Sendable, Equatable {
        /// The input paths as given (an entry found through another spelling of them is told these).
        public var files: [String] = []
        public var slot: String
        public var identity: String
        /// The newest modification time among the inputs (seconds since 1970).
        var newestModification: Double
    }

    static let magic = Array("HSTORE03".utf8)
    /// Inputs modified this recently are not stored (seconds).
    static let racyWindow = 2.0

    /// The key for reading `files` with `options` and projecting to `targetEPSG`; nil when an input is not a
    /// regular file (a pipe is read once and cannot be stored).
    /// `interpolation`: how incidents are projected (`HOTSPOT_PROJECTION`); entries of one method are not used for another.
    public static func key(files: [String], options: ReadOptions, targetEPSG: Int, gridDirectories: [String],
                           interpolation: Interpolation? = .fromEnvironment()) -> Key? {
        // Regular files only (a pipe is read once; opening one here would also wait for a writer).
        let stamps = files.map(stamp)
        guard stamps.allSatisfy({ $0?.regular == true }) else { return nil }
        // `auto` is keyed by what it resolves to, so `--format policeuk` and the default share an entry; the column
        // mapping only matters to a mapped CSV, but for a weight column, which police.uk files take too.
        let formats = files.map { options.format == .auto ? IncidentReader.detectFormat($0, options: options) ?? .auto : options.format }
        var slot = "hotspot incident store 3\n"
        slot += "formats=\(formats.map(\.rawValue).joined(separator: ","))\ndrop=\(options.dropDuplicates)\nmaxRecord=\(options.maxRecordBytes)\n"
        if formats.contains(where: { $0 == .csv || $0 == .auto }) {
            let m = options.mapping
            for (k, v) in [("x", m.x), ("y", m.y), ("lon", m.lon), ("lat", m.lat), ("date", m.date), ("category", m.category),
                           ("id", m.id), ("weight", m.weight), ("time", m.time)] { slot += "\(k)=\(v.map { "\"\($0)\"" } ?? "-")\n" }
            slot += "epsg=\(m.epsg)\ndateOrder=\(m.dateOrder.rawValue)\n"
        } else if let w = options.mapping.weight {
            slot += "weight=\"\(w)\"\n"  // police.uk files take a weight column too
        }
        slot += "target=\(targetEPSG)\ngrids=\(gridDirectories.joined(separator: "\u{1f}"))\n"
        slot += "projection=\(Interpolation.storeTag(interpolation))\n"
        var identity = "proj=\(Projection.version)\n"
        var newest = 0.0
        if let exe = stamp("/proc/self/exe") { identity += "exe=\(exe.text)\n" } else { return nil }
        for (f, s) in zip(files, stamps) {
            // By what the path resolves to: `data.csv`, `./data.csv` and `/home/a/data.csv` share an entry.
            slot += "file=\(realpath(f, nil).map { p in defer { free(p) }; return String(cString: p) } ?? f)\n"
            identity += "file=\(s!.text)\n"
            newest = max(newest, s!.modified)
        }
        return Key(files: files, slot: slot, identity: identity, newestModification: newest)
    }

    struct Stamp { var text: String, regular: Bool, modified: Double }
    static func stamp(_ path: String) -> Stamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let text = "\(st.st_dev) \(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
        return Stamp(text: text, regular: st.st_mode & S_IFMT == S_IFREG,
                     modified: max(Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9,
                                   Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9))
    }

    /// The entry's file for a slot.
    public func path(for key: Key) -> String {
        directory + "/" + SHA256.hash(data: Data(key.slot.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + ".store"
    }

    // MARK: header

    struct Header: Codable {
        var slot: String
        var identity: String
        var count: Int
        var epsg: Int
        var sourceEPSG: Int
        var resolution: TimeResolution
        var weighted: Bool
        var timed: Bool
        var categories: [String]
        var files: [FileSummary]
        var projection: ProjectionInfo?
        var quarantine: [Q]
        struct Q: Codable { var file: Int, line: Int, reason: QuarantineReason, detail: String, raw: String }
    }

    // MARK: load

    /// The entry for `key`, or nil when there is none, it is for other inputs, or it is damaged (never an error:
    /// the files are then read as usual).
    public func load(_ key: Key) -> Entry? {
        let p = path(for: key)
        guard let fd = Self.openRegular(p) else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        guard size >= 16, let (h, hlen) = Self.header(fd), h.slot == key.slot, h.identity == key.identity, hlen < size else { return nil }
        // Every length is checked against the file's size before anything is allocated: a damaged count is a miss.
        let n = h.count
        var off = Self.align(16 + hlen)
        let perRow = (h.weighted ? 36 : 28) + (h.timed ? 2 : 0)
        guard n >= 0, n <= (size - off) / perRow, size == off + n * perRow + 8 else { return nil }
        var t = IncidentTable(epsg: h.epsg, resolution: h.resolution)
        var sum = Checksum()
        func column<T>(_ type: T.Type) -> [T]? {
            let bytes = n * MemoryLayout<T>.stride
            var ok = true
            let a = [T](unsafeUninitializedCapacity: n) { buf, count in
                ok = Self.readFully(fd, UnsafeMutableRawBufferPointer(buf), offset: off)
                if ok { sum.add(UnsafeRawBufferPointer(buf)) }
                count = ok ? n : 0
            }
            off += bytes
            return ok ? a : nil
        }
        guard let x = column(Double.self), let y = column(Double.self), let day = column(Int32.self),
              let cat = column(UInt16.self), let file = column(UInt16.self), let line = column(UInt32.self) else { return nil }
        t.x = x; t.y = y; t.day = day; t.category = cat; t.sourceFile = file; t.sourceLine = line
        if h.weighted { guard let w = column(Double.self) else { return nil }; t.weight = w }
        if h.timed { guard let m = column(Int16.self) else { return nil }; t.minute = m }
        var tail = [UInt8](repeating: 0, count: 8)
        guard Self.readFully(fd, &tail, offset: off),
              tail.withUnsafeBytes({ $0.loadUnaligned(as: UInt64.self).littleEndian }) == sum.value else { return nil }
        t.categories = h.categories
        guard h.quarantine.allSatisfy({ $0.file >= 0 && $0.file < h.files.count }), key.files.count == h.files.count else { return nil }
        // The paths as this run gives them (the entry may have been written under another spelling).
        var files = h.files
        for i in files.indices { files[i].path = key.files[i] }
        let q = h.quarantine.map { QuarantineEntry(file: files[$0.file].path, line: $0.line, reason: $0.reason, detail: $0.detail, raw: $0.raw) }
        // Used now: the entry's time says so, for the least-recently-used rule of `save`.
        _ = futimens(fd, nil)
        return Entry(table: t, quarantine: q, files: files, projection: h.projection, sourceEPSG: h.sourceEPSG)
    }

    /// What an entry holds, from its header: the input files (as first given) and the incidents kept; nil when the
    /// file is not an entry.
    public func describe(_ path: String) -> (files: [String], incidents: Int)? {
        guard let fd = Self.openRegular(path) else { return nil }
        defer { close(fd) }
        guard let (h, _) = Self.header(fd) else { return nil }
        return (h.files.map(\.path), h.count)
    }

    /// An entry's header and its length in bytes (the columns start at `align(16 + length)`).
    static func header(_ fd: Int32) -> (Header, Int)? {
        var head = [UInt8](repeating: 0, count: 16)
        guard readFully(fd, &head, offset: 0), Array(head[0..<8]) == magic else { return nil }
        let raw = head.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian }
        var st = stat()
        guard raw > 0, raw < 1 << 31, fstat(fd, &st) == 0, Int(raw) <= Int(st.st_size) - 16 else { return nil }
        let hlen = Int(raw)
        var hbytes = [UInt8](repeating: 0, count: hlen)
        guard readFully(fd, &hbytes, offset: 16), let h = try? JSONDecoder().decode(Header.self, from: Data(hbytes)) else { return nil }
        return (h, hlen)
    }

    /// Whether the store has an entry for exactly these inputs (its header only is read).
    public func holds(_ key: Key) -> Bool { header(key) != nil }

    func header(_ key: Key) -> Header? {
        guard let fd = Self.openRegular(path(for: key)) else { return nil }
        defer { close(fd) }
        guard let (h, _) = Self.header(fd), h.slot == key.slot, h.identity == key.identity else { return nil }
        return h
    }

    // MARK: save

    /// Stores `entry` under `key` (atomically). Does nothing when an input changed in the last 2 s; returns
    /// whether an entry was written. Failures (no space, read-only folder) are not errors: the store is a cache.
    @discardableResult
    public func save(_ entry: Entry, for key: Key, now: Date = Date()) -> Bool {
        guard now.timeIntervalSince1970 - key.newestModification >= Self.racyWindow else { return false }
        let t = entry.table
        let fileIndex = Dictionary(entry.files.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        var qs: [Header.Q] = []
        for q in entry.quarantine {
            guard let k = fileIndex[q.file] else { return false }
            qs.append(.init(file: k, line: q.line, reason: q.reason, detail: q.detail, raw: q.raw))
        }
        let h = Header(slot: key.slot, identity: key.identity, count: t.count, epsg: t.epsg, sourceEPSG: entry.sourceEPSG,
                       resolution: t.resolution, weighted: t.isWeighted, timed: t.isTimed, categories: t.categories, files: entry.files,
                       projection: entry.projection, quarantine: qs)
        // Sorted keys: the same entry is the same bytes on every run (JSONEncoder's key order otherwise varies).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(h) else { return false }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch { return false }
        let final = path(for: key)
        let tmp = final + ".tmp-\(getpid())-\(UUID().uuidString)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        var ok = true
        defer {
            close(fd)
            if !ok { unlink(tmp) }
        }
        var head = Self.magic
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { head += $0 }
        head += json
        head += [UInt8](repeating: 0, count: Self.align(head.count) - head.count)
        ok = head.withUnsafeBytes { Self.writeFully(fd, $0) }
        var sum = Checksum()
        func put<T>(_ a: [T]) {
            guard ok else { return }
            a.withUnsafeBytes { b in sum.add(b); ok = Self.writeFully(fd, b) }
        }
        put(t.x); put(t.y); put(t.day); put(t.category); put(t.sourceFile); put(t.sourceLine)
        if t.isWeighted { put(t.weight) }
        if t.isTimed { put(t.minute) }
        if ok { ok = withUnsafeBytes(of: sum.value.littleEndian) { Self.writeFully(fd, $0) } }
        if ok { ok = rename(tmp, final) == 0 }
        if ok { evict(keeping: final) }
        return ok
    }

    /// Removes the least recently used entries (oldest modification time first; `load` touches an entry) until the
    /// entries fit in `capacity`; `keeping` (the entry just written) stays, even alone over the limit.
    public func evict(keeping: String) {
        var all: [(path: String, bytes: Int, used: Double)] = []
        for e in entries() {
            var st = stat()
            guard stat(e.path, &st) == 0 else { continue }
            all.append((e.path, e.bytes, Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9))
        }
        var total = all.reduce(0) { $0 + $1.bytes }
        for e in all.sorted(by: { ($0.used, $0.path) < ($1.used, $1.path) }) where total > capacity && e.path != keeping {
            if unlink(e.path) == 0 { total -= e.bytes }
        }
    }

    // MARK: housekeeping

    /// The entries in the store, with their sizes in bytes.
    public func entries() -> [(path: String, bytes: Int)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".store") }.sorted().map { n in
            let p = directory + "/" + n
            var st = stat()
            return (p, stat(p, &st) == 0 ? Int(st.st_size) : 0)
        }
    }

    /// Removes every entry (and any temporary file left by an interrupted run); returns how many files went and
    /// those that could not be removed, with the reason (e.g. a read-only folder).
    @discardableResult
    public func clear() -> (removed: Int, failed: [(path: String, reason: String)]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var n = 0
        var failed: [(String, String)] = []
        for name in names.sorted() where name.hasSuffix(".store") || name.contains(".store.tmp-") {
            let p = directory + "/" + name
            if unlink(p) == 0 { n += 1 } else { failed.append((p, String(cString: strerror(errno)))) }
        }
        return (n, failed)
    }

    // MARK: I/O helpers

    static func align(_ n: Int) -> Int { (n + 63) & ~63 }

    static func readFully(_ fd: Int32, _ a: inout [UInt8], offset: Int) -> Bool {
        a.withUnsafeMutableBytes { readFully(fd, $0, offset: offset) }
    }

    static func readFully(_ fd: Int32, _ b: UnsafeMutableRawBufferPointer, offset: Int) -> Bool {
        var done = 0
        while done < b.count {
            let r = pread(fd, b.baseAddress! + done, min(b.count - done, 1 << 30), off_t(offset + done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { return false }
            done += r
        }
        return true
    }

    static func writeFully(_ fd: Int32, _ b: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < b.count {
            let r = write(fd, b.baseAddress! + done, min(b.count - done, 1 << 30))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { return false }
            done += r
        }
        return true
    }

    /// A fast checksum of the column bytes (four independent multiply–xor lanes over 8-byte words): it catches a
    /// damaged or truncated entry; it is not a cryptographic digest.
    struct Checksum {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
        var length: UInt64 = 0
        mutating func add(_ b: UnsafeRawBufferPointer) {
            var i = 0
            let n = b.count
            var (a, c, d, e) = lanes
            while i + 32 <= n {
                a = (a ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                c = (c ^ b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                d = (d ^ b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
                e = (e ^ b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* 0xD6E8_FEB8_6659_FD93
                a ^= a >> 29; c ^= c >> 31; d ^= d >> 27; e ^= e >> 33
                i += 32
            }
            while i < n { a = (a ^ UInt64(b[i])) &* 0x9E37_79B9_7F4A_7C15; a ^= a >> 29; i += 1 }
            lanes = (a, c, d, e)
            length &+= UInt64(n)
        }
        var value: UInt64 {
            var h = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7) ^ length
            h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 32)
        }
    }
}
