import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// `hotspot fetch boundaries`: ONS ward and LSOA boundaries of one local authority from the Open Geography portal's
/// ArcGIS REST feature services, as GeoPackages in EPSG:27700, with the LSOA → ward lookup as CSV.
struct FetchBoundariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Download ONS ward and LSOA boundaries of a local authority as GeoPackage (EPSG:27700).",
        discussion: """
            Asks the ONS Open Geography portal's ArcGIS REST feature services (page by page, at most each layer's \
            maxRecordCount features a page) for the wards and LSOAs of one local authority, and writes them in the \
            output folder as GeoPackages in British National Grid (EPSG:27700), with the LSOA → ward lookup as CSV, \
            a SOURCES.md (service, layer, date, the ONS licence line) and manifest.json. A second run asks each \
            layer's description only and downloads nothing that has not changed. Example:
              hotspot fetch boundaries --wards 2024 --lsoa 2021 --within E09000023 \\
                --out data/
            writes data/wards-2024.gpkg (WD24CD, WD24NM, LAD24CD), data/lsoa-2021.gpkg (LSOA21CD, LSOA21NM) and \
            data/lsoa21-ward24-lookup.csv (--lsoa11-lookup adds lsoa11-lsoa21-lookup.csv). Service names change when \
            ONS publishes new versions: --wards-service and the like take another. See docs/reference/fetch-boundaries.md.
            """)

    @Option(help: ArgumentHelp("The wards of December YEAR (service Wards_December_YEAR_Boundaries_UK_BFC).", valueName: "year"))
    var wards: Int?
    @Option(help: ArgumentHelp("The LSOAs of the YEAR census: 2021 (service Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BFC_V10), chosen through the LSOA → ward → local authority lookup.", valueName: "year"))
    var lsoa: Int?
    @Option(help: ArgumentHelp("The local authority's ONS code (e.g. E09000023, Lewisham).", valueName: "code"))
    var within: String
    @Option(help: ArgumentHelp("The folder the files, SOURCES.md and manifest.json go into.", valueName: "dir"))
    var out: String
    @Option(help: ArgumentHelp("The ArcGIS REST services root (the ONS Open Geography portal's by default).", valueName: "url"))
    var serviceBase: String = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
    @Option(help: ArgumentHelp("Another ward service name (when ONS publishes a new version).", valueName: "name"))
    var wardsService: String?
    @Option(help: ArgumentHelp("Another LSOA boundary service name.", valueName: "name"))
    var lsoaService: String?
    @Option(help: ArgumentHelp("Another LSOA → ward → local authority lookup service name.", valueName: "name"))
    var lookupService: String?
    @Flag(help: "Also the ONS LSOA 2011 → 2021 lookup of the authority (exact fit, with the change indicator) as lsoa11-lsoa21-lookup.csv.")
    var lsoa11Lookup = false
    @Option(help: ArgumentHelp("Another LSOA 2011 → 2021 lookup service name.", valueName: "name"))
    var lsoa11LookupService: String = "LSOA11_LSOA21_LAD22_EW_LU_v5"
    @Flag(help: "Use what the output folder already holds; no network. Fails if a file asked for is not there.")
    var offline = false
    @Flag(help: "Print nothing but warnings and errors.")
    var quiet = false

    func validate() throws {
        if wards == nil && lsoa == nil && !lsoa11Lookup { throw ValidationError("give --wards YEAR, --lsoa 2021, --lsoa11-lookup or several") }
        if let w = wards, !(2019...2099).contains(w) { throw ValidationError("--wards \(w): give the year of the December wards, 2019 or later (e.g. 2024)") }
        if let l = lsoa, l != 2021 { throw ValidationError("--lsoa \(l): only 2021 LSOAs are fetched (2011 LSOAs: translate with the ONS LSOA 2011 → 2021 lookup)") }
        if within.range(of: #"^[EWSN][0-9]{8}$"#, options: .regularExpression) == nil {
            throw ValidationError("--within '\(within)': give a local authority's ONS code, a letter and 8 digits (e.g. E09000023 for Lewisham)")
        }
        if !(serviceBase.hasPrefix("http://") || serviceBase.hasPrefix("https://")) {
            throw ValidationError("--service-base '\(serviceBase)': give an http:// or https:// URL")
        }
    }

    func run() throws {
        try fetchJob {
            let fetcher = try BoundaryFetcher(base: serviceBase, within: within, out: out, offline: offline, quiet: quiet)
            let year = wards ?? 2024
            let yy = String(format: "%02d", year % 100)
            if let w = wards {
                try fetcher.wards(year: w, service: wardsService ?? "Wards_December_\(w)_Boundaries_UK_BFC")
            }
            if lsoa != nil {
                try fetcher.lsoa2021(service: lsoaService ?? "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BFC_V10",
                                     lookup: lookupService ?? "LSOA21_WD\(yy)_LAD\(yy)_EW_LU", wardYear: yy)
            }
            if lsoa11Lookup { try fetcher.table("lsoa11-lsoa21-lookup.csv", service: lsoa11LookupService, where: "LAD22CD = '\(within)'") }
            try fetcher.finish()
        }
    }
}

