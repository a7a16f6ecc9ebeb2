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
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(rel), isDirectory: &isDir)
            if !isDir.boolValue && rel != name { out.append(rel) }
        }
        return out.sorted()
    }

    /// What `hotspot verify` found.
    public struct Report: Sendable {
        public var checked = 0
        public var changed: [(path: String, expected: String, found: String)] = []
        public var missing: [String] = []
        public var extra: [String] = []
        public var ok: Bool { changed.isEmpty && missing.isEmpty && extra.isEmpty }
        public var text: String {
            var s = ok ? "verified: all \(checked) files match manifest.json (SHA-256)\n" : "NOT VERIFIED: the pack differs from its manifest.json\n"
            for c in changed { s += "  changed: \(c.path) (manifest \(c.expected.prefix(16))…, file \(c.found.prefix(16))…)\n" }
            for m in missing { s += "  missing: \(m)\n" }
            for e in extra { s += "  not in the manifest: \(e)\n" }
            return s
        }
    }

    /// Checks a pack, a folder or a `.zip` of one (its entries may sit in one top folder), against its manifest.
    public static func verify(_ path: String) throws -> Report {
        var contents: [String: Data] = [:]
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw InputError.missingFile(path) }
        if isDir.boolValue {
            for rel in try files(in: path) + [name] {
                let full = (path as NSString).appendingPathComponent(rel)
                if FileManager.default.fileExists(atPath: full) { contents[rel] = try InputFile.contents(full, limit: 1 << 32) }
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
        for e in doc.files {
            guard let d = contents[e.path] else { r.missing.append(e.path); continue }
            r.checked += 1
            let h = Hashing.sha256(d)
            if h != e.sha256 || d.count != e.bytes { r.changed.append((e.path, e.sha256, h)) }
        }
        let listed = Set(doc.files.map(\.path))
        r.extra = contents.keys.filter { $0 != name && !listed.contains($0) }.sorted()
        return r
    }
}
