import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HotspotServe

/// The Hummingbird app end to end: routes, methods, content negotiation, and files under the folder only.
@Suite(.serialized) struct AppTests {
    func app(_ fx: Fixture) throws -> some ApplicationProtocol {
        Application(router: ServeApp.router(try FeatureService(folder: fx.folder), fallbackBase: "http://localhost"),
                    server: HTTP1ClosingChannel.builder())
    }

    @Test func pathEscapesAre404OverRealHTTP() async throws {
        let fx = try Fixture.make()
        defer { fx.remove() }
        // .live: a real socket, the request line sent as written (no client-side normalisation).
        try await app(fx).test(.live) { client in
            for path in ["/../outside/secret.txt", "/layers/../../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%2E%2E%2Foutside%2Fsecret.txt",
                         "/layers%2Flatest%2Fpoints.geojson", "/..%2foutside/secret.txt", "/secret-link", "/outside-dir/secret.txt",
                         "/outside-dir/", "//etc/passwd", "/.staging/hidden.geojson", "/layers/latest/..%5c..%5coutside", "/%00", "/nothing-here.txt"] {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .notFound, "\(path)")
                    #expect(r.headers[.contentType] == "application/problem+json", "\(path)")
                    #expect(!String(buffer: r.body).contains("secret\n") && String(buffer: r.body) != "secret", "\(path)")
                }
            }
            // Files inside the folder are served, with their types.
            try await client.execute(uri: "/map.html", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "text/html; charset=utf-8")
            }
            try await client.execute(uri: "/layers/latest/points.fields.csv", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body).hasPrefix("field,column,type"))
            }
        }
    }

    @Test func readOnlyGETAndHEADOnly() async throws {
        let fx = try Fixture.make()
        defer { fx.remove() }
        try await app(fx).test(.router) { client in
            for m: HTTPRequest.Method in [.post, .put, .delete, .patch] {
                for path in ["/collections", "/collections/layers.latest.points/items", "/map.html", "/nothing"] {
                    try await client.execute(uri: path, method: m) { r in
                        #expect(r.status == .methodNotAllowed, "\(m) \(path)")
                        #expect(r.headers[.allow] == "GET, HEAD")
                    }
                }
            }
            try await client.execute(uri: "/collections/layers.latest.points/items?limit=5", method: .head) { r in
                #expect(r.status == .ok && r.body.readableBytes == 0)
                #expect(r.headers[.contentType] == "application/geo+json")
            }
        }
    }

    @Test func routesAndNegotiation() async throws {
        let fx = try Fixture.make()
        defer { fx.remove() }
        try await app(fx).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "application/json")
                #expect(String(buffer: r.body).contains("\"rel\":\"service-desc\""))
            }
            try await client.execute(uri: "/collections", method: .get, headers: [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]) { r in
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: r.body).contains("layers.latest.points"))
            }
            try await client.execute(uri: "/collections?f=json", method: .get, headers: [.accept: "text/html"]) { r in
                #expect(r.headers[.contentType] == "application/json")
            }
            try await client.execute(uri: "/api", method: .get) { r in
                #expect(r.headers[.contentType] == "application/vnd.oai.openapi+json;version=3.0")
            }
            try await client.execute(uri: "/conformance", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/collections/layers.latest.points", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains("\"storageCrs\""))
            }
            try await client.execute(uri: "/collections/layers.latest.points/items/p-3", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "application/geo+json")
                #expect(r.headers[HTTPField.Name("Content-Crs")!] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
            }
            try await client.execute(uri: "/collections/layers.latest.points/items?bbox=1,2", method: .get) { r in
                #expect(r.status == .badRequest && r.headers[.contentType] == "application/problem+json")
            }
            // An id with an encoded slash names no collection.
            try await client.execute(uri: "/collections/layers%2Flatest%2Fpoints/items", method: .get) { r in
                #expect(r.status == .notFound && r.headers[.contentType] == "application/problem+json")
            }
            // Links are absolute, on the host the client used (the router test sends Host: localhost).
            try await client.execute(uri: "/collections/layers.latest.points/items?limit=1", method: .get) { r in
                #expect(String(buffer: r.body).contains("\"href\":\"http://localhost/collections/layers.latest.points/items?f=json&limit=1&offset=1\""))
            }
        }
    }
}
