import Foundation

/// A response before it meets HTTP: status, content type, extra headers, body.
public struct Reply: Sendable {
    public var status: Int
    public var contentType: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int = 200, contentType: String, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status; self.contentType = contentType; self.headers = headers; self.body = body
    }

    public static func problem(_ p: Problem) -> Reply { Reply(status: p.status, contentType: "application/problem+json", body: p.json) }
    static func json(_ v: JSON, type: String = "application/json", headers: [(String, String)] = []) -> Reply {
        Reply(contentType: type, headers: headers, body: JSONWriter.encode(v))
    }
    static func html(_ s: String, headers: [(String, String)] = []) -> Reply {
        Reply(contentType: "text/html; charset=utf-8", headers: headers, body: Array(s.utf8))
    }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the service needs of a request: the query (decoded pairs), the `Accept` header, and the URL clients used
/// to reach it (for absolute links).
public struct RequestInfo: Sendable {
    public var query: [(String, String)]
    public var accept: String?
    public var base: String

    public init(query: [(String, String)] = [], accept: String? = nil, base: String) {
        self.query = query; self.accept = accept; self.base = base
    }

    func value(_ k: String) -> String? { query.first { $0.0 == k }?.1 }
    func format() throws(Problem) -> Format { try Format.negotiate(f: value("f"), accept: accept) }
}

/// OGC API – Features (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS by reference) over the layers of a
/// folder. Pure of HTTP: each endpoint takes a `RequestInfo` and gives a `Reply`; `ServeApp` routes to them.
public final class FeatureService: Sendable {
    public let root: String
    public let catalogue: CatalogueStore
    public let cache: LayerCache

