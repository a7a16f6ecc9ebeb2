import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum OutputError: Error, CustomStringConvertible {
    case cannotWrite(String, String)
    public var description: String {
        switch self { case let .cannotWrite(p, why): return "cannot write \(p): \(why)" }
    }
}

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is then renamed over the
/// target, so a reader never sees a half-written output and a failed run leaves the previous file intact.
public enum AtomicFile {
    public static func write(_ data: Data, to given: String) throws {
        var path = given
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT == S_IFIFO || st.st_mode & S_IFMT == S_IFCHR) {
            // A pipe or a device (/dev/stdout): write into it, do not replace it with a regular file.
            guard let fh = FileHandle(forWritingAtPath: given) else { throw OutputError.cannotWrite(given, "cannot open it for writing") }
            defer { try? fh.close() }
            do { try fh.write(contentsOf: data) } catch { throw OutputError.cannotWrite(given, "\(error.localizedDescription)") }
            return
        }
        // Write the file a symbolic link points to (even one not yet there), keeping the link.
        var hops = 0
        while lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK && hops < 16,
              let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            path = dest.hasPrefix("/") ? dest : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(dest)
            hops += 1
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotWrite(path, "cannot create folder \(dir.path)")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        // Temporary files of runs that were killed while writing this file are swept.
        let prefix = ".\(url.lastPathComponent).tmp-"
        for e in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where e.hasPrefix(prefix) {
            if let pid = Int32(e.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(dir.appendingPathComponent(e).path)
            }
        }
        Signals.track(tmp.path)
        defer { Signals.untrack(tmp.path) }
        if let why = writeAll(data, to: tmp.path) {
            unlink(tmp.path)
            throw OutputError.cannotWrite(path, why)
        }
        if rename(tmp.path, path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path, String(cString: strerror(errno)))
        }
    }

    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// Moves a finished temporary file `tmp` (in the target's folder) over `path` when `path` is a regular file or
    /// absent, without writing its bytes again; else (a link, a pipe, a device) writes `data`, its contents, through
    /// `write` and removes `tmp`.
    public static func replace(_ path: String, with tmp: String, data: Data) throws {
        var st = stat()
        let exists = lstat(path, &st) == 0
        if !exists || st.st_mode & S_IFMT == S_IFREG, rename(tmp, path) == 0 { return }
        try write(data, to: path)
        unlink(tmp)
    }

    /// Writes a regular file produced in pieces (a GeoJSON of millions of features) without holding it whole:
    /// `produce` calls its argument with each piece in order; the pieces go to a temporary file in the same folder,
    /// renamed over `path` when `produce` returns (removed when it throws). Returns the file's SHA-256 (lower-case
    /// hex) and size, computed as the pieces pass. For files of an output set's staging folder (regular files).
    public static func stream(to path: String, _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws -> (sha256: String, bytes: Int) {
        let url = URL(fileURLWithPath: path), dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotWrite(path, "cannot create folder \(dir.path)")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
        Signals.track(tmp)
        defer { Signals.untrack(tmp) }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError.cannotWrite(path, String(cString: strerror(errno))) }
        var hash = SHA256(), total = 0
        do {
            try produce { piece in
                hash.update(data: piece)
                if let why = piece.withUnsafeBytes({ writeFully(fd, $0) }) { throw OutputError.cannotWrite(path, why) }
                total += piece.count
            }
        } catch { close(fd); unlink(tmp); throw error }
        if close(fd) != 0 { let why = String(cString: strerror(errno)); unlink(tmp); throw OutputError.cannotWrite(path, why) }
        if rename(tmp, path) != 0 { let why = String(cString: strerror(errno)); unlink(tmp); throw OutputError.cannotWrite(path, why) }
        return (hash.finalize().map { String(format: "%02x", $0) }.joined(), total)
    }

    /// Writes `data` to a new file with write(2); nil on success, else the reason (e.g. "No space left on device").
    static func writeAll(_ data: Data, to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        var failure = data.withUnsafeBytes { writeFully(fd, $0) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        return failure
    }

    /// All of `b` to `fd` with write(2), retried on EINTR; nil on success, else the reason.
    static func writeFully(_ fd: Int32, _ b: UnsafeRawBufferPointer) -> String? {
        var off = 0
        while off < b.count {
            let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
            if n < 0 { if errno == EINTR { continue }; return String(cString: strerror(errno)) }
            off += n
        }
        return nil
    }
}
