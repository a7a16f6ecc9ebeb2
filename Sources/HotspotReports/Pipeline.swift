import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The analysis CRS: British National Grid. All geometry work happens in EPSG:27700 metres.
public let analysisEPSG = 27700

/// Incidents read, validated and projected to EPSG:27700, with every rejected row accounted for.
public struct LoadedIncidents: Sendable {
    public var table: IncidentTable
    public var quarantine: [QuarantineEntry]
    public var files: [FileSummary]
    public var projection: ProjectionInfo?
    /// What the user should know about these incidents (points outside Great Britain, an operation of unknown
    /// accuracy).
    public var warnings: [String] = []
    /// Accepted incidents left out by `--type`/`--from`/`--to` (valid rows, so not quarantined).
    public var notSelected = 0
    public var read: Int { files.reduce(0) { $0 + $1.read } }
    /// Rows accepted by the reader (before the selection).
    public var accepted: Int { table.count + notSelected }
    public var quarantinedByReason: [String: Int] {
        var d: [String: Int] = [:]
        for q in quarantine { d[q.reason.rawValue, default: 0] += 1 }
        return d
    }
    /// The harm table applied (`--weights`), or nil.
    public var harm: RunMetadata.Harm?
    /// The bookkeeping invariant: accepted + quarantined = read.
    public var balances: Bool { accepted + quarantine.count == read }
}

/// A polygon layer in EPSG:27700, validated and indexed.
public struct LoadedLayer {
    public var name: String
    public var source: PolygonLayerReader.Layer
    public var areas: [Area]
    public var index: AreaIndex
    public var population: [String: Double]?
    public var populationPath: String?
    public var warnings: [String]

    public var metadata: RunMetadata.Layer {
        .init(name: name, path: source.path, sha256: source.sha256, epsg: source.epsg, idField: source.idField,
              nameField: source.nameField, areas: areas.count, population: populationPath)
    }
}

public struct LayerSpec: Sendable {
    public var name: String, path: String
    public var idField: String?, nameField: String?, epsg: Int?
    public var population: String?
    public init(name: String, path: String, idField: String? = nil, nameField: String? = nil, epsg: Int? = nil,
                population: String? = nil) {
        self.name = name; self.path = path; self.idField = idField; self.nameField = nameField
        self.epsg = epsg; self.population = population
    }
}

public enum Pipeline {
    /// read → validate → project (→ optional boundary filter).
    ///
    /// With `boundaryFirst`, every accepted row (of any type or date) is checked against the boundary before the
    /// selection (`--type`/`--from`/`--to`), and each file's summary counts its rows outside as quarantined: then
    /// "accepted" means valid and inside the study area, for every type, and each file balances on its own
    /// (`hotspot pspo`). Without it only the selected rows are checked (the other commands).
    /// Refuses, before reading, files whose incidents would not fit the memory the process may use: about half a
    /// byte per byte of CSV (a police.uk row of ~250 bytes becomes ~60 bytes of columns, plus the reader's
    /// buffers), four per byte of gzip.
    static func checkMemory(_ files: [String]) throws {
        let bytes = files.reduce(0) { sum, f in
            let size = (try? FileManager.default.attributesOfItem(atPath: f)[.size] as? Int) ?? 0
            return sum + (f.lowercased().hasSuffix(".gz") ? size * 8 : size)
        }
        try MemoryLimit.check(need: bytes / 2, for: "reading \(Fmt.counted(files.count, "file")) (\(MemoryLimit.mb(bytes)) of CSV)",
                              fix: "read fewer months at a time")
    }

