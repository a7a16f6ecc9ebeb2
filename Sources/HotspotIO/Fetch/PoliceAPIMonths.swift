import Foundation
import HotspotCore

/// Street-level months from the police.uk API for an area (`hotspot fetch api`, and `hotspot fetch policeuk --area`
/// for the months no archive holds yet): each month asked once for the area, written as `MONTH-FORCE-street.csv` in
/// the archive's layout and recorded in the folder's manifest with the area file's SHA-256, so that a second run asks
/// nothing for a month already fetched for the same area.
public struct PoliceAPIMonths {
    public struct Request: Sendable {
        /// The area: a polygon layer (GeoJSON, GeoPackage, Shapefile); all its polygons together.
        public var area: String
        /// police.uk's force id (e.g. `metropolitan`): the files' names; its name (from `forces/ID`) labels the rows.
        public var force: String
        /// Months as `YYYY-MM`.
        public var months: [String]
        public var out: String
        /// The API's root, e.g. https://data.police.uk/api.
        public var apiBase: String
        /// Requests per second on average and in a burst (police.uk allows 15 and 30).
        public var rate: Double
        public var burst: Double
        /// Fetch months again even when the folder has them for this area.
        public var refetch: Bool
        public init(area: String, force: String, months: [String], out: String, apiBase: String = PoliceAPIFetcher.defaultBase,
                    rate: Double = 15, burst: Double = 30, refetch: Bool = false) {
            self.area = area; self.force = force; self.months = months; self.out = out; self.apiBase = apiBase
            self.rate = rate; self.burst = burst; self.refetch = refetch
        }
    }

    public struct Outcome: Sendable {
        public var written: [String] = []
        /// Months already fetched for this area (not asked again).
        public var unchanged: [String] = []
    }

    public let request: Request
    let settings: HTTPSettings
    let progress: (String) -> Void

    public init(request: Request, settings: HTTPSettings, progress: @escaping (String) -> Void) {
        self.request = request; self.settings = settings; self.progress = progress
    }

    /// Runs the months in order. Throws `HTTPError`, `PoliceAPIError` (exit 69 in the CLI), input and output errors.
    public func run() throws -> Outcome {
        let r = request
        let (layer, region) = try PoliceAPIMonths.area(r.area)
        try FileManager.default.createDirectory(atPath: r.out, withIntermediateDirectories: true)
        let lock = try FolderLock(r.out)
        defer { withExtendedLifetime(lock) {} }
        var manifest = try FetchManifest.load(folder: r.out)
        let base = r.apiBase.hasSuffix("/") ? String(r.apiBase.dropLast()) : r.apiBase
        var client: HTTPClient?
        var fetcher: PoliceAPIFetcher?
        var outcome = Outcome()
        for month in r.months {
            if !r.refetch, PoliceAPIMonthFile.isCurrent(month: month, force: r.force, areaSHA256: layer.sha256, folder: r.out, manifest: manifest) {
                outcome.unchanged.append(month); continue
            }
            if fetcher == nil {
                let c = try HTTPClient(settings: settings)
                client = c
                let name = try PoliceAPIMonths.forceName(r.force, base: base, client: c)
                fetcher = PoliceAPIFetcher(client: c, base: base, rate: LeakyBucket(rate: r.rate, burst: r.burst), forceName: name)
            }
            let f = fetcher!
            let before = (f.requests, f.splits, f.throttled)
            let rows = try f.fetchMonth(area: region, month: month)
            let file = try PoliceAPIMonthFile.write(rows, month: month, force: r.force, folder: r.out, url: base + "/crimes-street/all-crime",
                                                    areaSHA256: layer.sha256, manifest: &manifest,
                                                    notes: ["areaFile": r.area, "vertices": String(region.vertices)]).file
            outcome.written.append(file)
            progress("fetched \(file) from the police.uk API: \(rows.count) crimes (\(f.requests - before.0) requests, \(f.splits - before.1) splits, \(f.throttled - before.2) throttled)")
        }
        _ = client
        return outcome
    }

    /// The area file read and made ready for the API (checked before anything is fetched: a file without polygons
    /// is an error naming what to give).
    public static func area(_ path: String) throws -> (layer: PolygonLayerReader.Layer, region: PoliceAPIArea) {
        let layer = try PolygonLayerReader.read(path: path, anonymous: "area")
        return (layer, try PoliceAPIArea(MultiPolygon(layer.areas.flatMap(\.geometry.polygons)), epsg: layer.epsg))
    }

    /// The force's name (`forces/ID`: data.police.uk/docs/method/specific-force), which labels every row.
    public static func forceName(_ id: String, base: String, client: HTTPClient) throws -> String {
        let url = "\(base)/forces/\(id)"
        let r = try client.get(url)
        if r.status == 404 { throw PoliceAPIError(description: "\(url): police.uk has no force '\(id)'; see \(base)/forces for the ids") }
        guard r.status == 200 else { throw PoliceAPIError(description: "\(url): HTTP \(r.status) from the police.uk API; run the command again later") }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], let name = obj["name"] as? String else {
            throw PoliceAPIError(description: "\(url): the answer is not a force; is the API address right?")
        }
        return name
    }
}