/// The steps of `hotspot fetch boundaries`: each file fetched (or found unchanged), written atomically, recorded.
final class BoundaryFetcher {
    let base: String, within: String, out: String, offline: Bool, quiet: Bool
    let client: HTTPClient
    var manifest: FetchManifest
    var lock: FolderLock?
    var written: [String] = [], unchanged: [String] = []
    let today: String

    init(base: String, within: String, out: String, offline: Bool, quiet: Bool) throws {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.within = within; self.out = out; self.offline = offline; self.quiet = quiet
        client = try HTTPClient(settings: fetchHTTPSettings())
        manifest = try FetchManifest.load(folder: out)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyy-MM-dd"
        today = f.string(from: Date())
    }

    func layerURL(_ service: String) -> String { "\(base)/\(service)/FeatureServer/0" }

    /// Locks the folder before the first file is written into it (another fetch there is refused), and reads the
    /// manifest again under the lock.
    func lockFolder() throws {
        guard lock == nil else { return }
        lock = try FolderLock(out)
        manifest = try FetchManifest.load(folder: out)
    }

    /// The manifest's entry for `file` when the file is there as recorded and was made by `query` from a layer last
    /// edited at `edit`: nothing needs fetching.
    func current(_ file: String, query: String, edit: String?) -> Bool {
        guard let e = manifest.entry(file), e.notes?["query"] == query, offline || e.notes?["lastEditDate"] == edit,
              let sha = try? Hashing.sha256(file: (out as NSString).appendingPathComponent(file)), sha == e.sha256 else { return false }
        return true
    }

    /// The layer's description, unless offline (then the cached file must be there).
    func describe(_ layer: ArcGISLayer, file: String, query: String) throws -> ArcGISLayerInfo? {
        if offline {
            guard current(file, query: query, edit: nil) else {
                throw ArchiveError(.missing, "--offline: \((out as NSString).appendingPathComponent(file)) is not in the fetch folder as these options fetch it (not fetched yet, changed since, or fetched with another --within, year or --service-base); run without --offline to fetch it")
            }
            return nil
        }
        return try layer.info()
    }

    func wards(year: Int, service: String) throws {
        let yy = String(format: "%02d", year % 100)
        let file = "wards-\(year).gpkg"
        let layer = ArcGISLayer(client: client, url: layerURL(service))
        let fields = ["WD\(yy)CD", "WD\(yy)NM", "LAD\(yy)CD"]
        let clause = "LAD\(yy)CD = '\(within)'"
        let query = "\(layer.url) where \(clause)"
        guard let info = try describe(layer, file: file, query: query) else { unchanged.append(file); return }
        let edit = BoundaryFetcher.edit(info)
        if current(file, query: query, edit: edit) { unchanged.append(file); return }
        let features = try layer.query(where: clause, outFields: fields, info: info)
        try writeGeoPackage(file, table: "wards_\(year)", fields: fields, features: features, layer: layer, info: info, query: query, edit: edit)
    }