    public static func loadIncidents(files: [String], options: ReadOptions, gridDirectories: [String] = [],
                                     boundary: LoadedLayer? = nil, boundaryFirst: Bool = false) throws -> LoadedIncidents {
        try checkMemory(files)
        let clock = ContinuousClock()
        let t0 = clock.now
        let (stage, stored) = try readAndProject(files: files, options: options, gridDirectories: gridDirectories)
        if ProcessInfo.processInfo.environment["HOTSPOT_TIMINGS"] != nil {
            FileHandle.standardError.write(Data("timings: read+validate+project \(clock.now - t0) (\(stored ? "from the incident store" : "from the files"))\n".utf8))
        }
        var table = stage.table
        var quarantine = stage.quarantine
        var summaries = stage.files
        let info = stage.projection
        var warnings: [String] = []
        func clip(_ b: LoadedLayer) throws {
            let inside = PhaseProgress.phase("keep points inside the boundary", total: Double(table.count), unit: "points") {
                b.index.assign(x: table.x, y: table.y)
            }
            if table.count > 0 && !inside.contains(where: { $0 >= 0 }) {
                let be = b.areas.extent
                throw InputError.unusable("none of the \(table.count) incidents lies inside the boundary \(b.source.path) (boundary \(describe(be)), incidents \(describe(table.extent)) in EPSG:27700): check the boundary's CRS (a GeoJSON without a crs member is read as WGS84 lon/lat; --area-epsg boundary=27700 declares British National Grid) and that it covers the incidents")
            }
            for i in 0..<table.count where inside[i] < 0 {
                let f = Int(table.sourceFile[i])
                quarantine.append(QuarantineEntry(
                    file: files[f], line: Int(table.sourceLine[i]), reason: .outsideStudyArea,
                    detail: "E \(Fmt.fixed(table.x[i], 1)) N \(Fmt.fixed(table.y[i], 1)) is outside \(b.source.path)", raw: ""))
                if boundaryFirst {
                    summaries[f].accepted -= 1
                    summaries[f].quarantined[QuarantineReason.outsideStudyArea.rawValue, default: 0] += 1
                }
            }
            table = table.filtered { inside[$0] >= 0 }
        }
        if boundaryFirst, let b = boundary { try clip(b) }
        // The selection: crime types and dates.
        var notSelected = 0
        (table, notSelected) = try select(table, options.selection, warnings: &warnings)
        // Great Britain in EPSG:27700 (the CRS's area of use, with a margin): points far outside are swapped
        // longitude/latitude, a wrong --epsg, or another country's data.
        if let w = outsideGBWarning(outsideGB(table), of: table.count, sourceEPSG: stage.sourceEPSG) { warnings.append(w) }
        if table.count > 0, let w = info.flatMap(unknownAccuracyWarning) { warnings.append(w) }
        warnings += readWarnings(quarantine: quarantine, table: table, sourceEPSG: stage.sourceEPSG)
        if !boundaryFirst, let b = boundary { try clip(b) }
        // Rows rejected after reading (projection failed, outside the study area) get their raw text too.
        let missing = Dictionary(grouping: quarantine.indices.filter { quarantine[$0].raw.isEmpty }, by: { quarantine[$0].file })
        for (file, idx) in missing {
            let rows = try IncidentReader.rawRows(path: file, lines: Set(idx.map { quarantine[$0].line }))
            for i in idx { quarantine[i].raw = rows[quarantine[i].line] ?? "" }
        }
        quarantine.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        let harm = try applyHarm(to: &table, options: options, warnings: &warnings)
        return LoadedIncidents(table: table, quarantine: quarantine, files: summaries, projection: info, warnings: warnings,
                               notSelected: notSelected, harm: harm)
    }

    /// With a harm table (`ReadOptions.harmWeights`), each incident analysed weighs its crime type's weight. Types
    /// the table lacks stop the run (`InputError.harmTypesMissing`, listed with their incidents) unless
    /// `harmMissing` gives them 0 or 1; then the list is a warning. Returns what metadata.json records, or nil.
    static func applyHarm(to table: inout IncidentTable, options: ReadOptions, warnings: inout [String]) throws -> RunMetadata.Harm? {
        guard let path = options.harmWeights else { return nil }
        let h = try HarmWeights.read(path: path)
        let a = h.apply(to: table, rule: options.harmMissing)
        let listed = a.missing.map { "\($0.type) (\(Fmt.grouped($0.incidents)) incident\($0.incidents == 1 ? "" : "s"))" }
        if !a.missing.isEmpty {
            guard options.harmMissing != .stop else { throw InputError.harmTypesMissing(table: path, missing: listed) }
            warnings.append("\(path) has no weight for \(listed.joined(separator: "; ")): \(a.missing.count == 1 ? "it weighs" : "they weigh") \(options.harmMissing == .one ? "1 per incident" : "0 (no harm)") (--weights-missing \(options.harmMissing.rawValue))")
        }
        table.weight = a.weights
        table.harm = true
        return RunMetadata.Harm(file: path, sha256: h.sha256, source: h.source, typesInTable: h.entries.count, typesMatched: a.matched,
                                missing: Dictionary(uniqueKeysWithValues: a.missing.map { ($0.type, $0.incidents) }),
                                missingRule: options.harmMissing.rawValue, total: a.weights.reduce(0, +))
    }

