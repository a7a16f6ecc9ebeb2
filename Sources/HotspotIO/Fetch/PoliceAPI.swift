import Foundation
import HotspotCore
import HotspotGeo

/// The police.uk API's documented rate limit as a leaky bucket (data.police.uk/docs/api-call-limits): each request adds
/// one to the bucket, which drains at `rate` requests per second and holds at most `burst`; a request that would
/// overflow it waits until it fits. Times are seconds on any monotonic clock (injected, so tests need no sleeping).
public struct LeakyBucket: Sendable, Equatable {
    /// Requests per second on average (police.uk: 15).
    public let rate: Double
    /// Requests the bucket holds: the most sent back to back (police.uk: 30).
    public let burst: Double
    /// Requests in the bucket at `time`.
    public private(set) var level: Double = 0
    public private(set) var time: Double?

    public init(rate: Double = 15, burst: Double = 30) {
        precondition(rate > 0 && burst >= 1)
        self.rate = rate; self.burst = burst
    }

    /// Takes a place for one request asked for at `now`: returns the seconds to wait before sending it (0 when the
    /// bucket has room), the place being counted at `now + wait`.
    public mutating func reserve(now: Double) -> Double {
        let start = max(now, time ?? now)
        level = max(0, level - (start - (time ?? start)) * rate)
        let wait = max(0, (level + 1 - burst) / rate)
        level = max(0, level - wait * rate) + 1
        time = start + wait
        return start + wait - now
    }
}

/// police.uk's crime categories: the API's slugs (`crimes-street/all-crime` answers, `crime-categories`) and the
/// names its archive CSVs write in `Crime type`.
public enum PoliceCrimeCategory {
    /// Slug → CSV name for every category police.uk has published since 2010 (data.police.uk/api/crime-categories).
    /// `violent-crime` was "Violent crime" until April 2013 and "Violence and sexual offences" from May 2013;
    /// `public-disorder-weapons` (to April 2013) was split into `public-order` and `possession-of-weapons`.
    public static let names: [String: String] = [
        "anti-social-behaviour": "Anti-social behaviour",
        "bicycle-theft": "Bicycle theft",
        "burglary": "Burglary",
        "criminal-damage-arson": "Criminal damage and arson",
        "drugs": "Drugs",
        "other-theft": "Other theft",
        "possession-of-weapons": "Possession of weapons",
        "public-order": "Public order",
        "robbery": "Robbery",
        "shoplifting": "Shoplifting",
        "theft-from-the-person": "Theft from the person",
        "vehicle-crime": "Vehicle crime",
        "violent-crime": "Violence and sexual offences",
        "other-crime": "Other crime",
        "public-disorder-weapons": "Public disorder and weapons",
    ]

    /// The CSV name of `slug` in `month` (`YYYY-MM`); an unknown slug is kept as it is (a new category must not
    /// lose rows).
    public static func csvName(_ slug: String, month: String) -> String {
        if slug == "violent-crime" && month < "2013-05" { return "Violent crime" }
        return names[slug] ?? slug
    }
}

/// One row of police.uk's street-level crime CSV (the archive layout), as read from the API.
public struct StreetRow: Sendable, Equatable {
    /// The API's own record id (`id`): unique per record, the key that de-duplicates split queries.
    public var apiID: Int64
    /// `persistent_id`: the archive's Crime ID (empty for anti-social behaviour).
    public var crimeID: String
    public var month: String
    public var reportedBy: String
    public var fallsWithin: String
    /// As the API gives them (strings with 6 decimals), so nothing is lost to a round trip through Double.
    public var longitude: String
    public var latitude: String
    /// "On or near …": the API's street name.
    public var location: String
    /// Empty: the API gives no LSOA.
    public var lsoaCode: String = ""
    public var lsoaName: String = ""
    public var crimeType: String
    public var lastOutcome: String
    public var context: String

    public static let header = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                                "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]