    public static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ]

    /// `folder` must exist; it is resolved once (symbolic links in it followed) and everything served lies under it.
    public init(folder: String, cache: LayerCache = LayerCache()) throws {
        guard let r = PathGuard.realpath(folder) else { throw LayerError.unreadable("\(folder): no such folder") }
        var st = stat()
        guard stat(r, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw LayerError.unreadable("\(folder) is not a folder") }
        root = r
        catalogue = CatalogueStore(root: r)
        self.cache = cache
    }

    // MARK: Landing, conformance, API

    public func landing(_ r: RequestInfo) -> Reply {
        let format: Format
        do { format = try r.format() } catch { return .problem(error) }
        let n = catalogue.current().entries.count
        if format == .html { return .html(HTMLPages.landing(base: r.base, folder: root, collections: n)) }
        return .json(.object([
            ("title", .string("hotspot serve: \((root as NSString).lastPathComponent)")),
            ("description", .string("OGC API – Features over the \(n) layers of \(root) (read-only).")),
            ("links", .array([
                link(r.base + "/?f=json", "self", "application/json", "This document"),
                link(r.base + "/?f=html", "alternate", "text/html", "This document as HTML"),
                link(r.base + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
                link(r.base + "/conformance", "conformance", "application/json", "Conformance classes"),
                link(r.base + "/collections", "data", "application/json", "The collections"),
            ])),
        ]))
    }

    public func conformanceDoc(_ r: RequestInfo) -> Reply {
        let format: Format
        do { format = try r.format() } catch { return .problem(error) }
        if format == .html { return .html(HTMLPages.conformance(base: r.base, classes: Self.conformance)) }
        return .json(.object([("conformsTo", .array(Self.conformance.map { .string($0) }))]))
    }

    public func api(_ r: RequestInfo) -> Reply {
        .json(OpenAPIDocument.make(base: r.base), type: "application/vnd.oai.openapi+json;version=3.0")
    }

    // MARK: Collections

    /// Every collection whose layer can be read (one that cannot is left out of the list; asking for it gives the reason).
    public func collections(_ r: RequestInfo) async -> Reply {
        let format: Format
        do { format = try r.format() } catch { return .problem(error) }
        let cat = catalogue.current()
        cache.prune(keeping: cat.entries)
        let loaded = await withTaskGroup(of: (Int, ServedLayer?).self) { g in
            for (i, e) in cat.entries.enumerated() { g.addTask { (i, try? await self.cache.layer(e)) } }
            var out = [ServedLayer?](repeating: nil, count: cat.entries.count)
            for await (i, l) in g { out[i] = l }
            return out
        }
        let pairs = zip(cat.entries, loaded).compactMap { e, l in l.map { (e, $0) } }
        if format == .html { return .html(HTMLPages.collections(base: r.base, pairs)) }
        return .json(.object([
            ("links", .array([
                link(r.base + "/collections?f=json", "self", "application/json", "The collections"),
                link(r.base + "/collections?f=html", "alternate", "text/html", "The collections as HTML"),
            ])),
            ("collections", .array(pairs.map { collectionJSON($0.0, $0.1, base: r.base) })),
            ("crs", .array(ServedCRS.allCases.map { .string($0.rawValue) })),
        ]))
    }

    public func collection(_ id: String, _ r: RequestInfo) async -> Reply {
        let format: Format
        do { format = try r.format() } catch { return .problem(error) }
        switch await layer(id) {
        case .failure(let p): return .problem(p)
        case .success(let (e, l)):
            if format == .html { return .html(HTMLPages.collection(base: r.base, e, l)) }
            return .json(collectionJSON(e, l, base: r.base))
        }
    }

    func layer(_ id: String) async -> Result<(CatalogueEntry, ServedLayer), Problem> {
        guard let e = catalogue.entry(id) else {
            return .failure(.notFound("no collection '\(id)': the list is at /collections"))
        }
        do { return .success((e, try await cache.layer(e))) } catch {
            if FileKey.of(path: e.path) == nil { return .failure(.notFound("collection '\(id)' is gone (its file was removed or replaced): the list is at /collections")) }
            return .failure(Problem(500, "Internal Server Error", "collection '\(id)' (\(e.relativePath)) cannot be read: \(error)"))
        }
    }

    /// Field list with full names, for descriptions.
    static func fieldsText(_ l: ServedLayer) -> String {
        l.fields.map { f in f.fullName.map { $0 == f.name ? f.name : "\(f.name) = \($0)" } ?? f.name }.joined(separator: ", ")
    }

    static func description(_ e: CatalogueEntry, _ l: ServedLayer) -> String {
        let kinds = l.geometryTypes.isEmpty ? "" : l.geometryTypes.joined(separator: "/") + " "
        var s = "\(l.features.count) \(kinds)features from \(e.relativePath)"
        if case .geopackage(let t) = e.source { s += " (table \(t))" }
        s += "."
        if !l.fields.isEmpty { s += " Fields: \(fieldsText(l))." }
        if let t = l.temporalField { s += " Dated by '\(t)': filter with datetime." }
        return s
    }

    func collectionJSON(_ e: CatalogueEntry, _ l: ServedLayer, base: String) -> JSON {
        let u = base + "/collections/" + Percent.encode(e.id)
        var extent: [(String, JSON)] = []
        if !l.extent84.isEmpty {
            let b = l.extent84
            extent.append(("spatial", .object([
                ("bbox", .array([.array([b.minX, b.minY, b.maxX, b.maxY].map { .double($0) })])),
                ("crs", .string(ServedCRS.crs84.rawValue)),
            ])))
        }
        if let t = l.temporalExtent {
            extent.append(("temporal", .object([
                ("interval", .array([.array([.string(TimeParser.format(t.lowerBound)), .string(TimeParser.format(t.upperBound))])])),
                ("trs", .string("http://www.opengis.net/def/uom/ISO-8601/0/Gregorian")),
            ])))
        }
        var members: [(String, JSON)] = [
            ("id", .string(e.id)),
            ("title", .string(e.title)),
            ("description", .string(Self.description(e, l))),
            ("links", .array([
                link(u + "?f=json", "self", "application/json", "This collection"),
                link(u + "?f=html", "alternate", "text/html", "This collection as HTML"),
                link(u + "/items?f=json", "items", "application/geo+json", "The features"),
                link(u + "/items?f=html", "items", "text/html", "The features as HTML"),
            ])),
        ]
        if !extent.isEmpty { members.append(("extent", .object(extent))) }
        members.append(("itemType", .string("feature")))
        members.append(("crs", .array(ServedCRS.allCases.map { .string($0.rawValue) })))
        if let s = ServedCRS.allCases.first(where: { $0.epsg == l.storageEPSG }) { members.append(("storageCrs", .string(s.rawValue))) }
        // The fields with their full names (from NAME.fields.csv) and types, for clients that show them.
        members.append(("fields", .array(l.fields.map { f in
            .object([("name", .string(f.name)), ("title", .string(f.fullName ?? f.name)), ("type", .string(f.type))])
        })))
        return .object(members)
    }

    // MARK: Items

    public func items(_ id: String, _ r: RequestInfo) async -> Reply {
        let e: CatalogueEntry, l: ServedLayer
        switch await layer(id) {
        case .failure(let p): return .problem(p)
        case .success(let v): (e, l) = v
        }
        let q: ItemsQuery
        do { q = try ItemsQuery.parse(r.query, accept: r.accept, dated: l.temporalField != nil, collection: id) } catch { return .problem(error) }
        let matched = Self.filter(l, q)
        let start = min(q.offset, matched.count), end = min(matched.count, start + q.limit)
        let page = matched[start..<end]
        let u = r.base + "/collections/" + Percent.encode(e.id) + "/items"
        func url(offset: Int, f: Format) -> String {
            var ps = ["f=\(f.rawValue)", "limit=\(q.limit)", "offset=\(offset)"]
            if let b = r.value("bbox") { ps.append("bbox=" + Percent.encode(b)) }
            if let c = r.value("bbox-crs") { ps.append("bbox-crs=" + Percent.encode(c)) }
            if let d = q.datetimeText { ps.append("datetime=" + Percent.encode(d)) }
            if q.crs != .crs84 { ps.append("crs=" + Percent.encode(q.crs.rawValue)) }
            return u + "?" + ps.joined(separator: "&")
        }
        var links: [JSON] = [
            link(url(offset: q.offset, f: .json), "self", "application/geo+json", "This page"),
            link(url(offset: q.offset, f: .html), "alternate", "text/html", "This page as HTML"),
        ]
        let nextOffset = end < matched.count ? q.offset + page.count : nil
        let prevOffset = q.offset > 0 ? max(0, q.offset - q.limit) : nil
        if let n = nextOffset { links.append(link(url(offset: n, f: .json), "next", "application/geo+json", "Next page")) }
        if let p = prevOffset { links.append(link(url(offset: p, f: .json), "prev", "application/geo+json", "Previous page")) }
        links.append(link(r.base + "/collections/" + Percent.encode(e.id) + "?f=json", "collection", "application/json", "The collection"))
        let crsHeader = [("Content-Crs", "<\(q.crs.rawValue)>")]
        let stamp = TimeParser.format(Date().timeIntervalSince1970)
        if q.format == .html {
            return .html(HTMLPages.items(base: r.base, e, l, page: page.map { l.features[$0] }, matched: matched.count, offset: q.offset,
                                         next: nextOffset.map { url(offset: $0, f: .html) }, prev: prevOffset.map { url(offset: $0, f: .html) },
                                         json: url(offset: q.offset, f: .json)), headers: crsHeader)
        }
        var out: [UInt8] = []
        out.reserveCapacity(page.reduce(256) { $0 + l.features[$1].json[q.crs]!.count + 1 })
        out.append(contentsOf: "{\"type\":\"FeatureCollection\",\"numberMatched\":\(matched.count),\"numberReturned\":\(page.count),\"timeStamp\":\"\(stamp)\",\"links\":".utf8)
        JSONWriter.write(.array(links), into: &out)
        out.append(contentsOf: ",\"features\":[".utf8)
        var first = true
        for i in page {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: l.features[i].json[q.crs]!)
        }
        out.append(contentsOf: "]}".utf8)
        return Reply(contentType: "application/geo+json", headers: crsHeader, body: out)
    }

    /// Positions of the features that meet the query's bbox (in its CRS) and datetime, in file order.
    public static func filter(_ l: ServedLayer, _ q: ItemsQuery) -> [Int] {
        if q.bbox == nil && q.datetime == nil { return Array(l.features.indices) }
        return l.features.indices.filter { i in
            let f = l.features[i]
            if let b = q.bbox {
                guard let g = f.geometry[q.bboxCRS] ?? nil, g.intersects(b) else { return false }
            }
            if let d = q.datetime {
                guard let t = f.time, d.matches(t) else { return false }
            }
            return true
        }
    }

    public func feature(_ id: String, _ fid: String, _ r: RequestInfo) async -> Reply {
        let e: CatalogueEntry, l: ServedLayer
        switch await layer(id) {
        case .failure(let p): return .problem(p)
        case .success(let v): (e, l) = v
        }
        let format: Format
        var crs = ServedCRS.crs84
        do {
            for (k, _) in r.query where !["f", "crs"].contains(k) {
                throw Problem.badRequest("unknown query parameter '\(k)': a feature takes f and crs")
            }
            format = try r.format()
            if let c = r.value("crs") {
                guard let v = ServedCRS.named(c) else { throw Problem.badRequest("crs=\(c) is not offered: send crs=\(ServedCRS.crs84.rawValue) (the default) or crs=\(ServedCRS.bng.rawValue)") }
                crs = v
            }
        } catch let p as Problem { return .problem(p) } catch { return .problem(Problem(500, "Internal Server Error", "\(error)")) }
        guard let f = l.feature(id: fid) else {
            return .problem(.notFound("collection '\(id)' has no feature '\(fid)': its features are listed at /collections/\(Percent.encode(id))/items"))
        }
        let u = r.base + "/collections/" + Percent.encode(e.id)
        let crsHeader = [("Content-Crs", "<\(crs.rawValue)>")]
        if format == .html { return .html(HTMLPages.feature(base: r.base, e, l, f), headers: crsHeader) }
        var out = f.json[crs]!
        out.removeLast()
        out.append(contentsOf: ",\"links\":".utf8)
        JSONWriter.write(.array([
            link(u + "/items/" + Percent.encode(fid) + "?f=json", "self", "application/geo+json", "This feature"),
            link(u + "/items/" + Percent.encode(fid) + "?f=html", "alternate", "text/html", "This feature as HTML"),
            link(u + "?f=json", "collection", "application/json", "The collection"),
        ]), into: &out)
        out.append(UInt8(ascii: "}"))
        return Reply(contentType: "application/geo+json", headers: crsHeader, body: out)
    }

    // MARK: Files

    /// A file under the folder (the web map, its scripts, PNG/PDF maps), or 404.
    public func file(rawPath: String) -> Reply {
        guard let p = PathGuard.resolve(rawPath: rawPath, root: root),
              let data = FileManager.default.contents(atPath: p) else {
            return .problem(.notFound("nothing is served at \(rawPath): the collections are at /collections"))
        }
        return Reply(contentType: PathGuard.contentType(p), body: [UInt8](data))
    }

    func link(_ href: String, _ rel: String, _ type: String, _ title: String) -> JSON {
        .object([("href", .string(href)), ("rel", .string(rel)), ("type", .string(type)), ("title", .string(title))])
    }
}