    /// Great Britain in EPSG:27700 (the CRS's area of use, with a margin): points far outside are swapped
    /// longitude/latitude, a wrong --epsg, or another country's data.
    static let greatBritain = Extent(minX: -110_000, minY: -110_000, maxX: 800_000, maxY: 1_400_000)

    /// Incidents (in EPSG:27700) outside `greatBritain`.
    static func outsideGB(_ t: IncidentTable) -> Int {
        (0..<t.count).reduce(0) { n, i in n + (greatBritain.contains(x: t.x[i], y: t.y[i]) ? 0 : 1) }
    }

    /// What the reading itself should say on stderr, not only in quarantine.csv: a quote never closed (it swallows
    /// the rest of the file into one rejected row), and metres that are degrees (`--x-col Longitude` with the default
    /// EPSG:27700 gave "cells of 0.0014 m" without a word; issue 21).
    static func readWarnings(quarantine: [QuarantineEntry], table: IncidentTable, sourceEPSG: Int) -> [String] {
        var out: [String] = []
        for q in quarantine where q.reason == .unbalancedQuote {
            out.append("\(q.file):\(q.line): \(q.detail); fix the quote (quarantine.csv holds the row)")
        }
        if sourceEPSG != 4326, table.count > 0, let e = table.extent, e.minX >= -180, e.maxX <= 180, e.minY >= -90, e.maxY <= 90 {
            out.append("every x/y lies within ±180/±90: these look like longitude and latitude, not EPSG:\(sourceEPSG) metres; map them with --lon-col/--lat-col (inputs: columns: lon/lat)")
        }
        return out
    }

    /// The projection of the incidents to EPSG:27700; a CRS PROJ cannot use is said with the option that set it.
    static func incidentProjection(from epsg: Int, gridDirectories: [String]) throws -> Projection {
        do { return try Projection(from: epsg, to: analysisEPSG, gridDirectories: gridDirectories) } catch let e as GeoError {
            throw InputError.unusable("the incidents' CRS, EPSG:\(epsg), cannot be used (\(e)): check --epsg (epsg: under inputs: columns: in a project file)")
        }
    }

    /// The warning for points PROJ transformed with an operation of unknown accuracy (a 'ballpark' one), or nil.
    static func unknownAccuracyWarning(_ p: ProjectionInfo) -> String? {
        guard p.accuracyMetres < 0 else { return nil }
        return "PROJ transformed some points with an operation of unknown accuracy ('\(p.operation)'): such a 'ballpark' operation is used for points outside the area of every known transformation, usually swapped or wrong coordinates"
    }

    static func outsideGBWarning(_ outside: Int, of n: Int, sourceEPSG: Int) -> String? {
        guard outside > 0 else { return nil }
        let hint = sourceEPSG == 4326 ? "are longitude and latitude swapped (--lon-col/--lat-col)?" : "is --epsg \(sourceEPSG) right for --x-col/--y-col?"
        return "\(outside) of \(n) incidents lie outside Great Britain after projection to EPSG:27700: \(hint)"
    }

    /// The incidents `--type`/`--from`/`--to` select, and how many they leave out.
    static func select(_ table: IncidentTable, _ sel: Selection, warnings: inout [String]) throws -> (IncidentTable, Int) {
        guard !sel.isEmpty else { return (table, 0) }
        var wanted = Set<UInt16>()
        if !sel.types.isEmpty {
            var unknown: [String] = []
            for ty in sel.types {
                let hits = table.categories.indices.filter { table.categories[$0].caseInsensitiveCompare(ty) == .orderedSame }
                if hits.isEmpty { unknown.append(ty) }
                wanted.formUnion(hits.map { UInt16($0) })
            }
            if !unknown.isEmpty {
                throw InputError.unusable("--type \(unknown.map { "'\($0)'" }.joined(separator: ", ")): no such crime type in the data; the types present are: \(table.categories.sorted().joined(separator: ", "))")
            }
        }
        let from = sel.from.map(Int32.init) ?? .min, to = sel.to.map(Int32.init) ?? .max
        let kept = table.filtered { i in (sel.types.isEmpty || wanted.contains(table.category[i])) && table.day[i] >= from && table.day[i] <= to }
        if kept.count == 0 && table.count > 0 {
            warnings.append("the selection (--type/--from/--to) keeps none of the \(table.count) accepted incidents")
        }
        return (kept, table.count - kept.count)
    }

