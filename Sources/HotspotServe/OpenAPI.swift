/// The OpenAPI 3.0 definition served at `/api`: every endpoint, its parameters and responses.
enum OpenAPIDocument {
    static func param(_ name: String, _ location: String = "query", _ description: String, _ schema: JSON, required: Bool = false,
                      explode: Bool? = nil, style: String? = nil) -> JSON {
        var m: [(String, JSON)] = [("name", .string(name)), ("in", .string(location)), ("description", .string(description)),
                                   ("required", .bool(required)), ("schema", schema)]
        if let style { m.append(("style", .string(style))) }
        if let explode { m.append(("explode", .bool(explode))) }
        return .object(m)
    }

    static func ref(_ name: String) -> JSON { .object([("$ref", .string("#/components/parameters/\(name)"))]) }
    static func str(_ extra: [(String, JSON)] = []) -> JSON { .object([("type", .string("string"))] + extra) }

    static func response(_ description: String, _ types: [String]) -> JSON {
        .object([("description", .string(description)),
                 ("content", .object(types.map { ($0, .object([("schema", .object([("type", .string($0.contains("html") ? "string" : "object"))]))])) }))])
    }

    static let problem = JSON.object([
        ("description", .string("A problem (RFC 7807): type, title, status, and a detail saying what to send")),
        ("content", .object([("application/problem+json", .object([("schema", .object([("type", .string("object"))]))]))])),
    ])

    static func operation(_ id: String, _ summary: String, _ params: [JSON], _ ok: JSON, errors: [Int] = [400]) -> JSON {
        var responses: [(String, JSON)] = [("200", ok)]
        for e in errors { responses.append((String(e), problem)) }
        return .object([("get", .object([
            ("operationId", .string(id)), ("summary", .string(summary)), ("parameters", .array(params)),
            ("responses", .object(responses)),
        ]))])
    }

    static func make(base: String) -> JSON {
        let crsValues: [JSON] = ServedCRS.allCases.map { .string($0.rawValue) }
        let parameters: [(String, JSON)] = [
            ("f", param("f", "query", "The representation: json (the default for clients) or html (the default for browsers).",
                        str([("enum", .array([.string("json"), .string("html")]))]))),
            ("collectionId", param("collectionId", "path", "A collection id: the layer's path under the folder without extension, '/' → '.', a GeoPackage's table after a further '.'.", str(), required: true)),
            ("featureId", param("featureId", "path", "A feature id, as the GeoJSON `id` of the feature.", str(), required: true)),
            ("bbox", param("bbox", "query", "Features meeting the box minx,miny,maxx,maxy (longitude, latitude in CRS84 unless bbox-crs says otherwise).",
                           .object([("type", .string("array")), ("minItems", .int(4)), ("maxItems", .int(6)), ("items", .object([("type", .string("number"))]))]),
                           explode: false, style: "form")),
            ("bbox-crs", param("bbox-crs", "query", "The CRS of bbox (OGC API – Features Part 2).", str([("format", .string("uri")), ("enum", .array(crsValues)),
                                                                                                      ("default", .string(ServedCRS.crs84.rawValue))]))),
            ("limit", param("limit", "query", "Features per page: 1 to 10,000 (larger values are lowered to 10,000).",
                            .object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(ItemsQuery.maxLimit)), ("default", .int(ItemsQuery.defaultLimit))]),
                            explode: false, style: "form")),
            ("offset", param("offset", "query", "Features to skip (the next link carries it).",
                             .object([("type", .string("integer")), ("minimum", .int(0)), ("default", .int(0))]))),
            ("datetime", param("datetime", "query", "An RFC 3339 instant or date, or an interval a/b with '..' for an open end; only on collections with a date field (others answer 400).",
                               str(), explode: false, style: "form")),
            ("crs", param("crs", "query", "The CRS of the returned coordinates (OGC API – Features Part 2); the Content-Crs header names it.",
                          str([("format", .string("uri")), ("enum", .array(crsValues)), ("default", .string(ServedCRS.crs84.rawValue))]))),
        ]
        let json = ["application/json", "text/html"], geojson = ["application/geo+json", "text/html"]
        let paths: [(String, JSON)] = [
            ("/", operation("getLandingPage", "Landing page", [ref("f")], response("Links to the API definition, conformance and collections", json))),
            ("/conformance", operation("getConformanceDeclaration", "Conformance classes", [ref("f")], response("The conformance classes", json))),
            ("/api", operation("getAPIDefinition", "This API definition", [], response("OpenAPI 3.0", ["application/vnd.oai.openapi+json;version=3.0"]), errors: [])),
            ("/collections", operation("getCollections", "The collections: every layer of the folder", [ref("f")], response("The collections", json))),
            ("/collections/{collectionId}", operation("describeCollection", "One collection", [ref("collectionId"), ref("f")],
                                                      response("The collection: extent, CRSs, fields", json), errors: [400, 404])),
            ("/collections/{collectionId}/items", operation("getFeatures", "Features of a collection, a page at a time",
                                                            [ref("collectionId"), ref("bbox"), ref("bbox-crs"), ref("limit"), ref("offset"), ref("datetime"), ref("crs"), ref("f")],
                                                            response("A FeatureCollection page with numberMatched, numberReturned, timeStamp and next/prev links", geojson),
                                                            errors: [400, 404])),
            ("/collections/{collectionId}/items/{featureId}", operation("getFeature", "One feature", [ref("collectionId"), ref("featureId"), ref("crs"), ref("f")],
                                                                        response("The feature", geojson), errors: [400, 404])),
        ]
        return .object([
            ("openapi", .string("3.0.3")),
            ("info", .object([
                ("title", .string("hotspot serve")),
                ("version", .string("1.0.0")),
                ("description", .string("OGC API – Features (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS) over the layers of a hotspot output folder. Read-only: GET and HEAD only.")),
            ])),
            ("servers", .array([.object([("url", .string(base))])])),
            ("paths", .object(paths)),
            ("components", .object([("parameters", .object(parameters))])),
        ])
    }
}
