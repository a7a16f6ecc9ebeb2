import Foundation

/// `manifest.json` of an evidence pack: the SHA-256 and size of every file in it (but itself), sorted by path, so
/// that anyone can show later that the pack was not altered (`hotspot verify`).
public enum PackManifest {
    public static let name = "manifest.json"

    public struct Entry: Codable, Sendable, Equatable { public var path: String, sha256: String, bytes: Int }
    struct Document: Codable { var pack: String, algorithm: String, files: [Entry] }

    /// The manifest of every file under `folder` (relative paths with `/`), `manifest.json` excepted.
    public static func build(folder: String, pack: String) throws -> Data {
        let files = try PackManifest.files(in: folder).map { rel -> Entry in
            let d = try InputFile.contents((folder as NSString).appendingPathComponent(rel), limit: 1 << 32)
            return Entry(path: rel, sha256: Hashing.sha256(d), bytes: d.count)
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(Document(pack: pack, algorithm: "SHA-256", files: files)) + Data("\n".utf8)
    }

    /// Every file under `folder` (relative paths), `manifest.json` excepted, sorted.
    public static func files(in folder: String) throws -> [String] {
        guard let all = FileManager.default.enumerator(atPath: folder) else { throw InputError.missingFile(folder) }
        var out: [String] = []
        while let rel = all.nextObject() as? String {
            // lstat: a symbolic link (even to a folder) is an entry of its own, never followed.
            var st = stat()
            guard lstat((folder as NSString).appendingPathComponent(rel), &st) == 0 else { out.append(rel); continue }
            if st.st_mode & S_IFMT != S_IFDIR && rel != name { out.append(rel) }
        }
        return out.sorted()
    }

    /// What `path` is when it is not a regular file (a symbolic link, a FIFO, a device, a socket), else nil.
    static func specialKind(_ path: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return "unreadable" }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "a device"
        }
    }

    /// What `hotspot verify` found.
    public struct Report: Sendable {
        public var checked = 0
        public var changed: [(path: String, expected: String, found: String)] = []
        public var missing: [String] = []
        public var extra: [String] = []
        /// Members that are not regular files (a pack holds none): never read, always a failure.
        public var special: [(path: String, kind: String)] = []
        public var ok: Bool { changed.isEmpty && missing.isEmpty && extra.isEmpty && special.isEmpty }
        public var text: String {
            var s = ok ? "verified: all \(checked) files match manifest.json (SHA-256)\n" : "NOT VERIFIED: the pack differs from its manifest.json\n"
            for c in changed { s += "  changed: \(c.path) (manifest \(c.expected.prefix(16))…, file \(c.found.prefix(16))…)\n" }
            for m in missing { s += "  missing: \(m)\n" }
            for e in extra { s += "  not in the manifest: \(e)\n" }
            for x in special { s += "  not a regular file: \(x.path) (\(x.kind))\n" }
            return s
        }
    }

    /// Checks a pack, a folder or a `.zip` of one (its entries may sit in one top folder), against its manifest.
    public static func verify(_ path: String) throws -> Report {
        var contents: [String: Data] = [:]
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw InputError.missingFile(path) }
        var special: [(path: String, kind: String)] = []
        if isDir.boolValue {
            for rel in try files(in: path) + [name] {
                let full = (path as NSString).appendingPathComponent(rel)
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }  // a manifest.json that is not there: said below
                // A link, FIFO, device or socket is reported, never opened (a FIFO would wait for a writer).
                if let kind = specialKind(full) { special.append((rel, kind)); continue }
                contents[rel] = try InputFile.contents(full, limit: 1 << 32)
            }
        } else {
            var entries = try ZipArchive.read(try InputFile.contents(path, limit: 1 << 32)).filter { !$0.path.hasSuffix("/") }
            // One top folder (the pack's name) is stripped.
            let tops = Set(entries.map { $0.path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "" })
            if tops.count == 1, let t = tops.first, entries.allSatisfy({ $0.path.hasPrefix(t + "/") }) {
                entries = entries.map { (String($0.path.dropFirst(t.count + 1)), $0.data) }
            }
            for e in entries { contents[e.path] = e.data }
        }
        guard let m = contents[name] else { throw InputError.unusable("\(path): no \(name) in the pack, so there is nothing to verify against") }
        guard let doc = try? JSONDecoder().decode(Document.self, from: m) else { throw InputError.unusable("\(path): \(name) is not a pack manifest") }
        var r = Report()
        r.special = special
        for e in doc.files {
            guard let d = contents[e.path] else { r.missing.append(e.path); continue }
            r.checked += 1
            let h = Hashing.sha256(d)
            if h != e.sha256 || d.count != e.bytes { r.changed.append((e.path, e.sha256, h)) }
        }
        let listed = Set(doc.files.map(\.path))
        r.extra = contents.keys.filter { $0 != name && !listed.contains($0) }.sorted()
        // A special member listed in the manifest is not "missing": it is reported as what it is.
        let specialPaths = Set(special.map(\.path))
        r.missing.removeAll { specialPaths.contains($0) }
        return r
    }
}