    /// What `hotspot inspect` reports. From the incident store when it holds these files (exactly as every command
    /// sees them); otherwise the files are read and validated but not projected: the extent in EPSG:27700 comes from
    /// the points that can bound it (`ProjectedExtent`), and so does the count of points outside Great Britain.
    /// Rows PROJ cannot transform are then found (and quarantined) by the commands that project every point.
    public static func inspectIncidents(files: [String], options: ReadOptions, gridDirectories: [String] = []) throws -> Inspected {
        if let store = options.store,
           let key = IncidentStore.key(files: files, options: options, targetEPSG: analysisEPSG, gridDirectories: gridDirectories),
           store.holds(key) {
            let inc = try loadIncidents(files: files, options: options, gridDirectories: gridDirectories)
            return Inspected(incidents: inc, extent: inc.table.extent, projectedForExtent: nil)
        }
        try checkMemory(files)
        let clock = ContinuousClock(), t0 = clock.now
        let r = try IncidentReader.read(files: files, options: options)
        if ProcessInfo.processInfo.environment["HOTSPOT_TIMINGS"] != nil {
            FileHandle.standardError.write(Data("timings: read+validate \(clock.now - t0) (from the files, not projected)\n".utf8))
        }
        var warnings: [String] = []
        let (table, notSelected) = try select(r.table, options.selection, warnings: &warnings)
        var extent: Extent? = table.extent
        var info: ProjectionInfo?
        var projected: Int?
        if table.epsg != analysisEPSG, table.count > 0 {
            let p = try incidentProjection(from: table.epsg, gridDirectories: gridDirectories)
            let e = try PhaseProgress.phase("extent in EPSG:\(analysisEPSG)", total: 1, unit: "") { try ProjectedExtent(p, x: table.x, y: table.y) }
            let gb = try e.countOutside(p, x: table.x, y: table.y, box: greatBritain)
            extent = e.extent
            projected = e.projected + gb.projected
            info = p.operationInfo
            info?.points = table.count
            if let w = outsideGBWarning(gb.outside, of: table.count, sourceEPSG: table.epsg) { warnings.append(w) }
            if table.count > 0, let w = info.flatMap(unknownAccuracyWarning) { warnings.append(w) }
        } else if let w = outsideGBWarning(outsideGB(table), of: table.count, sourceEPSG: table.epsg) {
            warnings.append(w)
        }
        warnings += readWarnings(quarantine: r.quarantine, table: table, sourceEPSG: table.epsg)
        var q = r.quarantine
        q.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        let inc = LoadedIncidents(table: table, quarantine: q, files: r.files, projection: info, warnings: warnings, notSelected: notSelected)
        return Inspected(incidents: inc, extent: extent, projectedForExtent: projected)
    }

    public struct Inspected {
        public var incidents: LoadedIncidents
        /// The extent in EPSG:27700.
        public var extent: Extent?
        /// Points projected to find the extent (nil when every point was projected, or none needed to be).
        public var projectedForExtent: Int?
    }

