import Foundation

/// One fetched file as `manifest.json` records it: where it came from, how the server labelled it, what it holds.
/// A re-run compares `etag`/`lastModified`/`size` with the server's to fetch nothing unchanged, and `rows`/`sha256`
/// with the new file's to say which months were re-supplied.
public struct FetchedFile: Codable, Equatable, Sendable {
    /// The file's name inside the fetch folder (e.g. `2022-03-metropolitan-street.csv`).
    public var file: String
    /// The URL (or local path) it was read from; for an archive member, the archive's.
    public var url: String
    /// The archive member's path, when the file came out of a zip.
    public var member: String?
    /// The member's CRC-32 (8 hex digits) and compressed size in bytes, as the archive's central directory says: a
    /// newer archive whose member has the same CRC-32 and size holds the same bytes (nothing is fetched).
    public var crc32: String?
    public var compressedSize: Int64?
    public var etag: String?
    public var lastModified: String?
    /// Bytes of the file written.
    public var size: Int64
    public var sha256: String
    /// The police.uk archive it came from (`2022-09`), i.e. the vintage of its month.
    public var archive: String?
    /// Data rows (lines after the header), for CSV files.
    public var rows: Int?
    /// `2011`, `2021`, `mixed` or nil: the LSOA code set of the rows (see `LSOAVintage`).
    public var lsoaCodes: String?
    /// `before-2022-07` or `from-2022-07`: police.uk's anonymised map points of the month (refreshed July 2022).
    public var anonymisation: String?
    /// Anything else worth keeping (e.g. an ArcGIS service's layer name and maxRecordCount).
    public var notes: [String: String]?

    public init(file: String, url: String, member: String? = nil, etag: String? = nil, lastModified: String? = nil,
                size: Int64, sha256: String, archive: String? = nil, rows: Int? = nil, lsoaCodes: String? = nil,
                anonymisation: String? = nil, notes: [String: String]? = nil) {
        self.file = file; self.url = url; self.member = member; self.etag = etag; self.lastModified = lastModified
        self.size = size; self.sha256 = sha256; self.archive = archive; self.rows = rows; self.lsoaCodes = lsoaCodes
        self.anonymisation = anonymisation; self.notes = notes
    }

    /// Whether `folder/file` is still there, whole: its size as recorded (the SHA-256 is checked by `verify`).
    public func isPresent(in folder: String) -> Bool {
        var st = stat()
        return stat((folder as NSString).appendingPathComponent(file), &st) == 0 && Int64(st.st_size) == size
    }
}

/// `DIR/manifest.json`: every file `hotspot fetch` wrote into DIR, sorted by name, written atomically after each file
/// lands, so an interrupted fetch knows what it has (the file and its entry) and a re-run what to skip.
public struct FetchManifest: Codable, Equatable, Sendable {
    public static let fileName = "manifest.json"
    public var format = "hotspot-fetch-manifest/1"
    public private(set) var files: [FetchedFile] = []

    public init() {}

    /// The manifest of `folder`, or an empty one when there is none yet. A damaged manifest is an error that says what
    /// to do (delete it: the files are then fetched again).
    public static func load(folder: String) throws -> FetchManifest {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return FetchManifest() }
        do { return try JSONDecoder().decode(FetchManifest.self, from: data) } catch {
            let why = (error as? DecodingError).map { e -> String in
                switch e {
                case .dataCorrupted: return "not valid JSON"
                case .keyNotFound(let k, _): return "no '\(k.stringValue)' field"
                case .typeMismatch(_, let c), .valueNotFound(_, let c):
                    return "a field of the wrong kind at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
                @unknown default: return "unreadable"
                }
            } ?? "unreadable"
            throw ArchiveError(.damaged, "\(path): not a hotspot fetch manifest (\(why)); delete it, and the next fetch fetches everything again")
        }
    }

    public func entry(_ file: String) -> FetchedFile? { files.first { $0.file == file } }

    /// Adds or replaces the entry of `entry.file`.
    public mutating func record(_ entry: FetchedFile) {
        files.removeAll { $0.file == entry.file }
        files.append(entry)
        files.sort { $0.file < $1.file }
    }

    /// Writes `folder/manifest.json` atomically (sorted keys, so the same fetch gives the same bytes).
    public func save(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try AtomicFile.write(data, to: (folder as NSString).appendingPathComponent(FetchManifest.fileName))
    }
}
