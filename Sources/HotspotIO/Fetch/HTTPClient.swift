import CCurl
import Foundation

/// An HTTP answer: status, headers (names lower-cased) and body, and how many body bytes crossed the network.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    public var url: String

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A failure of one request, said in one line with the URL and what to do.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public var url: String
    /// The HTTP status, or nil when no answer came (connection refused, timeout, DNS).
    public var status: Int?
    public var reason: String
    public var description: String {
        if let status { return "\(url): HTTP \(status) \(reason)" }
        return "\(url): \(reason)"
    }
}

/// Settings of every request: timeouts and the User-Agent (`hotspot fetch` never retries a failed request by itself:
/// the caller decides, with back-off, so a failing server is not stormed).
public struct HTTPSettings: Sendable {
    /// Seconds to connect.
    public var connectTimeout: Int = 15
    /// A transfer slower than `lowSpeedBytes` bytes/s for `lowSpeedSeconds` seconds is abandoned (a stalled server).
    public var lowSpeedBytes: Int = 1
    public var lowSpeedSeconds: Int = 30
    /// What the client says of itself (police.uk and ONS ask clients to identify themselves): "hotspot/VERSION (…)".
    public var userAgent: String
    public init(userAgent: String) { self.userAgent = userAgent }
}

/// One libcurl easy handle (owned: cleaned up with the value). Not Sendable: one thread uses it at a time.
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes a failure's detail here (CURLOPT_ERRORBUFFER keeps the pointer, so it lives with the handle).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    public let settings: HTTPSettings
    /// Body bytes received by every request of this client (what crossed the network, after transfer encoding).
    public private(set) var bytesReceived: Int64 = 0
    public private(set) var requests: Int = 0

    public init(settings: HTTPSettings) throws {
        guard HTTPClient.globalInit, let handle = curl_easy_init() else {
            throw HTTPError(url: "", status: nil, reason: "libcurl could not start (is libcurl installed? tools/setup installs it)")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.settings = settings
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private static let globalInit: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    /// GET `url`, the bytes `range` only when given (HTTP Range, RFC 9110 §14), with extra request headers.
    public func get(_ url: String, range: ClosedRange<Int64>? = nil, headers: [String: String] = [:]) throws -> HTTPResponse {
        var sink = MemorySink()
        return try perform(url, method: .get, range: range, headers: headers, sink: &sink)
    }

    /// HEAD `url`: status and headers only.
    public func head(_ url: String) throws -> HTTPResponse {
        var sink = MemorySink()
        return try perform(url, method: .head, range: nil, headers: [:], sink: &sink)
    }

    /// POST `body` (e.g. `application/x-www-form-urlencoded`) to `url`.
    public func post(_ url: String, body: String, contentType: String = "application/x-www-form-urlencoded",
                     headers: [String: String] = [:]) throws -> HTTPResponse {
        var sink = MemorySink()
        var h = headers
        h["Content-Type"] = contentType
        return try perform(url, method: .post(body), range: nil, headers: h, sink: &sink)
    }

    /// GET `url` (from byte `from` on when > 0) appending the body to the open file `file`; the response's body is empty.
    /// A server that ignores the range (status 200 to a ranged request) is an error: the caller must start again.
    public func download(_ url: String, from: Int64, range: ClosedRange<Int64>? = nil, to file: FileHandle,
                         headers: [String: String] = [:]) throws -> HTTPResponse {
        var sink = FileSink(file: file)
        let r: ClosedRange<Int64>? = range.map { (from + $0.lowerBound)...$0.upperBound } ?? (from > 0 ? from...Int64.max : nil)
        // Only the body of the answer asked for reaches the file: a ranged request's 206, else a 2xx. An error page
        // is kept in memory (not written); a 200 to a ranged request stops the transfer at once (not the whole file).
        let accept: (Int) -> Bool? = { status in
            if r != nil { return status == 206 ? true : (200..<300).contains(status) ? nil : false }
            return (200..<300).contains(status) ? true : false
        }
        let response: HTTPResponse
        do { response = try perform(url, method: .get, range: r, headers: headers, sink: &sink, accept: accept) } catch let e as HTTPError {
            if r != nil && lastStatus == 200 { throw HTTPError(url: url, status: 200, reason: "the server ignored the byte range asked for") }
            throw e
        }
        if let error = sink.error { throw HTTPError(url: url, status: nil, reason: "could not write: \(error)") }
        return response
    }

    enum Method { case get, head, post(String) }

    /// The status of the last answer (also when the transfer then failed).
    public private(set) var lastStatus = 0

    /// `accept(status)`: true writes the body to `sink`, false keeps it in memory (an error page), nil stops the
    /// transfer (an answer that must not be taken, e.g. a whole file for a ranged request).
    private func perform<S: Sink>(_ url: String, method: Method, range: ClosedRange<Int64>?, headers: [String: String],
                                  sink: inout S, accept: ((Int) -> Bool?)? = nil) throws -> HTTPResponse {
        curl_easy_reset(handle)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        let collector = Collector()
        requests += 1
        let code: CURLcode = withUnsafeMutablePointer(to: &sink) { sinkPointer in
            collector.write = { bytes in
                guard let accept else { return sinkPointer.pointee.write(bytes) }
                switch accept(collector.status) {
                case true?: return sinkPointer.pointee.write(bytes)
                case false?: collector.errorBody.append(contentsOf: bytes); return true
                case nil: return false
                }
            }
            let box = Unmanaged.passUnretained(collector).toOpaque()
            _ = hs_curl_set_string(handle, CURLOPT_URL, url)
            _ = hs_curl_set_string(handle, CURLOPT_USERAGENT, settings.userAgent)
            _ = hs_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
            _ = hs_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedBytes)
            _ = hs_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, settings.lowSpeedSeconds)
            _ = hs_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1)
            _ = hs_curl_set_long(handle, CURLOPT_MAXREDIRS, 5)
            _ = hs_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            _ = hs_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
            if let headerList { _ = hs_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList) }
            if let range {
                let spec = range.upperBound == Int64.max ? "\(range.lowerBound)-" : "\(range.lowerBound)-\(range.upperBound)"
                _ = hs_curl_set_string(handle, CURLOPT_RANGE, spec)
            }
            switch method {
            case .get: break
            case .head: _ = hs_curl_set_long(handle, CURLOPT_NOBODY, 1)
            case .post(let body):
                _ = hs_curl_set_long(handle, CURLOPT_POST, 1)
                _ = hs_curl_set_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.utf8.count))
                _ = hs_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, body)
            }
            _ = hs_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback)
            _ = hs_curl_set_pointer(handle, CURLOPT_WRITEDATA, box)
            _ = hs_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
            _ = hs_curl_set_pointer(handle, CURLOPT_HEADERDATA, box)
            return curl_easy_perform(handle)
        }
        collector.write = nil
        var status = 0
        _ = hs_curl_info_long(handle, CURLINFO_RESPONSE_CODE, &status)
        lastStatus = status
        var downloaded: curl_off_t = 0
        _ = hs_curl_info_off(handle, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        bytesReceived += Int64(downloaded)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw HTTPError(url: url, status: nil, reason: message + HTTPClient.advice(for: code))
        }
        return HTTPResponse(status: status, headers: collector.headers, body: collector.errorBody.isEmpty ? sink.bytes : collector.errorBody, url: url)
    }

    /// What to do about a transport failure, said after it.
    static func advice(for code: CURLcode) -> String {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT:
            return " (no connection: check the address and the network, then run the command again)"
        case CURLE_OPERATION_TIMEDOUT:
            return " (the server stopped answering: run the command again later; what was fetched is kept and resumed)"
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            return " (the connection was cut: run the command again; it resumes where it stopped)"
        default: return ""
        }
    }
}

