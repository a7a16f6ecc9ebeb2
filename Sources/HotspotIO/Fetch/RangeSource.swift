import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes read by offset: a local file or a file on an HTTP server (byte ranges). `ZipReader` reads archives through
/// it, so a zip's central directory and chosen members are all that cross the disk or the network.
public protocol RangeSource: AnyObject {
    /// The path or URL, as errors name it.
    var name: String { get }
    /// The size in bytes.
    var size: Int64 { get }
    /// Bytes returned by `read` so far (for an HTTP source, the body bytes received).
    var bytesRead: Int64 { get }
    /// `count` bytes from `offset` (fewer only at the end).
    func read(offset: Int64, count: Int) throws -> [UInt8]
}

/// A failure reading an archive: damaged, missing, or (for a URL) not fetched, said with the path or URL and what to do.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// damaged or `content` (not what was asked for, e.g. no such force): 65; missing: 66; network: 69; usage: 64.
    public enum Kind: Sendable { case damaged, content, missing, network, usage }
    public var kind: Kind
    public var description: String
    public init(_ kind: Kind, _ description: String) { self.kind = kind; self.description = description }
}

/// A local file read with `pread(2)`.
public final class FileRangeSource: RangeSource {
    public let name: String
    public let size: Int64
    public private(set) var bytesRead: Int64 = 0
    private let fd: Int32

    public init(path: String) throws {
        try InputFile.check(path)
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError.notAFile(path, String(cString: strerror(errno))) }
        var st = stat()
        fstat(fd, &st)
        name = path
        size = Int64(st.st_size)
    }

    deinit { close(fd) }

    public func read(offset: Int64, count: Int) throws -> [UInt8] {
        let n = max(0, min(Int64(count), size - offset))
        var out = [UInt8](repeating: 0, count: Int(n))
        var done = 0
        while done < out.count {
            let r = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if r < 0 { if errno == EINTR { continue }; throw InputError.unreadable(name, "read error: \(String(cString: strerror(errno)))") }
            if r == 0 { throw ArchiveError(.damaged, "\(name): the file ended early (it changed while being read?)") }
            done += r
        }
        bytesRead += Int64(done)
        return out
    }
}

/// A file on an HTTP(S) server, read by byte ranges (RFC 9110 §14). The size and validators come from a HEAD
/// request; every read is one ranged GET that must answer 206 with the bytes asked for.
public final class HTTPRangeSource: RangeSource {
    public let name: String
    public let size: Int64
    public let etag: String?
    public let lastModified: String?
    public let client: HTTPClient
    public var bytesRead: Int64 { client.bytesReceived - startBytes }
    private let startBytes: Int64

    public init(url: String, client: HTTPClient) throws {
        self.client = client
        startBytes = client.bytesReceived
        name = url
        let head: HTTPResponse
        do { head = try client.head(url) } catch let e as HTTPError {
            throw ArchiveError(.network, e.description)
        }
        if head.status == 404 || head.status == 410 {
            throw ArchiveError(.missing, "\(url): HTTP \(head.status), no such archive (check the URL, or the archive list at the base URL)")
        }
        guard (200..<300).contains(head.status) else {
            throw ArchiveError(.network, "\(url): HTTP \(head.status) to HEAD; try again later")
        }
        if let type = head.headers["content-type"], type.lowercased().hasPrefix("text/html") {
            throw ArchiveError(.content, "\(url): the server answers a web page (text/html), not a zip archive; give the URL of a police.uk YYYY-MM.zip (a page listing the archives goes to --archive-base)")
        }
        guard let length = head.headers["content-length"].flatMap({ Int64($0) }) else {
            throw ArchiveError(.network, "\(url): the server does not say the archive's size (no Content-Length); download it and give the file")
        }
        if let ranges = head.headers["accept-ranges"], ranges.lowercased() == "none" {
            throw ArchiveError(.network, "\(url): the server does not serve byte ranges; download the archive and give the file")
        }
        size = length
        etag = head.headers["etag"]
        lastModified = head.headers["last-modified"]
    }

    public func read(offset: Int64, count: Int) throws -> [UInt8] {
        let n = max(0, min(Int64(count), size - offset))
        if n == 0 { return [] }
        let r: HTTPResponse
        do { r = try client.get(name, range: offset...(offset + n - 1), headers: validators) } catch let e as HTTPError where e.status == nil {
            // A cut connection: asked once more, after a second (never more: no storm of retries).
            sleep(1)
            do { r = try client.get(name, range: offset...(offset + n - 1), headers: validators) } catch let e as HTTPError {
                throw ArchiveError(.network, e.description)
            }
        } catch let e as HTTPError {
            throw ArchiveError(.network, e.description)
        }
        if r.status == 412 { throw changed }
        guard r.status == 206 else {
            throw ArchiveError(.network, "\(name): HTTP \(r.status) to a byte-range request (206 expected); the server must serve ranges, or download the archive and give the file")
        }
        guard r.body.count == n else {
            throw ArchiveError(.network, "\(name): \(r.body.count) bytes came for a range of \(n) (the connection was cut?); run the command again")
        }
        return r.body
    }

    /// `If-Match` with the strong ETag of the HEAD, else `If-Unmodified-Since` with its Last-Modified: a range of an
    /// archive replaced since is refused (412), not mixed in. A weak ETag (`W/"…"`) never matches under `If-Match`'s
    /// strong comparison (RFC 9110 §13.1.1), so it is not sent.
    public var validators: [String: String] {
        if let etag, !etag.hasPrefix("W/") { return ["If-Match": etag] }
        return lastModified.map { ["If-Unmodified-Since": $0] } ?? [:]
    }

    var changed: ArchiveError {
        ArchiveError(.network, "\(name): the archive changed on the server while it was being read; run the command again")
    }
}
