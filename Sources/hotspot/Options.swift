import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotReports

/// Incident files and how to read them.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Incident CSV files (police.uk street-level, stop and search, or mapped CSV).",
                                 valueName: "file"))
    var files: [String] = []

    @Option(help: "Input format: auto (from the header), policeuk, stopsearch, csv.")
    var format: IncidentFormat = .auto

    @Option(name: .customLong("x-col"), help: "csv: column of eastings/x (with --y-col and --epsg).")
    var xCol: String?
    @Option(name: .customLong("y-col"), help: "csv: column of northings/y.")
    var yCol: String?
    @Option(name: .customLong("lon-col"), help: "csv: column of longitudes (WGS84 degrees).")
    var lonCol: String?
    @Option(name: .customLong("lat-col"), help: "csv: column of latitudes (WGS84 degrees).")
    var latCol: String?
    @Option(name: .customLong("date-col"), help: "csv: column of dates (YYYY-MM-DD, ISO 8601 date-time, or YYYY-MM).")
    var dateCol: String?
    @Option(name: .customLong("category-col"), help: "csv: column of categories (crime types).")
    var categoryCol: String?
    @Option(name: .customLong("id-col"), help: "csv: column of incident ids (used to spot duplicate rows).")
    var idCol: String?
    @Option(name: .customLong("weight-col"), help: "csv: column of non-negative weights (severity, harm).")
    var weightCol: String?
    @Option(help: "csv: EPSG code of --x-col/--y-col (default 27700, British National Grid).")
    var epsg: Int = 27700

    @Flag(help: "Drop rows identical to an earlier row (they go to the quarantine file). Rows without an id (anti-social behaviour) are never treated as duplicates.")
    var dropDuplicates = false

    @Option(name: .customLong("grid-dir"), help: "Folder holding PROJ transformation grids (e.g. uk_os_OSTN15_NTv2_OSGBtoETRS.tif for ~0.1 m accuracy instead of the ~2 m Helmert fallback).")
    var gridDirectories: [String] = []

    @Flag(help: "No progress messages on stderr.")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one incident CSV file, e.g. hotspot areas data/2022-03-metropolitan-street.csv …") }
        if (xCol == nil) != (yCol == nil) { throw ValidationError("--x-col and --y-col go together") }
        if (lonCol == nil) != (latCol == nil) { throw ValidationError("--lon-col and --lat-col go together") }
        if xCol != nil && lonCol != nil { throw ValidationError("give either --x-col/--y-col or --lon-col/--lat-col, not both") }
        if format == .csv && (dateCol == nil || (xCol == nil && lonCol == nil)) {
            throw ValidationError("--format csv needs --date-col and either --x-col/--y-col (with --epsg) or --lon-col/--lat-col")
        }
    }

    var readOptions: ReadOptions {
        var o = ReadOptions()
        o.format = format
        o.mapping = ColumnMapping(x: xCol, y: yCol, lon: lonCol, lat: latCol, date: dateCol, category: categoryCol,
                                  id: idCol, weight: weightCol, epsg: epsg)
        o.dropDuplicates = dropDuplicates
        return o
    }

    var progress: IncidentReader.Progress? {
        if quiet { return nil }
        let report: IncidentReader.Progress = { file, done, total in
            guard total > 50_000_000 else { return }
            FileHandle.standardError.write(Data("\r\(file): \(done * 100 / max(1, total))%".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        return report
    }
}

/// Polygon layers: wards, LSOAs, any named layer, and a study boundary.
struct AreaOptions: ParsableArguments {
    @Option(name: .customLong("areas"), help: ArgumentHelp(
        "A polygon layer as NAME=FILE.geojson (repeatable), e.g. wards=wards.geojson lsoa=lsoa.json. GeoJSON is WGS84 unless it declares a crs (e.g. EPSG:27700).",
        valueName: "name=file"))
    var layers: [String] = []
    @Option(name: .customLong("area-id"), help: ArgumentHelp("Id property for a layer, NAME=FIELD (default: detected, e.g. LSOA11CD, ons_code).", valueName: "name=field"))
    var areaID: [String] = []
    @Option(name: .customLong("area-name"), help: ArgumentHelp("Name property for a layer, NAME=FIELD (default: detected, e.g. LSOA11NM, name).", valueName: "name=field"))
    var areaName: [String] = []
    @Option(name: .customLong("area-epsg"), help: ArgumentHelp("Declare a layer's EPSG, NAME=CODE, when the file does not.", valueName: "name=code"))
    var areaEPSG: [String] = []
    @Option(name: .customLong("population"), help: ArgumentHelp("Population CSV for a layer, NAME=FILE (id column first, population last), giving rates per 1,000 residents.", valueName: "name=file"))
    var population: [String] = []
    @Option(help: ArgumentHelp("Study-area boundary (GeoJSON polygons): incidents outside it are quarantined ('outside study area'); the grid extent comes from it.", valueName: "file"))
    var boundary: String?

    func pairs(_ list: [String], _ flag: String) throws -> [String: String] {
        var d: [String: String] = [:]
        for s in list {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ValidationError("\(flag) takes NAME=VALUE (got '\(s)'), e.g. \(flag) wards=wards.geojson")
            }
            d[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        return d
    }

    func validate() throws {
        let l = try pairs(layers, "--areas")
        for (flag, list) in [("--area-id", areaID), ("--area-name", areaName), ("--population", population), ("--area-epsg", areaEPSG)] {
            for k in try pairs(list, flag).keys where l[k] == nil {
                throw ValidationError("\(flag) names layer '\(k)', but no --areas \(k)=FILE is given")
            }
        }
        for (k, v) in try pairs(areaEPSG, "--area-epsg") where Int(v) == nil {
            throw ValidationError("--area-epsg \(k)=\(v): the EPSG code must be a number, e.g. 27700")
        }
    }

    var specs: [LayerSpec] {
        let l = (try? pairs(layers, "--areas")) ?? [:]
        let ids = (try? pairs(areaID, "")) ?? [:], names = (try? pairs(areaName, "")) ?? [:]
        let pops = (try? pairs(population, "")) ?? [:], epsgs = (try? pairs(areaEPSG, "")) ?? [:]
        return layers.compactMap { s in s.split(separator: "=", maxSplits: 1).first.map(String.init) }.map { name in
            LayerSpec(name: name, path: l[name]!, idField: ids[name], nameField: names[name],
                      epsg: epsgs[name].flatMap { Int($0) }, population: pops[name])
        }
    }
}

/// Grid geometry.
struct GridOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cell size in metres. Default: the --cell-rule.", valueName: "metres"))
    var cell: Double?
    @Option(help: "Default cell-size rule: sfhotspot (shorter extent side / 50, rounded down to 100 m) or arcgis (shorter side / 250).")
    var cellRule: CellSizeRule = .sfhotspot
    @Option(help: "Refuse grids with more cells than this.")
    var maxCells: Int = 5_000_000
    @Flag(help: "Keep only cells that touch the --boundary.")
    var clip = false
    @Option(help: ArgumentHelp("Hexagons instead of squares: flat (flat-topped) or pointy; --cell is then the distance across flats in metres.", valueName: "orientation"))
    var hex: HexOrientation?

    func validate() throws {
        if let c = cell, !(c > 0) { throw ValidationError("--cell must be a positive number of metres, e.g. --cell 100") }
        if maxCells < 1 { throw ValidationError("--max-cells must be at least 1") }
    }
}

/// Where a statistic runs: on grid cells (default) or on a polygon layer, and who the neighbours are.
struct LocationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run on this polygon layer (one of --areas, e.g. wards or LSOAs) instead of a grid.", valueName: "name"))
    var on: String?
    @Option(help: ArgumentHelp("Neighbours: queen (default; on a grid, distance cell × √2), rook, distance:METRES, knn:K (polygons).", valueName: "rule"))
    var neighbours: String?

    func validate() throws {
        if let n = neighbours, NeighbourRule(parsing: n) == nil {
            throw ValidationError("--neighbours '\(n)' is not understood: use queen, rook, distance:400 or knn:8")
        }
    }

    /// `--on NAME` must name one of the `--areas` layers.
    func check(_ areas: AreaOptions) throws {
        if let on, !areas.layers.contains(where: { $0.hasPrefix(on + "=") }) { throw ValidationError("--on \(on) needs --areas \(on)=FILE") }
    }

    var rule: NeighbourRule? { neighbours.flatMap(NeighbourRule.init(parsing:)) }
}

struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Output folder (created if needed).", valueName: "folder"))
    var out: String = "hotspot-out"
}

extension IncidentFormat: ExpressibleByArgument {}
extension CellSizeRule: ExpressibleByArgument {}
extension HexOrientation: ExpressibleByArgument {}
