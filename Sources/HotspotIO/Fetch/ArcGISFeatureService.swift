import Foundation
import HotspotCore

/// What went wrong with an ArcGIS REST service, in one line with what to do.
public struct ArcGISError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A layer's description (`LAYER?f=json`): what paging needs and what the manifest records.
public struct ArcGISLayerInfo: Sendable, Equatable {
    public var name: String
    /// The most features one query answers (the service's `maxRecordCount`).
    public var maxRecordCount: Int
    public var fields: [String]
    public var objectIdField: String?
    /// `editingInfo.lastEditDate` (ms since 1970), when the service gives it: a re-run compares it to skip a layer
    /// that has not changed.
    public var lastEditDate: Int64?
}

/// One feature of a query: its attributes (as the service typed them) and, for polygon layers, its geometry.
public struct ArcGISFeature: Sendable {
    public var attributes: [String: Value]
    public var geometry: MultiPolygon?
}

/// An ArcGIS REST FeatureServer layer (e.g. ONS Open Geography's
/// `…/rest/services/Wards_December_2024_Boundaries_UK_BFC/FeatureServer/0`), queried page by page: `resultOffset` and
/// `resultRecordCount` (at most the layer's `maxRecordCount`), ordered by the object id so pages neither skip nor
/// repeat, until a page comes back without `exceededTransferLimit`. Esri JSON (`f=json`) is asked for: its polygon
/// rings (outer rings clockwise, holes anticlockwise) are turned into polygons with holes.
public final class ArcGISLayer {
    public let client: HTTPClient
    /// The layer's URL, without a trailing slash or query.
    public let url: String
    /// Queries sent (pages), for reports and tests.
    public private(set) var pages = 0

    public init(client: HTTPClient, url: String) {
        self.client = client
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// GETs `url` (or POSTs the form when the URL would pass 2,000 characters) and parses the JSON object; an
    /// ArcGIS `{"error": …}` answer (which comes with HTTP 200) is an error.
    private func json(_ endpoint: String, _ params: [(String, String)]) throws -> [String: Any] {
        let form = params.map { "\($0.0)=\(ArcGISLayer.encode($0.1))" }.joined(separator: "&")
        let get = endpoint + "?" + form
        let response = get.utf8.count > 2000 ? try client.post(endpoint, body: form) : try client.get(get)
        guard response.status == 200 else {
            let what = response.status == 404 || response.status == 400
                ? " (is the service name right? ONS renames services when it publishes a new version: see docs/reference/fetch-boundaries.md)" : ""
            throw HTTPError(url: get, status: response.status, reason: "from the ArcGIS service\(what)")
        }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw ArcGISError(description: "\(endpoint): the answer is not JSON; is the service address (--service-base) right?")
        }
        if let err = obj["error"] as? [String: Any] {
            let message = [err["message"] as? String, (err["details"] as? [String])?.joined(separator: "; ")]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            throw ArcGISError(description: "\(endpoint): the service answered error \(err["code"] ?? "?"): \(message) (check the service name and the fields of --within)")
        }
        return obj
    }

    /// Percent-encoding for a form value (RFC 3986 unreserved characters kept).
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    public func info() throws -> ArcGISLayerInfo {
        let obj = try json(url, [("f", "json")])
        guard let name = obj["name"] as? String else { throw ArcGISError(description: "\(url)?f=json: not a feature layer (no name); give the layer's URL (…/FeatureServer/0)") }
        let fields = (obj["fields"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let editing = obj["editingInfo"] as? [String: Any]
        return ArcGISLayerInfo(name: name, maxRecordCount: max(1, (obj["maxRecordCount"] as? Int) ?? 1000), fields: fields,
                               objectIdField: obj["objectIdField"] as? String,
                               lastEditDate: (editing?["lastEditDate"] as? NSNumber)?.int64Value)
    }

    /// Every feature matching `where`, with `outFields`, geometries in EPSG `outSR` when `geometry` is true.
    public func query(where clause: String, outFields: [String], outSR: Int = 27700, geometry: Bool = true,
                      info: ArcGISLayerInfo) throws -> [ArcGISFeature] {
        var out: [ArcGISFeature] = []
        let page = min(info.maxRecordCount, 2000)
        while true {
            var params: [(String, String)] = [("where", clause), ("outFields", outFields.joined(separator: ",")),
                                              ("returnGeometry", geometry ? "true" : "false"),
                                              ("resultOffset", String(out.count)), ("resultRecordCount", String(page))]
            if let oid = info.objectIdField { params.append(("orderByFields", oid)) }
            if geometry { params.append(("outSR", String(outSR))) }
            params.append(("f", "json"))
            pages += 1
            let obj = try json(url + "/query", params)
            let features = obj["features"] as? [[String: Any]] ?? []
            for f in features {
                var attributes: [String: Value] = [:]
                for (k, v) in f["attributes"] as? [String: Any] ?? [:] { attributes[k] = ArcGISLayer.value(v) }
                let g = (f["geometry"] as? [String: Any]).map(ArcGISLayer.polygons)
                out.append(ArcGISFeature(attributes: attributes, geometry: g))
            }
            if features.isEmpty || !((obj["exceededTransferLimit"] as? Bool) ?? false) { break }
            if pages > 100_000 { throw ArcGISError(description: "\(url): more than 100,000 pages; narrow the query") }
        }
        return out
    }

    static func value(_ v: Any) -> Value {
        if v is NSNull { return .null }
        if let s = v as? String { return .string(s) }
        if let n = v as? NSNumber {
            // JSON integers (object ids, counts) stay integers; anything with a fraction is a double.
            let text = "\(n)"
            if let i = Int(text) { return .int(i) }
            return .double(n.doubleValue, decimals: nil)
        }
        return .string("\(v)")
    }

    /// Esri JSON polygon rings → polygons: each clockwise ring (negative shoelace area, y up) starts a polygon; each
    /// anticlockwise ring is a hole of the smallest outer ring holding its first vertex.
    static func polygons(_ geometry: [String: Any]) -> MultiPolygon {
        let rings: [[XY]] = (geometry["rings"] as? [[[Double]]] ?? []).map { r in r.compactMap { $0.count >= 2 ? XY($0[0], $0[1]) : nil } }
        var outers: [Polygon] = [], holes: [[XY]] = []
        for r in rings where r.count >= 4 {
            if Polygon.signedArea2(r) < 0 { outers.append(Polygon(exterior: r)) } else { holes.append(r) }
        }
        for h in holes {
            let candidates = outers.indices.filter { pointInRing(h[0], outers[$0].exterior) }
            if let k = candidates.min(by: { abs(Polygon.signedArea2(outers[$0].exterior)) < abs(Polygon.signedArea2(outers[$1].exterior)) }) {
                outers[k].holes.append(h)
            }
        }
        return MultiPolygon(outers)
    }
}
