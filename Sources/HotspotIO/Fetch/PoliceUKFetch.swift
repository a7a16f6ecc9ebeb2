import Crypto
import Foundation

/// `hotspot fetch policeuk` from police.uk archives: picks the archive of each month, reads the central directory and
/// the chosen force's members only (from a file or by HTTP ranges), and writes each member, byte-identical, into the
/// fetch folder with its `manifest.json` entry. Compressed bytes go to `.FILE.CRC-SIZE.part` first (a cut or killed
/// download resumes from them), the inflated file lands by rename.
public struct PoliceUKFetch {
    public struct Request: Sendable {
        /// Archive files or URLs (`YYYY-MM.zip`); empty: the archives `archiveBase` lists.
        public var archives: [String]
        public var archiveBase: String
        public var force: String
        public var months: ClosedRange<YearMonth>
        public var kinds: [String]
        /// Each month from the newest archive holding it (true) or the first (false).
        public var newest: Bool
        public var out: String
        /// Use the fetch folder only: fetch nothing, fail naming what is missing.
        public var offline: Bool
        /// Months no archive holds are left to the police.uk API (`--area`): listed in `Outcome.apiMonths`, not an error.
        public var apiTakesUncovered: Bool
        public init(archives: [String], archiveBase: String, force: String, months: ClosedRange<YearMonth>, kinds: [String],
                    newest: Bool, out: String, offline: Bool, apiTakesUncovered: Bool = false) {
            self.archives = archives; self.archiveBase = archiveBase; self.force = force; self.months = months
            self.kinds = kinds; self.newest = newest; self.out = out; self.offline = offline
            self.apiTakesUncovered = apiTakesUncovered
        }
    }

    public struct Outcome: Sendable {
        /// Files written (fetched) and files kept as they were (unchanged in the archive).
        public var written: [String] = []
        public var unchanged: [String] = []
        /// One line per month whose file changed since the last fetch (a re-supplied month).
        public var resupplied: [String] = []
        /// Notes for the user (kinds a force did not supply, resumed transfers).
        public var notes: [String] = []
        /// Bytes that crossed the network (HTTP bodies) and bytes read from local archives.
        public var bytesReceived: Int64 = 0
        public var bytesReadLocally: Int64 = 0
        /// Sizes of the archives opened (bytes), for the share read.
        public var archiveBytes: Int64 = 0
        /// Months no archive holds, left to the police.uk API (`Request.apiTakesUncovered`).
        public var apiMonths: [YearMonth] = []
    }

    let request: Request
    let settings: HTTPSettings
    let progress: (String) -> Void
    private var client: HTTPClient?
    private var manifest = FetchManifest()
    private var outcome = Outcome()

    public init(request: Request, settings: HTTPSettings, progress: @escaping (String) -> Void) {
        self.request = request; self.settings = settings; self.progress = progress
    }

    /// Runs the fetch. Throws `ArchiveError` (with the URL or path and what to do), `OutputError`, `InputError`.
    public mutating func run() throws -> Outcome {
        let r = request
        var isDir: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: r.out, isDirectory: &isDir)
        if existed && !isDir.boolValue { throw OutputError.cannotWrite(r.out, "it is a file, not a folder: give a folder for the fetched files") }
        do { try FileManager.default.createDirectory(atPath: r.out, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotWrite(r.out, "cannot create the folder (\(error.localizedDescription))")
        }
        if access(r.out, W_OK) != 0 {
            throw OutputError.cannotWrite(r.out, "the folder is not writable (\(String(cString: strerror(errno)))); give a folder you can write to")
        }
        let lock: FolderLock
        do { lock = try FolderLock(r.out) } catch {
            if !existed { rmdir(r.out) }
            throw error
        }
        defer { withExtendedLifetime(lock) {} }
        do { return try fetchAll() } catch {
            // A fetch that failed before writing anything leaves no folder it created (resumable parts are kept).
            if !existed, (try? FileManager.default.contentsOfDirectory(atPath: r.out))?.isEmpty == true { rmdir(r.out) }
            throw error
        }
    }

