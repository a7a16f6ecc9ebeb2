import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// The analysis CRS: British National Grid. All geometry work happens in EPSG:27700 metres.
public let analysisEPSG = 27700

/// Incidents read, validated and projected to EPSG:27700, with every rejected row accounted for.
public struct LoadedIncidents: Sendable {
    public var table: IncidentTable
    public var quarantine: [QuarantineEntry]
    public var files: [FileSummary]
    public var projection: ProjectionInfo?
    public var read: Int { files.reduce(0) { $0 + $1.read } }
    public var quarantinedByReason: [String: Int] {
        var d: [String: Int] = [:]
        for q in quarantine { d[q.reason.rawValue, default: 0] += 1 }
        return d
    }
    /// The bookkeeping invariant: accepted + quarantined = read.
    public var balances: Bool { table.count + quarantine.count == read }
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
    public static func loadIncidents(files: [String], options: ReadOptions, gridDirectories: [String] = [],
                                     boundary: LoadedLayer? = nil,
                                     progress: IncidentReader.Progress? = nil) throws -> LoadedIncidents {
        let clock = ContinuousClock()
        let t0 = clock.now
        let r = try IncidentReader.read(files: files, options: options, progress: progress)
        let t1 = clock.now
        defer {
            if ProcessInfo.processInfo.environment["HOTSPOT_TIMINGS"] != nil {
                FileHandle.standardError.write(Data("timings: read+validate \(t1 - t0), project+filter \(clock.now - t1)\n".utf8))
            }
        }
        var table = r.table
        var quarantine = r.quarantine
        var info: ProjectionInfo?
        if table.epsg != analysisEPSG {
            let p = try Projection(from: table.epsg, to: analysisEPSG, gridDirectories: gridDirectories)
            info = try p.transform(x: &table.x, y: &table.y)
            table.epsg = analysisEPSG
            if info!.failed > 0 {
                let bad = (0..<table.count).filter { table.x[$0].isNaN }
                for i in bad {
                    quarantine.append(QuarantineEntry(file: files[Int(table.sourceFile[i])], line: Int(table.sourceLine[i]),
                                                      reason: .projectionFailed, detail: "PROJ could not transform this point", raw: ""))
                }
                table = table.filtered { !table.x[$0].isNaN }
            }
        }
        if let b = boundary {
            let inside = b.index.assign(x: table.x, y: table.y)
            for i in 0..<table.count where inside[i] < 0 {
                quarantine.append(QuarantineEntry(
                    file: files[Int(table.sourceFile[i])], line: Int(table.sourceLine[i]), reason: .outsideStudyArea,
                    detail: "E \(Fmt.fixed(table.x[i], 1)) N \(Fmt.fixed(table.y[i], 1)) is outside \(b.source.path)", raw: ""))
            }
            table = table.filtered { inside[$0] >= 0 }
        }
        quarantine.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        return LoadedIncidents(table: table, quarantine: quarantine, files: r.files, projection: info)
    }

    /// Reads a polygon layer, projects it to EPSG:27700, validates (repairing with a warning) and indexes it.
    /// `keep` selects features by their area value (id, name) before anything else is done.
    public static func loadLayer(_ spec: LayerSpec, gridDirectories: [String] = [], keep: ((Area) -> Bool)? = nil) throws -> LoadedLayer {
        let src: PolygonLayerReader.Layer
        do {
            src = try PolygonLayerReader.read(path: spec.path, idField: spec.idField, nameField: spec.nameField,
                                              declaredEPSG: spec.epsg)
        } catch PolygonLayerReader.LayerError.wrongCRS(let p, let why) {
            throw PolygonLayerReader.LayerError.wrongCRS(p, why.replacingOccurrences(of: "NAME=", with: "\(spec.name)="))
        }
        var areas = keep.map { src.areas.filter($0) } ?? src.areas
        if src.epsg != analysisEPSG {
            let p = try Projection(from: src.epsg, to: analysisEPSG, gridDirectories: gridDirectories)
            areas = try p.transform(areas.map(\.geometry)).enumerated().map { i, g in
                Area(id: areas[i].id, name: areas[i].name, geometry: g)
            }
        }
        let (valid, warnings) = try AreaLayer.validated(areas)
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
        .init(read: inc.read, accepted: inc.table.count, quarantined: inc.quarantine.count,
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
    public var warnings: [String] { (boundary?.warnings ?? []) + layers.flatMap(\.warnings) }

    public static func load(files: [String], read: ReadOptions, boundary: LayerSpec?, layers: [LayerSpec] = [],
                            gridDirectories: [String], progress: IncidentReader.Progress? = nil) throws -> JobInputs {
        let b = try boundary.map { try Pipeline.loadLayer($0, gridDirectories: gridDirectories) }
        let inc = try Pipeline.loadIncidents(files: files, options: read, gridDirectories: gridDirectories, boundary: b, progress: progress)
        return JobInputs(boundary: b, incidents: inc, layers: try layers.map { try Pipeline.loadLayer($0, gridDirectories: gridDirectories) })
    }
}

extension OutputSet {
    /// Writes `quarantine.csv`, then `metadata.json` (last, listing every output with its SHA-256).
    public func finish(command: String, parameters: [String: String], inputs: JobInputs, grid: SquareGrid? = nil,
                       extraLayers: [LoadedLayer] = [], warnings: [String]) throws {
        let inc = inputs.incidents
        try write("quarantine.csv", Pipeline.quarantineCSV(inc.quarantine))
        var meta = RunMetadata(command: command, parameters: parameters, inputs: inc.files, counts: Pipeline.counts(inc),
                               projection: inc.projection)
        meta.grid = grid
        meta.layers = (extraLayers + inputs.layers + (inputs.boundary.map { [$0] } ?? [])).map(\.metadata)
        meta.warnings = warnings
        try finish(meta)
    }
}
