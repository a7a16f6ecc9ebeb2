import Foundation

public enum OutputError: Error, CustomStringConvertible {
    case cannotWrite(String, String)
    public var description: String {
        switch self { case let .cannotWrite(p, why): return "cannot write \(p): \(why)" }
    }
}

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is then renamed over the
/// target, so a reader never sees a half-written output and a failed run leaves the previous file intact.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotWrite(path, "cannot create folder \(dir.path)")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: tmp.path, contents: data) else {
            throw OutputError.cannotWrite(path, "cannot create a temporary file in \(dir.path)")
        }
        if rename(tmp.path, path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path, String(cString: strerror(errno)))
        }
    }

    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}
