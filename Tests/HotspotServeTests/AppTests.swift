import Foundation
import Hummingbird
import Logging
import Testing
@testable import HotspotServe
#if canImport(Glibc)
import Glibc
#endif

/// The Hummingbird app end to end over a real socket on 127.0.0.1: routes, methods, content negotiation, and files
/// under the folder only. Requests are written byte for byte by a small client of this file (no client-side
/// normalisation of `..` or `%2e`), so what a hostile client sends is what the server gets.
@Suite(.serialized) struct AppTests {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One request on a new connection (`Connection: close`), the response read to its end.
    static func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:]) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
        var req = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for (k, v) in headers { req += "\(k): \(v)\r\n" }
        req += "\r\n"
        _ = req.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        var data = Data(), buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw POSIXError(.EBADMSG) }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var hs: [String: String] = [:]
        for line in head.dropFirst() {
            if let c = line.firstIndex(of: ":") { hs[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces) }
        }
        var body = Data(data[split.upperBound...])
        if hs["transfer-encoding"] == "chunked" {
            var out = Data(), rest = body
            while let eol = rest.range(of: Data("\r\n".utf8)), let size = Int(String(decoding: rest[..<eol.lowerBound], as: UTF8.self), radix: 16), size > 0 {
                let start = eol.upperBound
                out.append(rest[start..<rest.index(start, offsetBy: size)])
                rest = Data(rest[rest.index(start, offsetBy: size + 2)...])
            }
            body = out
        }
        return Response(status: status, headers: hs, body: body)
    }

    /// Runs the app on 127.0.0.1 (any free port) while `body` sends requests to it.
    func live(_ fx: Fixture, _ body: @escaping @Sendable (Int) throws -> Void) async throws {
        let (ports, cont) = AsyncStream<Int>.makeStream()
        let app = Application(router: ServeApp.router(try FeatureService(folder: fx.folder), fallbackBase: "http://localhost"),
                              server: HTTP1ClosingChannel.builder(),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "hotspot"),
                              onServerRunning: { cont.yield($0.localAddress?.port ?? 0) },
                              logger: { var l = Logger(label: "hotspot-serve-test"); l.logLevel = .critical; return l }())  // the stop is a cancellation
        try await withThrowingTaskGroup(of: Void.self) { g in
            g.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var it = ports.makeAsyncIterator()
            guard let port = await it.next() else { return }
            let work = Task.detached { try body(port) }
            let result = await work.result
            g.cancelAll()
            try result.get()
        }
    }

    @Test func pathEscapesAre404OverRealHTTP() async throws {
        let fx = try Fixture.make()
        defer { fx.remove() }
        // .live: a real socket, the request line sent as written (no client-side normalisation).
        try await live(fx) { port in
            for path in ["/../outside/secret.txt", "/layers/../../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%2E%2E%2Foutside%2Fsecret.txt",
                         "/layers%2Flatest%2Fpoints.geojson", "/..%2foutside/secret.txt", "/secret-link", "/outside-dir/secret.txt",
                         "/outside-dir/", "//etc/passwd", "/.staging/hidden.geojson", "/layers/latest/..%5c..%5coutside", "/%00", "/nothing-here.txt"] {
                let r = try Self.request(port: port, "GET", path)
                #expect(r.status == 404, "\(path)")
                #expect(r.headers["content-type"] == "application/problem+json", "\(path)")
                #expect(!r.text.contains("secret\n") && r.text != "secret", "\(path)")
            }
            // Files inside the folder are served, with their types.
            let page = try Self.request(port: port, "GET", "/map.html")
            #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
            let csv = try Self.request(port: port, "GET", "/layers/latest/points.fields.csv")
            #expect(csv.status == 200 && csv.text.hasPrefix("field,column,type"))
        }
    }

    @Test func readOnlyGETAndHEADOnly() async throws {
        let fx = try Fixture.make()
        defer { fx.remove() }
        try await live(fx) { port in
            for m in ["POST", "PUT", "DELETE", "PATCH"] {
                for path in ["/collections", "/collections/layers.latest.points/items", "/map.html", "/nothing"] {
                    let r = try Self.request(port: port, m, path, headers: ["Content-Length": "0"])
                    #expect(r.status == 405, "\(m) \(path)")
                    #expect(r.headers["allow"] == "GET, HEAD")
                }
            }
            let head = try Self.request(port: port, "HEAD", "/collections/layers.latest.points/items?limit=5")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.headers["content-type"] == "application/geo+json")
        }
    }

    @Test func routesAndNegotiation() async throws {
        let fx = try Fixture.make()
        defer { fx.remove() }
        try await live(fx) { port in
            func get(_ path: String, _ headers: [String: String] = [:]) throws -> Response { try Self.request(port: port, "GET", path, headers: headers) }
            var r = try get("/")
            #expect(r.status == 200 && r.headers["content-type"] == "application/json")
            #expect(r.text.contains("\"rel\":\"service-desc\""))
            r = try get("/collections", ["Accept": "text/html,application/xhtml+xml,*/*;q=0.8"])
            #expect(r.headers["content-type"] == "text/html; charset=utf-8" && r.text.contains("layers.latest.points"))
            r = try get("/collections?f=json", ["Accept": "text/html"])
            #expect(r.headers["content-type"] == "application/json")
            r = try get("/api")
            #expect(r.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0")
            #expect(try get("/conformance").status == 200)
            r = try get("/collections/layers.latest.points")
            #expect(r.status == 200 && r.text.contains("\"storageCrs\""))
            r = try get("/collections/layers.latest.points/items/p-3")
            #expect(r.status == 200 && r.headers["content-type"] == "application/geo+json")
            #expect(r.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
            r = try get("/collections/layers.latest.points/items?bbox=1,2")
            #expect(r.status == 400 && r.headers["content-type"] == "application/problem+json")
            // An id with an encoded slash names no collection.
            r = try get("/collections/layers%2Flatest%2Fpoints/items")
            #expect(r.status == 404 && r.headers["content-type"] == "application/problem+json")
            // Links are absolute, on the host the client used (Host: localhost).
            r = try get("/collections/layers.latest.points/items?limit=1")
            #expect(r.text.contains("\"href\":\"http://localhost/collections/layers.latest.points/items?f=json&limit=1&offset=1\""))
        }
    }
}