    public var fields: [String] {
        [crimeID, month, reportedBy, fallsWithin, longitude, latitude, location, lsoaCode, lsoaName, crimeType, lastOutcome, context]
    }

    /// The CSV text of `rows` in police.uk's layout (header, LF line ends, RFC 4180 quoting), in the order given.
    public static func csv(_ rows: [StreetRow]) -> String {
        func quoted(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = header.joined(separator: ",") + "\n"
        for r in rows { out += r.fields.map(quoted).joined(separator: ",") + "\n" }
        return out
    }

    /// The deterministic order rows are written in: month, then the API's record id.
    public static func sorted(_ rows: [StreetRow]) -> [StreetRow] {
        rows.sorted { ($0.month, $0.apiID) < ($1.month, $1.apiID) }
    }
}

/// What sends the API's requests: `HTTPClient`, or a stand-in in tests.
public protocol HTTPTransport: AnyObject {
    func getURL(_ url: String) throws -> HTTPResponse
    /// POST of an `application/x-www-form-urlencoded` body.
    func postForm(_ url: String, body: String) throws -> HTTPResponse
}

extension HTTPClient: HTTPTransport {
    public func getURL(_ url: String) throws -> HTTPResponse { try get(url) }
    public func postForm(_ url: String, body: String) throws -> HTTPResponse { try post(url, body: body) }
}

/// What went wrong talking to the police.uk API, said in one line with what to do.
public struct PoliceAPIError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}

/// One JSON record of `crimes-street` (data.police.uk/docs/method/crime-street).
struct APICrime: Decodable {
    struct Location: Decodable {
        struct Street: Decodable { var name: String? }
        var latitude: String
        var longitude: String
        var street: Street?
    }
    struct Outcome: Decodable { var category: String? }
    var category: String
    var location_type: String?
    var location: Location?
    var context: String?
    var outcome_status: Outcome?
    var persistent_id: String?
    var id: Int64
    var month: String
}

/// Street-level crimes of one month inside a polygon from the police.uk API (`crimes-street/all-crime?poly=…`):
/// GET, or POST with `poly` in the form body when the URL would pass 4,000 characters (the API answers 400 above
/// 4,094); at most `bucket.rate` requests per second with bursts of `bucket.burst`; a 503 (more than 10,000 crimes
/// in the polygon) splits the polygon in halves along its longer side, each half fetched on its own and the answers
/// merged by the API's record id, so nothing is lost or doubled; a 429 waits (Retry-After, else 1, 2, 4 … 32 s) and
/// tries again, at most `maxRetries` times.
public final class PoliceAPIFetcher {
    public let client: any HTTPTransport
    /// The API's root, e.g. `https://data.police.uk/api`.
    public let base: String
    public private(set) var bucket: LeakyBucket
    /// The force the rows are labelled with (`Reported by`, `Falls within`): e.g. "Metropolitan Police Service".
    /// A record the API marks `location_type: BTP` is labelled "British Transport Police".
    public let forceName: String
    public var maxRetries = 6
    /// The deepest split of a polygon (2^depth parts at most) before giving up.
    public var maxSplitDepth = 8
    /// Seconds on a monotonic clock, and a sleep: injected so tests run without waiting.
    let clock: () -> Double
    let sleep: (Double) -> Void
    /// Requests sent, 429s met, polygon splits made (for reports and tests).
    public private(set) var requests = 0, throttled = 0, splits = 0

    public static let defaultBase = "https://data.police.uk/api"