    mutating func fetchAll() throws -> Outcome {
        let r = request
        manifest = try FetchManifest.load(folder: r.out)
        if r.offline { try offline(); return outcome }
        let candidates = try archiveCandidates()
        let plan = PoliceUKArchive.choose(months: r.months, vintages: candidates.map(\.vintage), newest: r.newest)
        let uncovered = plan.filter { $0.1 == nil }.map(\.0)
        // Months no archive holds yet: the police.uk API takes them (`--area FILE`), else an error naming what is held.
        if !uncovered.isEmpty && r.apiTakesUncovered {
            outcome.apiMonths = uncovered
        } else if !uncovered.isEmpty {
            let held = candidates.map { "\(name($0.location)) holds \(range(PoliceUKArchive.held(by: $0.vintage)))" }.joined(separator: "; ")
            throw ArchiveError(.usage, "no archive given holds \(range(uncovered.first!...uncovered.last!)): \(held); add the archive that does (YYYY-MM.zip holds the 36 months up to YYYY-MM)")
        }
        for c in candidates {
            let months = plan.filter { $0.1 == c.vintage }.map(\.0)
            if !months.isEmpty { try fetch(months: months, from: c.location, vintage: c.vintage, reader: c.reader) }
        }
        outcome.bytesReceived = client?.bytesReceived ?? 0
        return outcome
    }

    // MARK: choosing archives

    struct Candidate { var vintage: YearMonth; var location: String; var reader: ZipReader? }

    static func isURL(_ s: String) -> Bool { s.hasPrefix("http://") || s.hasPrefix("https://") }

    mutating func http() throws -> HTTPClient {
        if let client { return client }
        let c = try HTTPClient(settings: settings)
        client = c
        return c
    }

    /// The archives to choose from: those given (their month from the name, else from the months they hold), or
    /// those the base URL's listing links to.
    mutating func archiveCandidates() throws -> [Candidate] {
        var out: [Candidate] = []
        if request.archives.isEmpty {
            let base = request.archiveBase.hasSuffix("/") ? request.archiveBase : request.archiveBase + "/"
            progress("listing the archives at \(base)")
            let page: HTTPResponse
            do { page = try http().get(base) } catch let e as HTTPError { throw ArchiveError(.network, e.description) }
            guard page.status == 200 else {
                throw ArchiveError(.network, "\(base): HTTP \(page.status) to the archive listing; check --archive-base, or give --archive FILE_OR_URL")
            }
            let names = PoliceUKArchive.listed(in: page.text)
            guard !names.isEmpty else {
                throw ArchiveError(.network, "\(base): the page links to no YYYY-MM.zip archive; check --archive-base, or give --archive FILE_OR_URL")
            }
            out = names.map { Candidate(vintage: PoliceUKArchive.vintage(of: $0)!, location: base + $0, reader: nil) }
        } else {
            for a in request.archives {
                if let v = PoliceUKArchive.vintage(of: a) { out.append(Candidate(vintage: v, location: a, reader: nil)); continue }
                // Not named YYYY-MM.zip (e.g. latest.zip): its newest month is its vintage.
                let reader = try ZipReader(source: try open(a))
                guard let held = PoliceUKArchive.months(reader.members) else {
                    throw ArchiveError(.content, "\(a): holds no police.uk YYYY-MM/YYYY-MM-FORCE-KIND.csv files; is it a police.uk archive?")
                }
                out.append(Candidate(vintage: held.upperBound, location: a, reader: reader))
            }
        }
        let vintages = out.map(\.vintage)
        if let dup = vintages.first(where: { v in vintages.filter { $0 == v }.count > 1 }) {
            throw ArchiveError(.usage, "two archives of \(dup) given (\(out.filter { $0.vintage == dup }.map(\.location).joined(separator: ", "))); give one")
        }
        return out.sorted { $0.vintage < $1.vintage }
    }

    mutating func open(_ location: String) throws -> RangeSource {
        if PoliceUKFetch.isURL(location) { return try HTTPRangeSource(url: location, client: http()) }
        if let scheme = location.range(of: "://"), !location[..<scheme.lowerBound].contains("/") {
            throw ArchiveError(.usage, "\(location): only http:// and https:// URLs are fetched; give such a URL, or the path of an archive you downloaded")
        }
        do { return try FileRangeSource(path: location) } catch let e as InputError {
            switch e {
            case .missingFile: throw ArchiveError(.missing, "\(location): no such archive; give the path of a police.uk YYYY-MM.zip, or its URL")
            default: throw e
            }
        }
    }

