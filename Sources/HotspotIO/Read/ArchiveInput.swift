import Foundation

/// Incident files read straight out of a police.uk archive, never extracted: `ARCHIVE.zip#FORCE` (or `ARCHIVE.zip`
/// with `--force FORCE`) stands for the force's street files in it, each read as `ARCHIVE.zip#YYYY-MM/YYYY-MM-FORCE-street.csv`,
/// a path every reader opens through `InputFile` (its bytes inflated as they stream; its SHA-256 the member's,
/// i.e. the extracted CSV's).
public enum ArchiveInput {
    /// `ARCHIVE.zip#REST` split at the `#`, or nil for any other path.
    public static func split(_ path: String) -> (archive: String, rest: String)? {
        guard let r = path.range(of: ".zip#", options: .caseInsensitive) else { return nil }
        return (String(path[..<path.index(r.upperBound, offsetBy: -1)]), String(path[r.upperBound...]))
    }

    /// A member path (`ARCHIVE.zip#DIR/FILE.csv`), as opposed to a force (`ARCHIVE.zip#FORCE`).
    public static func member(_ path: String) -> (archive: String, member: String)? {
        guard let (a, rest) = split(path), rest.contains("/") || rest.hasSuffix(".csv") else { return nil }
        return (a, rest)
    }

    /// Replaces each `ARCHIVE.zip#FORCE`, and each `ARCHIVE.zip` when `force` is given, by the force's street
    /// members in month order; other paths are kept. Errors: the archive missing (66), damaged, or without that
    /// force (the forces it has, 65).
    public static func expand(_ files: [String], force: String?) throws -> [String] {
        try files.flatMap { f -> [String] in
            if member(f) != nil { return [f] }
            let archive: String, name: String
            if let (a, rest) = split(f) {
                guard !rest.isEmpty else {
                    throw InputError.unreadable(f, "nothing after '#': write \(a)#FORCE for a force's street files (e.g. #metropolitan) or \(a)#YYYY-MM/YYYY-MM-FORCE-street.csv for one")
                }
                archive = a; name = rest
            }
            else if let force, f.lowercased().hasSuffix(".zip") { archive = f; name = force }
            else if f.lowercased().hasSuffix(".zip") {
                throw InputError.unreadable(f, "a zip archive: say which force's street files to read, with --force FORCE or as \(f)#FORCE (e.g. #metropolitan)")
            } else { return [f] }
            let reader = try open(archive)
            let street = reader.members.filter { PoliceUKArchive.parse(member: $0.name).map { $0.force == name && $0.kind == "street" } ?? false }
            guard !street.isEmpty else {
                let forces = PoliceUKArchive.forces(reader.members)
                throw InputError.unreadable(archive, forces.isEmpty
                    ? "it holds no police.uk YYYY-MM/YYYY-MM-FORCE-street.csv files"
                    : "it holds no street files of force '\(name)'; it holds: \(forces.joined(separator: ", "))")
            }
            return street.map(\.name).sorted().map { "\(archive)#\($0)" }
        }
    }

    /// The archive's reader, its errors as `InputError`s (missing: 66; damaged: 65).
    static func open(_ archive: String) throws -> ZipReader {
        do { return try ZipReader(source: try FileRangeSource(path: archive)) } catch let e as ArchiveError {
            throw InputError.unreadable(archive, e.description.replacingOccurrences(of: "\(archive): ", with: ""))
        }
    }

    static func find(_ path: String) throws -> (ZipReader, ZipMember) {
        guard let (a, m) = member(path) else { throw InputError.missingFile(path) }
        let reader = try open(a)
        guard let zm = reader.member(m) else {
            let example = reader.members.first { PoliceUKArchive.parse(member: $0.name) != nil }?.name ?? reader.members.first?.name
            throw InputError.notAFile(path, "\(a) has no member \(m)" + (example.map { "; its members are named like \($0)" } ?? " (it is empty)"))
        }
        do { try reader.checkReadable(zm) } catch let e as ArchiveError { throw InputError.unreadable(path, e.description) }
        return (reader, zm)
    }

    /// `InputFile.check` for a member path: the archive's identity with the member's name mixed in.
    static func check(_ path: String) throws -> InputFile.Identity {
        guard let (a, m) = member(path) else { throw InputError.missingFile(path) }
        let id = try InputFile.check(a)
        _ = try find(path)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a of the member name
        for b in m.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return InputFile.Identity(device: id.device, inode: id.inode ^ h)
    }

    /// The member's uncompressed size in bytes, 0 when it cannot be told.
    static func size(_ path: String) -> Int { (try? find(path)).map { Int($0.1.size) } ?? 0 }

    static func source(_ path: String) throws -> ZipMemberSource {
        let (reader, m) = try find(path)
        return try ZipMemberSource(reader: reader, member: m, path: path)
    }
}

/// A zip member's bytes as they inflate (`raw` is the inflated bytes too: the file's SHA-256 is the member's).
final class ZipMemberSource: ByteSource {
    let reader: ZipReader
    let inflater: ZipInflater
    let path: String
    private var at: Int64
    private let end: Int64
    private var buffer = Data()
    private var finished = false

    init(reader: ZipReader, member: ZipMember, path: String) throws {
        self.reader = reader; self.path = path
        do {
            at = try reader.dataOffset(member)
            inflater = try ZipInflater(member: member, archive: reader.source.name)
        } catch let e as ArchiveError { throw InputError.unreadable(path, e.description) }
        end = at + member.compressedSize
    }

    func next(_ maxCount: Int) throws -> (data: Data, raw: Data) {
        do {
            while buffer.count < maxCount && !finished {
                if at < end {
                    let n = Int(min(Int64(1 << 20), end - at))
                    let bytes = try reader.source.read(offset: at, count: n)
                    at += Int64(n)
                    try inflater.feed(bytes) { buffer.append(contentsOf: $0) }
                } else {
                    try inflater.finish { _ in }
                    finished = true
                }
            }
        } catch let e as ArchiveError { throw InputError.unreadable(path, e.description) }
        let out = buffer.prefix(maxCount)
        buffer.removeFirst(out.count)
        return (Data(out), Data(out))
    }
}
