import Foundation
import HotspotCore
import HotspotGeo

/// The steps of `hotspot fetch boundaries`: each file fetched (or found unchanged), written atomically, recorded.
public final class BoundaryFetcher {
    let base: String, within: String, out: String, offline: Bool
    let progress: (String) -> Void
    let client: HTTPClient
    var manifest: FetchManifest
    var lock: FolderLock?
    var written: [String] = [], unchanged: [String] = []
    let today: String

    public init(base: String, within: String, out: String, offline: Bool, settings: HTTPSettings, progress: @escaping (String) -> Void) throws {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.within = within; self.out = out; self.offline = offline; self.progress = progress
        client = try HTTPClient(settings: settings)
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

    public func wards(year: Int, service: String) throws {
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

    public func lsoa2021(service: String, lookup: String, wardYear yy: String) throws {
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
    public func table(_ file: String, service: String, where clause: String) throws {
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
        progress("fetched \(file): \(rows) \(file.hasSuffix(".csv") ? "rows" : "features") from \(layer.url) (\(layer.pages) queries)")
    }

    /// A layer's last edit (ms since 1970), "-" when the service does not say.
    static func edit(_ info: ArcGISLayerInfo) -> String { info.lastEditDate.map(String.init) ?? "-" }

    static let licence = "Source: Office for National Statistics licensed under the Open Government Licence v3.0. Contains OS data © Crown copyright and database right."

    /// SOURCES.md from the manifest's boundary entries (so it lists every boundary file of the folder), then the summary.
    public func finish() throws {
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
        if !unchanged.isEmpty { progress("unchanged: \(unchanged.joined(separator: ", ")) (nothing downloaded)") }
        if !written.isEmpty { progress("wrote \(written.joined(separator: ", ")), SOURCES.md and manifest.json in \(out)") }
    }
}

