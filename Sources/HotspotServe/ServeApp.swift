import Foundation
import HTTPTypes
import Hummingbird

/// The Hummingbird side: routes → `FeatureService`, GET and HEAD only (anything else 405), problems as JSON.
public enum ServeApp {
    /// Refuses every method but GET and HEAD with 405 and an `Allow` header; turns a thrown error into a problem.
    struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            guard request.method == .get || request.method == .head else {
                var r = response(.problem(Problem(405, "Method Not Allowed", "this server is read-only: send GET or HEAD")), head: false)
                r.headers[.allow] = "GET, HEAD"
                return r
            }
            do { return try await next(request, context) } catch let e as HTTPError where e.status == .notFound {
                return response(.problem(.notFound("nothing is served at \(request.uri.path): the collections are at /collections")), head: request.method == .head)
            } catch let e as HTTPError {
                return response(.problem(Problem(Int(e.status.code), e.status.reasonPhrase, e.body ?? e.status.reasonPhrase)), head: request.method == .head)
            } catch {
                return response(.problem(Problem(500, "Internal Server Error", "\(error)")), head: request.method == .head)
            }
        }
    }

    static func response(_ r: Reply, head: Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = r.contentType
        for (k, v) in r.headers { if let name = HTTPField.Name(k) { fields[name] = v } }
        fields[.contentLength] = String(r.body.count)
        return Response(status: .init(code: r.status), headers: fields,
                        body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: r.body)))
    }

    /// The base URL clients used (from `Host`), for absolute links; `fallback` when it is absent or odd.
    static func base(_ request: Request, fallback: String) -> String {
        guard let host = request.head.authority, !host.isEmpty, host.count < 256,
              host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0)) })
        else { return fallback }
        return "http://" + host
    }

    public static func router(_ service: FeatureService, fallbackBase: String) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: ReadOnlyMiddleware())
        @Sendable func info(_ request: Request) -> RequestInfo {
            RequestInfo(query: Percent.query(request.uri.query), accept: request.headers[.accept], base: base(request, fallback: fallbackBase))
        }
        @Sendable func param(_ context: BasicRequestContext, _ name: String) -> String {
            let raw = context.parameters.get(name) ?? ""
            return Percent.decode(raw[...]) ?? raw
        }
        router.get("/") { request, _ in response(service.landing(info(request)), head: false) }
        router.get("/conformance") { request, _ in response(service.conformanceDoc(info(request)), head: false) }
        router.get("/api") { request, _ in response(service.api(info(request)), head: false) }
        router.get("/collections") { request, _ in response(await service.collections(info(request)), head: false) }
        router.get("/collections/{id}") { request, context in
            response(await service.collection(param(context, "id"), info(request)), head: false)
        }
        router.get("/collections/{id}/items") { request, context in
            response(await service.items(param(context, "id"), info(request)), head: false)
        }
        router.get("/collections/{id}/items/{fid}") { request, context in
            response(await service.feature(param(context, "id"), param(context, "fid"), info(request)), head: false)
        }
        // Everything else: a file under the folder (the web map and its assets, PNG/PDF maps), checked by PathGuard.
        router.get("/**") { request, _ in response(service.file(rawPath: request.uri.path), head: false) }
        return router
    }
}
