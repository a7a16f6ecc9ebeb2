import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens input files with errors that say what is wrong and what to do: a folder, a device, a looping symbolic
/// link, a missing or unreadable file, a file that is not UTF-8 text. Every reader goes through here.
public enum InputFile {
    /// What a path names, by `stat(2)` (following symbolic links).
    public struct Identity: Hashable, Sendable { public var device: UInt64, inode: UInt64 }

    /// Checks that `path` can be read as a data file (a regular file or a pipe) and returns its identity.
    /// - Throws: `InputError.missingFile` (exit 66) or `.notAFile` (exit 66) with the reason.
    @discardableResult
    /// `incidents`: the path is an incident file (a folder's message then suggests its CSV files).
    public static func check(_ path: String, incidents: Bool = false) throws -> Identity {
        if ArchiveInput.member(path) != nil { return try ArchiveInput.check(path) }
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            switch e {
            case ENOENT:
                var l = stat()
                if lstat(path, &l) == 0 { throw InputError.notAFile(path, "a symbolic link to a file that does not exist") }
                throw InputError.missingFile(path)
            case ELOOP: throw InputError.notAFile(path, "a loop of symbolic links")
            case EACCES: throw InputError.notAFile(path, "permission denied: a folder on its path cannot be entered")
            case ENOTDIR: throw InputError.missingFile(path)
            default: throw InputError.notAFile(path, String(cString: strerror(e)))
            }
        }
        let type = st.st_mode & S_IFMT
        if type == S_IFDIR {
            throw InputError.notAFile(path, incidents ? "a folder, not a file; give the files inside it, e.g. \(path)/*.csv"
                                                      : "a folder, not a file; give the file itself (the one inside it you mean)")
        }
        if type != S_IFREG && type != S_IFIFO {
            throw InputError.notAFile(path, "a device or socket, not a data file")
        }
        if access(path, R_OK) != 0 { throw InputError.notAFile(path, "permission denied: the file cannot be read (check its permissions)") }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// Opens `path` for reading. A named pipe (a FIFO made with mkfifo, not `<(…)` or /dev/stdin) waits for its
    /// writer, as `cat` does: after 2 s the wait is said on stderr, with what to do (issue 21: a FIFO never waits
    /// without a word).
    public static func open(_ path: String) throws -> FileHandle {
        var st = stat()
        let named = stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO
            && !path.hasPrefix("/dev/fd/") && !path.hasPrefix("/proc/") && path != "/dev/stdin"
        let notice = DispatchWorkItem {
            FileHandle.standardError.write(Data("hotspot: waiting for data on \(path), a named pipe (FIFO): start the program that writes to it, or press Ctrl-C\n".utf8))
        }
        if named { DispatchQueue.global().asyncAfter(deadline: .now() + 2, execute: notice) }
        defer { notice.cancel() }
        guard let fh = FileHandle(forReadingAtPath: path) else { throw InputError.notAFile(path, "cannot be opened") }
        return fh
    }

    /// The size in bytes of what `path` names, following symbolic links (a link's own size is not its file's);
    /// 0 when it cannot be told (a pipe).
    public static func size(_ path: String) -> Int {
        if ArchiveInput.member(path) != nil { return ArchiveInput.size(path) }
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return 0 }
        return Int(st.st_size)
    }

    /// Reads a whole (small) file: polygon layers, population tables, hotspot products. Refuses files over `limit`.
    public static func contents(_ path: String, limit: Int = 2 << 30) throws -> Data {
        try check(path)
        let fh = try open(path)
        defer { try? fh.close() }
        var data = Data()
        while true {
            let chunk: Data
            do { chunk = try fh.read(upToCount: 1 << 22) ?? Data() } catch {
                throw InputError.unreadable(path, "read error: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            data.append(chunk)
            if data.count > limit { throw InputError.unreadable(path, "larger than \(limit >> 20) MiB: is this the right file?") }
        }
        return data
    }

    /// Reads a whole file as UTF-8 text (a byte-order mark is dropped); UTF-16 and other encodings are refused
    /// with advice.
    public static func text(_ path: String, limit: Int = 2 << 30) throws -> String {
        var data = try contents(path, limit: limit)
        if let why = encodingProblem(data.prefix(4096)) { throw InputError.unreadable(path, why) }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        guard let s = String(data: data, encoding: .utf8) else {
            throw InputError.unreadable(path, "not UTF-8 text (e.g. Windows-1252 or Latin-1); save it as UTF-8")
        }
        return s
    }

    /// Why the first bytes of a file cannot be UTF-8 text (UTF-16/32 byte-order marks, NUL bytes), or nil.
    public static func encodingProblem<C: Collection>(_ head: C) -> String? where C.Element == UInt8 {
        let b = Array(head.prefix(4096))
        if b.starts(with: [0xFF, 0xFE]) || b.starts(with: [0xFE, 0xFF]) {
            return "the file is UTF-16 encoded; save it as UTF-8 (in Excel: CSV UTF-8)"
        }
        if b.contains(0) { return "the file holds NUL bytes: it is UTF-16 or binary, not UTF-8 text; save it as UTF-8 CSV" }
        return nil
    }
}