/// Where a response body goes.
protocol Sink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) -> Bool
    var bytes: [UInt8] { get }
}

struct MemorySink: Sink {
    var bytes: [UInt8] = []
    mutating func write(_ chunk: UnsafeRawBufferPointer) -> Bool { bytes.append(contentsOf: chunk); return true }
}

struct FileSink: Sink {
    let file: FileHandle
    var error: Error?
    var bytes: [UInt8] { [] }
    mutating func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        do { try file.write(contentsOf: Data(chunk)); return true } catch { self.error = error; return false }
    }
}

/// The state libcurl's callbacks reach through their user pointer (alive for one perform).
private final class Collector {
    var write: ((UnsafeRawBufferPointer) -> Bool)?
    var headers: [String: String] = [:]
    /// The status of the answer being received (from its status line), 0 before it.
    var status = 0
    /// The body of an answer `accept` kept out of the sink.
    var errorBody: [UInt8] = []
}

private let writeCallback: hs_curl_callback = { data, size, count, user in
    guard let data, let user else { return 0 }
    let collector = Unmanaged<Collector>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    let ok = collector.write?(UnsafeRawBufferPointer(start: data, count: n)) ?? false
    return ok ? n : 0
}

private let headerCallback: hs_curl_callback = { data, size, count, user in
    guard let data, let user else { return 0 }
    let collector = Unmanaged<Collector>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
    if line.hasPrefix("HTTP/") {  // a redirect's or 100-continue's headers are dropped
        collector.headers = [:]
        collector.status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }
    if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        collector.headers[name] = value
    }
    return n
}
