import Crypto
import Foundation

public enum Hashing {
    /// Lower-case hex SHA-256 of bytes.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
    /// SHA-256 of a file, streamed.
    public static func sha256(file: String) throws -> String {
        guard let fh = FileHandle(forReadingAtPath: file) else { throw InputError.missingFile(file) }
        defer { try? fh.close() }
        var h = SHA256()
        while let d = try fh.read(upToCount: 1 << 22), !d.isEmpty { h.update(data: d) }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