    func lsoa2021(service: String, lookup: String, wardYear yy: String) throws {
        let lookupFile = "lsoa21-ward\(yy)-lookup.csv", file = "lsoa-2021.gpkg"
        let lookupLayer = ArcGISLayer(client: client, url: layerURL(lookup))
        let lsoaLayer = ArcGISLayer(client: client, url: layerURL(service))
        let lookupFields = ["LSOA21CD", "LSOA21NM", "WD\(yy)CD", "WD\(yy)NM", "LAD\(yy)CD", "LAD\(yy)NM"]
        let clause = "LAD\(yy)CD = '\(within)'"
        let lookupQuery = "\(lookupLayer.url) where \(clause)"
        let lsoaQuery = "\(lsoaLayer.url) where LSOA21CD in (\(lookupLayer.url) where \(clause))"
        let lookupInfo = try describe(lookupLayer, file: lookupFile, query: lookupQuery)
        let lsoaInfo = try describe(lsoaLayer, file: file, query: lsoaQuery)
        guard let lookupInfo, let lsoaInfo else { unchanged += [lookupFile, file]; return }
        // The LSOA file depends on both layers: its edit mark is both edit dates.
        let lookupEdit = BoundaryFetcher.edit(lookupInfo), lsoaEdit = BoundaryFetcher.edit(lsoaInfo) + "/" + lookupEdit
        let lookupCurrent = current(lookupFile, query: lookupQuery, edit: lookupEdit)
        if lookupCurrent && current(file, query: lsoaQuery, edit: lsoaEdit) {
            unchanged += [lookupFile, file]; return
        }
        let rows = try lookupLayer.query(where: clause, outFields: lookupFields, geometry: false, info: lookupInfo)
            .sorted { ($0.attributes["LSOA21CD"]?.csvText ?? "") < ($1.attributes["LSOA21CD"]?.csvText ?? "") }
        guard !rows.isEmpty else {
            throw ArcGISError(description: "\(lookupLayer.url): no LSOA has LAD\(yy)CD = '\(within)'; check --within (a local authority of England or Wales)")
        }
        let codes = Array(Set(rows.compactMap { $0.attributes["LSOA21CD"]?.csvText })).sorted()
        if !lookupCurrent {
            let table = Table(columns: lookupFields, rows: rows.map { r in lookupFields.map { r.attributes[$0] ?? .null } })
            try record(lookupFile, data: Data(table.csv().utf8), layer: lookupLayer, info: lookupInfo, query: lookupQuery, rows: rows.count, edit: lookupEdit)
        }
        var features: [ArcGISFeature] = []
        for start in stride(from: 0, to: codes.count, by: 200) {
            let list = codes[start..<min(codes.count, start + 200)].map { "'\($0)'" }.joined(separator: ",")
            features += try lsoaLayer.query(where: "LSOA21CD IN (\(list))", outFields: ["LSOA21CD", "LSOA21NM"], info: lsoaInfo)
        }
        let got = Set(features.compactMap { $0.attributes["LSOA21CD"]?.csvText })
        if let missing = codes.first(where: { !got.contains($0) }) {
            throw ArcGISError(description: "\(lsoaLayer.url): LSOA \(missing) of the lookup has no boundary; the lookup and boundary services differ (give --lsoa-service or --lookup-service)")
        }
        try writeGeoPackage(file, table: "lsoa_2021", fields: ["LSOA21CD", "LSOA21NM"], features: features, layer: lsoaLayer, info: lsoaInfo,
                            query: lsoaQuery, edit: lsoaEdit)
    }

    /// A lookup table (no geometry) as CSV: every field of the layer but its object id, in the layer's order, rows sorted.
    func table(_ file: String, service: String, where clause: String) throws {
        let layer = ArcGISLayer(client: client, url: layerURL(service))
        let query = "\(layer.url) where \(clause)"
        guard let info = try describe(layer, file: file, query: query) else { unchanged.append(file); return }
        let edit = BoundaryFetcher.edit(info)
        if current(file, query: query, edit: edit) { unchanged.append(file); return }
        let fields = info.fields.filter { $0 != info.objectIdField }
        let rows = try layer.query(where: clause, outFields: fields, geometry: false, info: info)
            .map { r in fields.map { r.attributes[$0] ?? .null } }
            .sorted { $0.map(\.csvText).lexicographicallyPrecedes($1.map(\.csvText)) }
        guard !rows.isEmpty else { throw ArcGISError(description: "\(layer.url): no row where \(clause); check --within") }
        try record(file, data: Data(Table(columns: fields, rows: rows).csv().utf8), layer: layer, info: info, query: query,
                   rows: rows.count, edit: edit)
    }