    public init(client: any HTTPTransport, base: String = PoliceAPIFetcher.defaultBase, rate: LeakyBucket = LeakyBucket(),
                forceName: String, clock: (() -> Double)? = nil, sleep: ((Double) -> Void)? = nil) {
        self.client = client
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.bucket = rate
        self.forceName = forceName
        let start = DispatchTime.now().uptimeNanoseconds
        self.clock = clock ?? { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        self.sleep = sleep ?? { s in if s > 0 { usleep(useconds_t(min(s, 3600) * 1e6)) } }
    }

    /// The month's crimes inside `polygon` (one ring of latitude/longitude pairs, closed or not), de-duplicated by
    /// record id and sorted (`StreetRow.sorted`).
    public func fetchMonth(polygon: [(lat: Double, lon: Double)], month: String) throws -> [StreetRow] {
        var byID: [Int64: StreetRow] = [:]
        try fetch(ring: polygon.map { XY($0.lon, $0.lat) }, month: month, depth: 0, into: &byID)
        return StreetRow.sorted(Array(byID.values))
    }

    private func fetch(ring: [XY], month: String, depth: Int, into byID: inout [Int64: StreetRow]) throws {
        switch try request(ring: ring, month: month) {
        case .rows(let rows):
            for r in rows { byID[r.apiID] = r }
        case .tooMany:
            guard depth < maxSplitDepth else {
                throw PoliceAPIError(description: "\(base)/crimes-street/all-crime: the API still answers 503 (more than 10,000 crimes) for a part of the area after \(depth) splits; give a smaller --area")
            }
            splits += 1
            for part in try PolygonSplit.halves(ring) { try fetch(ring: part, month: month, depth: depth + 1, into: &byID) }
        }
    }

    enum Answer { case rows([StreetRow]), tooMany }

    /// `lat,lng:lat,lng:…` with 6 decimals (0.1 m), the ring left open (the API closes it).
    static func polyParameter(_ ring: [XY]) -> String {
        var pts = ring
        if pts.count > 1, pts.first == pts.last { pts.removeLast() }
        return pts.map { Fmt.fixed($0.y, 6) + "," + Fmt.fixed($0.x, 6) }.joined(separator: ":")
    }

    private func request(ring: [XY], month: String) throws -> Answer {
        let poly = PoliceAPIFetcher.polyParameter(ring)
        let endpoint = base + "/crimes-street/all-crime"
        let query = "date=\(month)&poly=\(poly)"
        let getURL = endpoint + "?" + query
        var attempt = 0
        while true {
            let wait = bucket.reserve(now: clock())
            if wait > 0 { sleep(wait) }
            requests += 1
            let response = getURL.utf8.count > 4000 ? try client.postForm(endpoint, body: query) : try client.getURL(getURL)
            switch response.status {
            case 200:
                return .rows(try decode(response, url: endpoint, month: month))
            case 503:
                return .tooMany
            case 429:
                throttled += 1
                attempt += 1
                guard attempt <= maxRetries else {
                    throw PoliceAPIError(description: "\(endpoint): HTTP 429 Too Many Requests \(attempt) times in a row; wait a few minutes and run the command again")
                }
                let retryAfter = response.headers["retry-after"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                sleep(min(60, max(0, retryAfter ?? pow(2, Double(attempt - 1)))))
            default:
                let what = response.status == 404 ? " (no data for \(month): police.uk publishes a month about six weeks after it ends)" : ""
                throw HTTPError(url: endpoint, status: response.status, reason: "from the police.uk API\(what)")
            }
        }
    }

    private func decode(_ response: HTTPResponse, url: String, month: String) throws -> [StreetRow] {
        do { return try PoliceAPIFetcher.rows(json: response.body, forceName: forceName) } catch {
            throw PoliceAPIError(description: "\(url): the answer is not the crimes-street JSON (\(String(describing: error).prefix(160))); is the API address right?")
        }
    }

    /// The rows of a `crimes-street` JSON answer, in its order, labelled with `forceName` (BTP records: British
    /// Transport Police).
    public static func rows(json: [UInt8], forceName: String) throws -> [StreetRow] {
        try JSONDecoder().decode([APICrime].self, from: Data(json)).map { c in
            let force = c.location_type == "BTP" ? "British Transport Police" : forceName
            return StreetRow(apiID: c.id, crimeID: c.persistent_id ?? "", month: c.month, reportedBy: force, fallsWithin: force,
                             longitude: c.location?.longitude ?? "", latitude: c.location?.latitude ?? "",
                             location: c.location?.street?.name ?? "No location",
                             crimeType: PoliceCrimeCategory.csvName(c.category, month: c.month),
                             lastOutcome: c.outcome_status?.category ?? "", context: c.context ?? "")
        }
    }
}

/// A month fetched from the API as a file of the fetch folder: `FOLDER/YYYY-MM-FORCE-street.csv`, written atomically
/// and recorded in `manifest.json` (saved at once), with the area's SHA-256 so a re-run can skip it.
public enum PoliceAPIMonthFile {
    public static func name(month: String, force: String) -> String { "\(month)-\(force)-street.csv" }

    /// True when `manifest` records the month's file for the same area and the file on disk is as recorded.
    public static func isCurrent(month: String, force: String, areaSHA256: String, folder: String, manifest: FetchManifest) -> Bool {
        let file = name(month: month, force: force)
        guard let e = manifest.entry(file), e.notes?["area"] == areaSHA256 else { return false }
        return (try? Hashing.sha256(file: (folder as NSString).appendingPathComponent(file))) == e.sha256
    }

    /// Writes the rows (already sorted) and records the file: URL, size, SHA-256, rows, the month's anonymisation era.
    @discardableResult
    public static func write(_ rows: [StreetRow], month: String, force: String, folder: String, url: String, areaSHA256: String,
                             manifest: inout FetchManifest, notes: [String: String] = [:]) throws -> FetchedFile {
        let file = name(month: month, force: force)
        let data = Data(StreetRow.csv(rows).utf8)
        try AtomicFile.write(data, to: (folder as NSString).appendingPathComponent(file))
        let entry = FetchedFile(file: file, url: url, size: Int64(data.count), sha256: Hashing.sha256(data), rows: rows.count,
                                anonymisation: month < "2022-07" ? "before-2022-07" : "from-2022-07",
                                notes: notes.merging(["source": "police.uk API", "area": areaSHA256]) { _, new in new })
        manifest.record(entry)
        try manifest.save(folder: folder)
        return entry
    }
}

/// Splitting a query polygon in two.
public enum PolygonSplit {
    /// The parts of `ring` (x = longitude, y = latitude) in the two halves of its bounding box, cut across its longer
    /// side. The halves overlap by `overlap` (degrees; 1e-6 ≈ 0.1 m) so that a point on the cut falls in both, never
    /// in neither: the caller merges the answers by record id. Each part is one ring (a half may hold several).
    public static func halves(_ ring: [XY], overlap: Double = 1e-6) throws -> [[XY]] {
        let ctx = try GEOSContext()
        let shape = try GEOSGeometry(ctx, MultiPolygon([Polygon(exterior: ring)])).makeValid()
        let xs = ring.map(\.x), ys = ring.map(\.y)
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return [] }
        func box(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Polygon {
            Polygon(exterior: [XY(a, c), XY(b, c), XY(b, d), XY(a, d), XY(a, c)])
        }
        let boxes: [Polygon]
        if x1 - x0 >= y1 - y0 {
            let m = (x0 + x1) / 2
            boxes = [box(x0 - 1, m + overlap, y0 - 1, y1 + 1), box(m - overlap, x1 + 1, y0 - 1, y1 + 1)]
        } else {
            let m = (y0 + y1) / 2
            boxes = [box(x0 - 1, x1 + 1, y0 - 1, m + overlap), box(x0 - 1, x1 + 1, m - overlap, y1 + 1)]
        }
        var parts: [[XY]] = []
        for b in boxes {
            let piece = try shape.intersection(GEOSGeometry(ctx, MultiPolygon([b]))).multiPolygon()
            // A hole cannot be sent (the API takes one ring): its points come back and the caller's area filter drops them.
            parts += piece.polygons.map(\.exterior).filter { $0.count >= 4 }
        }
        return parts
    }
}