    /// read → validate → project, or the same from the incident store when these files were read before with the
    /// same options (`ReadOptions.useStore`, `IncidentStore.default`). What it returns is identical either way.
    static func readAndProject(files: [String], options: ReadOptions, gridDirectories: [String]) throws -> (IncidentStore.Entry, fromStore: Bool) {
        let store = options.store
        let key = store == nil ? nil : IncidentStore.key(files: files, options: options, targetEPSG: analysisEPSG, gridDirectories: gridDirectories)
        if let store, let key {
            let hit = PhaseProgress.phase("read the incident store", total: 1, unit: "") { store.load(key) }
            if let hit {
                // The inputs are still checked as a first read checks them (two names for one file).
                try IncidentReader.checkDistinct(files)
                return (hit, true)
            }
        }
        let clock = ContinuousClock(), t0 = clock.now
        var r = try IncidentReader.read(files: files, options: options)
        let t1 = clock.now
        let sourceEPSG = r.table.epsg
        defer {
            if ProcessInfo.processInfo.environment["HOTSPOT_TIMINGS"] != nil {
                FileHandle.standardError.write(Data("timings: read+validate \(t1 - t0), project \(clock.now - t1)\n".utf8))
            }
        }
        var table = r.table
        r.table = IncidentTable(epsg: sourceEPSG, resolution: .month)  // the one reference: projected in place, not copied
        var quarantine = r.quarantine
        var info: ProjectionInfo?
        if table.epsg != analysisEPSG {
            let p = try incidentProjection(from: table.epsg, gridDirectories: gridDirectories)
            info = try p.transform(x: &table.x, y: &table.y, interpolation: Interpolation.fromEnvironment())
            table.epsg = analysisEPSG
            if info!.failed > 0 {
                let bad = (0..<table.count).filter { !table.x[$0].isFinite || !table.y[$0].isFinite }
                for i in bad {
                    quarantine.append(QuarantineEntry(file: files[Int(table.sourceFile[i])], line: Int(table.sourceLine[i]),
                                                      reason: .projectionFailed, detail: "PROJ could not transform this point", raw: ""))
                }
                table = table.filtered { table.x[$0].isFinite && table.y[$0].isFinite }
            }
        }
        let entry = IncidentStore.Entry(table: table, quarantine: quarantine, files: r.files, projection: info, sourceEPSG: sourceEPSG)
        if let store, let key { store.save(entry, for: key) }
        return (entry, false)
    }

    /// An extent in words, for messages.
    static func describe(_ e: Extent?) -> String {
        guard let e else { return "empty" }
        return "E \(Fmt.fixed(e.minX, 0))…\(Fmt.fixed(e.maxX, 0)), N \(Fmt.fixed(e.minY, 0))…\(Fmt.fixed(e.maxY, 0))"
    }

    /// Warnings for a polygon layer that the incidents do not reach: no overlap at all (a wrong CRS), or no
    /// incident in any area.
    public static func coverageWarnings(_ layer: LoadedLayer, _ inc: IncidentTable) -> [String] {
        guard inc.count > 0 else { return [] }
        let le = layer.areas.extent
        guard let le, let ie = inc.extent else { return [] }
        if le.maxX < ie.minX || ie.maxX < le.minX || le.maxY < ie.minY || ie.maxY < le.minY {
            return ["layer \(layer.name) (\(layer.source.path)) does not overlap the incidents (layer \(describe(le)), incidents \(describe(ie)) in EPSG:27700): no incident can fall in its areas; check its CRS (--area-epsg \(layer.name)=27700 or =4326) and that it is the right place"]
        }
        return []
    }

    /// Reads a polygon layer, projects it to EPSG:27700, validates (repairing with a warning) and indexes it.
    /// `keep` selects features by their area value (id, name) before anything else is done.
    public static func loadLayer(_ spec: LayerSpec, gridDirectories: [String] = [], keep: ((Area) -> Bool)? = nil, repair: Bool = true) throws -> LoadedLayer {
        let src: PolygonLayerReader.Layer
        do {
            src = try PolygonLayerReader.read(path: spec.path, idField: spec.idField, nameField: spec.nameField,
                                              declaredEPSG: spec.epsg, anonymous: ["boundary", "area"].contains(spec.name) ? spec.name : nil)
        } catch PolygonLayerReader.LayerError.wrongCRS(let p, let why) {
            throw PolygonLayerReader.LayerError.wrongCRS(p, why.replacingOccurrences(of: "NAME=", with: "\(spec.name)="))
        }
        var areas = keep.map { src.areas.filter($0) } ?? src.areas
        if src.epsg != analysisEPSG {
            let p: Projection
            do { p = try Projection(from: src.epsg, to: analysisEPSG, gridDirectories: gridDirectories) } catch let e as GeoError {
                throw InputError.unusable("\(spec.path): the layer's CRS, EPSG:\(src.epsg), cannot be used (\(e)): declare the right one with --area-epsg \(spec.name)=CODE")
            }
            areas = try p.transform(areas.map(\.geometry)).enumerated().map { i, g in
                Area(id: areas[i].id, name: areas[i].name, geometry: g)
            }
        }
        let (valid, warnings) = try AreaLayer.validated(areas, repair: repair)
        var pop: [String: Double]?
        if let pp = spec.population { pop = try PopulationReader.read(path: pp) }
        return LoadedLayer(name: spec.name, source: src, areas: valid, index: try AreaIndex(areas: valid),
                           population: pop, populationPath: spec.population, warnings: warnings)
    }