    /// Sorted by the first field (the code); one feature per code.
    func writeGeoPackage(_ file: String, table: String, fields: [String], features: [ArcGISFeature], layer: ArcGISLayer,
                         info: ArcGISLayerInfo, query: String, edit: String) throws {
        let key = fields[0]
        var seen = Set<String>()
        let sorted = features.sorted { ($0.attributes[key]?.csvText ?? "") < ($1.attributes[key]?.csvText ?? "") }
            .filter { seen.insert($0.attributes[key]?.csvText ?? "").inserted }
        guard !sorted.isEmpty else {
            throw ArcGISError(description: "\(layer.url): no feature where \(query.components(separatedBy: " where ").last ?? ""); check --within and the year")
        }
        if let bad = sorted.first(where: { ($0.geometry?.polygons.isEmpty ?? true) }) {
            throw ArcGISError(description: "\(layer.url): feature \(bad.attributes[key]?.csvText ?? "?") came without a polygon")
        }
        let props = Table(columns: fields, rows: sorted.map { f in fields.map { f.attributes[$0] ?? .null } })
        let crs = GeoPackageWriter.CRS(epsg: 27700, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: 27700))
        let path = (out as NSString).appendingPathComponent(file)
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotWrite(out, "cannot create the folder (\(error.localizedDescription))")
        }
        try lockFolder()
        let data = try GeoPackageWriter.write(path: path, table: table, geometries: sorted.map { $0.geometry! }, properties: props, crs: crs)
        try record(file, data: nil, gpkg: data, layer: layer, info: info, query: query, rows: sorted.count,
                   edit: edit)
    }

    /// Writes `data` (unless the file is already written) atomically and records it in the manifest, saved at once.
    func record(_ file: String, data: Data?, gpkg: Data? = nil, layer: ArcGISLayer, info: ArcGISLayerInfo, query: String,
                rows: Int, edit: String) throws {
        let path = (out as NSString).appendingPathComponent(file)
        let bytes = data ?? gpkg ?? Data()
        if let data {
            do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                throw OutputError.cannotWrite(out, "cannot create the folder (\(error.localizedDescription))")
            }
            try lockFolder()
            try AtomicFile.write(data, to: path)
        }
        let notes = ["service": layer.url, "layer": info.name, "query": query, "maxRecordCount": String(info.maxRecordCount),
                     "fetched": today, "licence": BoundaryFetcher.licence, "lastEditDate": edit]
        manifest.record(FetchedFile(file: file, url: layer.url + "/query", size: Int64(bytes.count), sha256: Hashing.sha256(bytes),
                                    rows: rows, notes: notes))
        try manifest.save(folder: out)
        written.append(file)
        note("fetched \(file): \(rows) \(file.hasSuffix(".csv") ? "rows" : "features") from \(layer.url) (\(layer.pages) queries)", quiet: quiet)
    }

    /// A layer's last edit (ms since 1970), "-" when the service does not say.
    static func edit(_ info: ArcGISLayerInfo) -> String { info.lastEditDate.map(String.init) ?? "-" }

    static let licence = "Source: Office for National Statistics licensed under the Open Government Licence v3.0. Contains OS data © Crown copyright and database right."

    /// SOURCES.md from the manifest's boundary entries (so it lists every boundary file of the folder), then the summary.
    func finish() throws {
        let entries = manifest.files.filter { $0.notes?["licence"] != nil }
        if !written.isEmpty {
            var text = "# Sources of the boundary files (hotspot fetch boundaries)\n\n" + BoundaryFetcher.licence + "\n"
            for e in entries {
                let n = e.notes ?? [:]
                text += "\n## \(e.file)\n\n- service: \(n["service"] ?? "")\n- layer: \(n["layer"] ?? "")\n- query: \(n["query"] ?? "")\n"
                text += "- fetched: \(n["fetched"] ?? "")\n- rows: \(e.rows ?? 0)\n- sha256: \(e.sha256)\n"
            }
            try AtomicFile.write(text, to: (out as NSString).appendingPathComponent("SOURCES.md"))
        }
        if !unchanged.isEmpty { note("unchanged: \(unchanged.joined(separator: ", ")) (nothing downloaded)", quiet: quiet) }
        if !written.isEmpty { note("wrote \(written.joined(separator: ", ")), SOURCES.md and manifest.json in \(out)", quiet: quiet) }
    }
}

/// `runJob` for commands that fetch: a failed request or service is one line and exit 69 (unavailable).
func fetchJob(_ body: () throws -> Void) throws {
    try runJob {
        do { try body() } catch let e as HTTPError {
            fail(e.description, Exit.unavailable)
        } catch let e as ArcGISError {
            fail(e.description, Exit.unavailable)
        } catch let e as PoliceAPIError {
            fail(e.description, Exit.unavailable)
        } catch let e as ArchiveError {
            switch e.kind {
            case .missing: fail(e.description, Exit.noInput)
            case .damaged, .content: fail(e.description, Exit.dataError)
            case .network: fail(e.description, Exit.unavailable)
            case .usage: fail(e.description, Exit.usage)
            }
        }
    }
}