    // MARK: one archive

    /// The validators of an archive that say it is unchanged: its ETag and Last-Modified (HTTP), or its size and
    /// modification time (a local file).
    static func validators(_ source: RangeSource) -> (etag: String?, lastModified: String?) {
        if let h = source as? HTTPRangeSource { return (h.etag, h.lastModified) }
        var st = stat()
        guard stat(source.name, &st) == 0 else { return (nil, nil) }
        return (nil, "size \(st.st_size), mtime \(st.st_mtim.tv_sec).\(String(format: "%09d", st.st_mtim.tv_nsec))")
    }

    mutating func fetch(months: [YearMonth], from location: String, vintage: YearMonth, reader given: ZipReader?) throws {
        let r = request
        let source = try given?.source ?? open(location)
        outcome.archiveBytes += source.size
        let (etag, lastModified) = PoliceUKFetch.validators(source)
        let wanted = months.flatMap { m in r.kinds.map { PoliceUKArchive.fileName(m, force: r.force, kind: $0) } }
        // Unchanged archive, every file there: nothing more is read (not even the central directory).
        let same: (FetchedFile) -> Bool = { e in
            e.url == location && ((etag != nil && e.etag == etag) || (etag == nil && lastModified != nil && e.lastModified == lastModified))
        }
        if wanted.allSatisfy({ f in manifest.entry(f).map { same($0) && $0.isPresent(in: r.out) } ?? false }) {
            outcome.unchanged += wanted
            progress("\(name(location)): \(wanted.count) file\(wanted.count == 1 ? "" : "s") already fetched, archive unchanged")
            return
        }
        progress("\(name(location)): reading its central directory (\(PoliceUKFetch.bytes(source.size)) archive)")
        let reader = try given ?? ZipReader(source: source)
        let forces = PoliceUKArchive.forces(reader.members)
        guard forces.contains(r.force) else {
            throw ArchiveError(.content, "\(location) holds no force '\(r.force)'; it holds: \(forces.joined(separator: ", "))")
        }
        let held = PoliceUKArchive.months(reader.members)
        for m in months {
            for kind in r.kinds {
                let file = PoliceUKArchive.fileName(m, force: r.force, kind: kind)
                guard let member = reader.member(PoliceUKArchive.member(m, force: r.force, kind: kind)) else {
                    if let held, held.contains(m) {
                        outcome.notes.append("\(name(location)) has no \(kind) file of \(r.force) for \(m) (the force did not supply one)")
                        continue
                    }
                    throw ArchiveError(.usage, "\(location) holds no month \(m): it holds \(held.map { range($0) } ?? "no police.uk months"); give the archive that does")
                }
                let crc = String(format: "%08x", member.crc32)
                let old = manifest.entry(file)
                if var e = old, e.isPresent(in: r.out), e.crc32 == crc, e.compressedSize == member.compressedSize, e.size == member.size {
                    // The same bytes: kept; the entry now names this archive, so the next run reads nothing.
                    e.url = location; e.etag = etag; e.lastModified = lastModified; e.archive = "\(vintage)"
                    manifest.record(e)
                    try manifest.save(folder: r.out)
                    outcome.unchanged.append(file)
                    continue
                }
                var entry = try fetchMember(member, of: reader, file: file, location: location, month: m)
                entry.etag = etag; entry.lastModified = lastModified; entry.archive = "\(vintage)"
                if let old, old.sha256 != entry.sha256 {
                    let rows = { (n: Int?) in n.map { $0.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_GB"))) } ?? "?" }
                    if let oa = old.archive.flatMap(YearMonth.init), vintage < oa {
                        // --vintage first: back to an earlier publication of the month, not a re-supply.
                        outcome.resupplied.append("\(m): \(file) now as published in \(vintage), with \(rows(entry.rows)) rows (was \(rows(old.rows)) as re-supplied in \(oa))")
                    } else {
                        outcome.resupplied.append("\(m): \(file) re-supplied in \(vintage) with \(rows(entry.rows)) rows (was \(rows(old.rows)) from \(old.archive ?? "an earlier fetch"))")
                    }
                }
                manifest.record(entry)
                try manifest.save(folder: r.out)
                outcome.written.append(file)
            }
        }
        if !(source is HTTPRangeSource) { outcome.bytesReadLocally += source.bytesRead }
    }

    /// Fetches one member's compressed bytes into its `.part` file (resuming from what is there), inflates it,
    /// checks its CRC-32 and size, and renames the result into place; returns its manifest entry.
    mutating func fetchMember(_ member: ZipMember, of reader: ZipReader, file: String, location: String, month: YearMonth) throws -> FetchedFile {
        let out = request.out
        try reader.checkReadable(member)
        let crc = String(format: "%08x", member.crc32)
        let partName = ".\(file).\(crc)-\(member.compressedSize).part"
        let part = (out as NSString).appendingPathComponent(partName)
        // Parts of another version of this file (an archive since replaced) are of no use.
        for f in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where f.hasPrefix(".\(file).") && f.hasSuffix(".part") && f != partName {
            unlink((out as NSString).appendingPathComponent(f))
        }
        var have = PoliceUKFetch.fileSize(part)
        if have > member.compressedSize { unlink(part); have = 0 }
        if have > 0 { progress("\(file): resuming at \(PoliceUKFetch.bytes(have)) of \(PoliceUKFetch.bytes(member.compressedSize))") }
        else { progress("\(file): \(PoliceUKFetch.bytes(member.compressedSize)) from \(name(location))") }
        if have < member.compressedSize {
            let start = try reader.dataOffset(member)
            if let h = reader.source as? HTTPRangeSource {
                try download(h, range: start...(start + member.compressedSize - 1), part: part, have: have)
            } else {
                try copy(reader.source, range: start..<(start + member.compressedSize), part: part, have: have)
            }
        }
        // Inflate the part, checking it, then land the file.
        let inflater = try ZipInflater(member: member, archive: location)
        var data = Data(capacity: Int(member.size))
        guard let fh = FileHandle(forReadingAtPath: part) else { throw OutputError.cannotWrite(part, "cannot read it back") }
        defer { try? fh.close() }
        do {
            while let chunk = try fh.read(upToCount: 1 << 20), !chunk.isEmpty {
                try inflater.feed([UInt8](chunk)) { data.append(contentsOf: $0) }
            }
            try inflater.finish { _ in }
        } catch let e as ArchiveError {
            unlink(part)  // damaged bytes: the next run fetches them afresh
            throw e
        }
        let path = (out as NSString).appendingPathComponent(file)
        try AtomicFile.write(data, to: path)
        unlink(part)
        let (rows, codes) = PoliceUKFetch.rowsAndCodes(data)
        return FetchedFile(file: file, url: location, member: member.name, size: Int64(data.count),
                           sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), rows: rows,
                           lsoaCodes: PoliceUKVintage.lsoaCodes(codes, month: month),
                           anonymisation: PoliceUKVintage.anonymisation(month))
            .with(crc32: crc, compressedSize: member.compressedSize)
    }

    /// Appends the bytes `range` of an HTTP archive after the `have` already in `part`. A transfer cut after some
    /// bytes arrived is resumed (at most twice, after 1 s and 2 s); anything else is one line with the URL.
    mutating func download(_ source: HTTPRangeSource, range: ClosedRange<Int64>, part: String, have: Int64) throws {
        var have = have
        for attempt in 0...2 {
            if !FileManager.default.fileExists(atPath: part) { _ = FileManager.default.createFile(atPath: part, contents: nil) }
            guard let fh = FileHandle(forUpdatingAtPath: part) else { throw OutputError.cannotWrite(part, "cannot open it for writing") }
            _ = try? fh.seekToEnd()
            let response: HTTPResponse
            do {
                defer { try? fh.close() }  // closed whatever the transfer throws
                response = try source.client.download(source.name, from: have, range: range, to: fh, headers: source.validators)
            } catch let e as HTTPError {
                let now = PoliceUKFetch.fileSize(part)
                if e.status == nil, now > have, attempt < 2 {
                    progress("\(source.name): the connection was cut at \(PoliceUKFetch.bytes(now)) of \(PoliceUKFetch.bytes(Int64(range.count))); resuming")
                    outcome.notes.append("resumed a cut transfer of \(source.name) at byte \(now) of its member")
                    have = now
                    sleep(UInt32(attempt + 1))
                    continue
                }
                throw ArchiveError(.network, e.description)
            }
            if response.status == 412 { throw source.changed }
            guard response.status == 206 else {
                throw ArchiveError(.network, "\(source.name): HTTP \(response.status) to a byte-range request (206 expected); try again later, or download the archive and give the file")
            }
            let now = PoliceUKFetch.fileSize(part)
            guard now == range.count else {
                throw ArchiveError(.network, "\(source.name): \(now) of \(range.count) bytes arrived; run the command again (it resumes)")
            }
            return
        }
    }

    /// Appends the bytes `range` of a local archive after the `have` already in `part`.
    func copy(_ source: RangeSource, range: Range<Int64>, part: String, have: Int64) throws {
        if !FileManager.default.fileExists(atPath: part) { _ = FileManager.default.createFile(atPath: part, contents: nil) }
        guard let fh = FileHandle(forUpdatingAtPath: part) else { throw OutputError.cannotWrite(part, "cannot open it for writing") }
        defer { try? fh.close() }
        _ = try? fh.seekToEnd()
        var at = range.lowerBound + have
        while at < range.upperBound {
            let n = Int(min(1 << 20, range.upperBound - at))
            let bytes = try source.read(offset: at, count: n)
            do { try fh.write(contentsOf: Data(bytes)) } catch { throw OutputError.cannotWrite(part, error.localizedDescription) }
            at += Int64(n)
        }
    }

    // MARK: offline

    /// `--offline`: every file asked for must be in the folder as its manifest records it.
    mutating func offline() throws {
        let r = request
        var missing: [String] = []
        for i in r.months.lowerBound.index...r.months.upperBound.index {
            for kind in r.kinds {
                let file = PoliceUKArchive.fileName(YearMonth(index: i), force: r.force, kind: kind)
                if let e = manifest.entry(file), e.isPresent(in: r.out) { outcome.unchanged.append(file) } else { missing.append(file) }
            }
        }
        if !missing.isEmpty {
            let list = missing.count > 4 ? missing.prefix(3).joined(separator: ", ") + " and \(missing.count - 3) more" : missing.joined(separator: ", ")
            throw ArchiveError(.missing, "--offline: \(r.out) does not hold \(list) (not fetched yet); run without --offline to fetch them")
        }
    }

    // MARK: helpers

    func name(_ location: String) -> String { location.split(separator: "/").last.map(String.init) ?? location }
    func range(_ r: ClosedRange<YearMonth>) -> String { r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound) … \(r.upperBound)" }

    static func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// A byte count for people: `412 KB`, `120.7 MB` (decimal units).
    public static func bytes(_ n: Int64) -> String {
        if n < 1000 { return "\(n) B" }
        if n < 1_000_000 { return "\(n / 1000) KB" }
        if n < 1_000_000_000 { return String(format: "%.1f MB", Double(n) / 1e6) }
        return String(format: "%.2f GB", Double(n) / 1e9)
    }

    /// Data rows of a CSV (records after the header) and the values of its `LSOA code` column, if any.
    static func rowsAndCodes(_ data: Data) -> (Int, Set<Substring>) {
        var rows = -1
        var lsoaColumn: Int?
        var codes = Set<String>()
        var sc = CSVScanner()
        data.withUnsafeBytes { raw in
            sc.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in
                rows += 1
                if rows == 0 { lsoaColumn = (0..<rec.count).first { rec.string($0) == "LSOA code" }; return }
                if let c = lsoaColumn, c < rec.count, !rec.isEmpty(c), let s = rec.string(c) { codes.insert(s) }
            }
        }
        return (max(rows, 0), Set(codes.map { Substring($0) }))
    }
}

extension FetchedFile {
    func with(crc32: String, compressedSize: Int64) -> FetchedFile {
        var f = self
        f.crc32 = crc32; f.compressedSize = compressedSize
        return f
    }
}