    /// EPSG:27700 geometries to RFC 7946 lon/lat.
    public static func toWGS84(_ geoms: [MultiPolygon]) throws -> [MultiPolygon] {
        try Projection(from: analysisEPSG, to: 4326).transform(geoms)
    }

    /// The quarantine file: every rejected row with file, line, reason, detail and the row as read.
    public static func quarantineCSV(_ q: [QuarantineEntry]) -> String {
        var t = Table(columns: ["file", "line", "reason", "detail", "row"])
        t.rows = q.map { [.string($0.file), .int($0.line), .string($0.reason.rawValue), .string($0.detail), .string($0.raw)] }
        return t.csv()
    }

    public static func counts(_ inc: LoadedIncidents) -> RunMetadata.Counts {
        .init(read: inc.read, accepted: inc.accepted, quarantined: inc.quarantine.count, notSelected: inc.notSelected, analysed: inc.table.count,
              quarantinedByReason: inc.quarantinedByReason, duplicates: inc.files.reduce(0) { $0 + $1.duplicates })
    }
}

/// What every job starts from: the study boundary, the incidents (read, validated, projected, filtered to the
/// boundary) and the polygon layers, all in EPSG:27700.
public struct JobInputs {
    public var boundary: LoadedLayer?
    public var incidents: LoadedIncidents
    public var layers: [LoadedLayer]
    /// Warnings raised while loading (repaired polygons).
    public var warnings: [String] {
        incidents.warnings + (boundary?.warnings ?? []) + layers.flatMap(\.warnings)
            + layers.flatMap { Pipeline.coverageWarnings($0, incidents.table) }
    }

    public static func load(files: [String], read: ReadOptions, boundary: LayerSpec?, layers: [LayerSpec] = [],
                            gridDirectories: [String], boundaryFirst: Bool = false) throws -> JobInputs {
        let b = try boundary.map { try Pipeline.loadLayer($0, gridDirectories: gridDirectories) }
        let inc = try Pipeline.loadIncidents(files: files, options: read, gridDirectories: gridDirectories, boundary: b, boundaryFirst: boundaryFirst)
        return JobInputs(boundary: b, incidents: inc, layers: try layers.map { try Pipeline.loadLayer($0, gridDirectories: gridDirectories) })
    }
}

extension OutputSet {
    /// Writes `quarantine.csv`, then `metadata.json` (last, listing every output with its SHA-256).
    public func finish(command: String, parameters: [String: String], inputs: JobInputs, grid: SquareGrid? = nil,
                       extraLayers: [LoadedLayer] = [], warnings: [String], backtest: Table? = nil, insideArea: Int? = nil,
                       beforeCommit: (() throws -> Void)? = nil, database: (() throws -> PostGISWriter.Transaction?)? = nil,
                       afterSwap: (() throws -> Void)? = nil) throws {
        let inc = inputs.incidents
        // A layer the job loaded itself (for its map) and the request's own are one layer: recorded once.
        var seen = Set<String>()
        let layers = (extraLayers + inputs.layers).filter { seen.insert($0.name).inserted }
        webReference(boundary: inputs.boundary, layers: layers)
        try write("quarantine.csv", Pipeline.quarantineCSV(inc.quarantine))
        var meta = RunMetadata(command: command, parameters: parameters, inputs: inc.files, counts: Pipeline.counts(inc),
                               projection: inc.projection)
        meta.grid = grid
        meta.counts.insideRestrictedArea = insideArea
        meta.layers = (layers + (inputs.boundary.map { [$0] } ?? [])).map(\.metadata)
        meta.warnings = warnings
        meta.attribution = Attribution.lines(boundaries: inputs.boundary != nil || !inputs.layers.isEmpty || !extraLayers.isEmpty)
        meta.coverage = .init(inc.table)
        meta.harmWeights = inc.harm
        meta.backtest = backtest.map { t in t.rows.map { r in Dictionary(uniqueKeysWithValues: zip(t.columns, r.map(\.csvText))) } }
        try finish(meta, beforeCommit: beforeCommit, database: database, afterSwap: afterSwap)
    }
}
