import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// Per-area counts for one or more layers, written as GeoJSON + CSV per layer.
public enum AreasJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var layers: [AreaCounts]
        public var warnings: [String]
        public var written: [String]
    }

    /// Counts (and rates, with populations) of `p.layers`, into `p.out`; maps with `p.products.areas.map`.
    public static func run(_ p: Project, command: String, inputs: JobInputs? = nil, progress: IncidentReader.Progress? = nil) throws -> Result {
        let job = try inputs ?? p.loadInputs(progress: progress)
        let b = job.boundary, inc = job.incidents, layers = job.layers, map = p.products.areas?.map, read = p.read
        let set = try OutputSet(p)
        var results: [AreaCounts] = []
        var warnings = job.warnings
        for l in layers {
            let c = PhaseProgress.phase("attribute to \(l.name)", total: Double(inc.table.count), unit: "points") {
                AreaCounts.compute(inc.table, layer: l)
            }
            results.append(c)
            if inc.table.count > 0 && c.rows.allSatisfy({ $0.count == 0 }) && !warnings.contains(where: { $0.hasPrefix("layer \(l.name) ") }) {
                warnings.append("layer \(l.name): none of the \(inc.table.count) incidents falls in any of its \(l.areas.count) areas; check the layer's CRS and that it covers the incidents")
            }
            if let pop = l.population {
                let missing = l.areas.filter { pop[$0.id] == nil }.map(\.id)
                if !missing.isEmpty { warnings.append("layer \(l.name): no population for \(missing.count) area(s), e.g. \(missing.prefix(3).joined(separator: ", ")); their rate is null") }
            }
            let rated = l.population != nil
            let values = c.rows.map { rated ? ($0.ratePer1000 ?? .nan) : Double($0.count) }
            let cls = MapStyle.quantiles(values, field: rated ? "rate_per_1000" : "count",
                                         title: rated ? "Incidents per 1,000 residents" : "Incidents", ramp: MapStyle.puBu5, decimals: rated ? 1 : 0)
            try set.writeLayer("areas-\(l.name)", geometries: l.areas.map(\.geometry), properties: c.table, style: .classified(cls))
            try set.write("areas-\(l.name).csv", c.table.csv())
            if let mo = map {
                var ctx = MapJob.Context(incidents: inc, boundary: b, layers: [l] + layers.filter { $0.name != l.name },
                                         parameters: MapJob.areaParameters(l, rated: rated),
                                         product: "\(MapJob.layerTitle(l.name).replacingOccurrences(of: " boundaries", with: "")) \(rated ? "rates" : "counts")")
                let top = cls.classes.indices.last
                ctx.labelOnly = Set(l.areas.indices.filter { top != nil && cls.classOf[$0] == top }.map { l.areas[$0].id })
                ctx.labelOnlyWhat = "highest-class"
                if c.unassigned > 0 { ctx.notes.append("\(Fmt.grouped(c.unassigned)) of the \(Fmt.grouped(inc.table.count)) incidents lie outside every \(MapJob.layerNoun(l.name)) area and are in no area's count.") }
                ctx.blank = rated ? "no rate (no population) or none recorded" : "no incidents"
                try MapJob.draw(ctx, features: l.areas.map(\.geometry), classification: cls, dissolve: false, options: mo, into: set, name: "map-\(l.name)")
            }
        }
        try set.finish(command: command, parameters: ["job": "areas", "drop_duplicates": "\(read.dropDuplicates)",
                                                      "format": read.format.rawValue], inputs: job, warnings: warnings)
        return Result(incidents: inc, layers: results, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}

/// Grid counts written as GeoJSON + CSV.
public enum GridJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var product: GridProduct
        public var warnings: [String]
        public var written: [String]
    }

    /// Hexagon counts (with `hex`), written like the square grid: grid.geojson, grid.csv.
    public static func runHex(_ req: Project, command: String, inputs: JobInputs? = nil, progress: IncidentReader.Progress? = nil) throws -> (LoadedIncidents, HexProduct, [String]) {
        let g = req.products.grid ?? .init(), orientation = g.hex ?? .flat, clip = g.clip
        let job = try inputs ?? req.loadInputs(progress: progress)
        let b = job.boundary, inc = job.incidents
        let p = try HexProduct.compute(inc.table, size: g.cell, rule: g.rule, orientation: orientation, boundary: b, clip: clip, cellLimit: g.maxCells, extent: g.extent)
        let set = try OutputSet(req)
        try set.writeLayer("grid", geometries: p.geometries, properties: p.table,
                           style: .classified(MapStyle.quantiles(p.cells.map { Double(p.counts.counts[$0]) }, field: "count",
                                                                 title: "Incidents per cell", ramp: MapStyle.ylOrRd5, decimals: 0)))
        try set.write("grid.csv", p.table.csv())
        try set.finish(command: command, parameters: [
            "job": "grid", "shape": "hexagon (\(orientation.rawValue)-top)", "across_flats_m": Fmt.number(p.grid.size),
            "cell_area_m2": Fmt.fixed(p.grid.cellArea, 1), "cell_source": p.cellSizeSource, "clip": "\(clip && b != nil)"],
            inputs: job, warnings: job.warnings)
        return (inc, p, set.written.map(\.path) + ["metadata.json"])
    }

    /// Square-grid counts of `p.products.grid` into `p.out` (hexagons: `runHex`).
    public static func run(_ p: Project, command: String, inputs: JobInputs? = nil, progress: IncidentReader.Progress? = nil) throws -> Result {
        let g = p.products.grid ?? .init(), clip = g.clip, maxCells = g.maxCells, map = g.map
        let job = try inputs ?? p.loadInputs(progress: progress)
        let b = job.boundary, inc = job.incidents
        let product = try GridProduct.compute(inc.table, cellSize: g.cell, rule: g.rule, boundary: b, clip: clip, cellLimit: maxCells, extent: g.extent)
        var warnings = job.warnings
        if clip && b == nil { warnings.append("--clip needs a --boundary; the grid was not clipped") }
        let set = try OutputSet(p)
        let cls = MapStyle.quantiles(product.cells.map { Double(product.counts.counts[$0]) }, field: "count", title: "Incidents per cell",
                                     ramp: MapStyle.ylOrRd5, decimals: 0)
        try set.writeLayer("grid", geometries: product.geometries, properties: product.table, style: .classified(cls))
        try set.write("grid.csv", product.table.csv())
        let mapLine = "Counts per \(Fmt.number(product.choice.grid.cellSize)) m cell (\(product.choice.cellSizeSource))"
        // The area layers (wards…) the map draws and names, recorded in metadata.json for `hotspot map`.
        var drawn: [LoadedLayer] = []
        if let mo = map {
            drawn = job.layers.isEmpty ? try p.layers.map { try Pipeline.loadLayer($0, gridDirectories: p.gridDirectories) } : job.layers
            var ctx = MapJob.Context(incidents: inc, boundary: b, layers: drawn, parameters: mapLine, product: "counts per grid cell")
            ctx.blank = "no incidents"
            try MapJob.draw(ctx, features: product.geometries, classification: cls, dissolve: true, options: mo, into: set)
        }
        try set.finish(command: command, parameters: [
            "map_parameters": mapLine, "map_product": "counts per grid cell",
            "job": "grid", "cell_m": Fmt.number(product.choice.grid.cellSize), "cell_source": product.choice.cellSizeSource,
            "extent_source": product.choice.extentSource, "clip": "\(product.choice.clipped)", "max_cells": "\(maxCells)"],
            inputs: job, grid: product.choice.grid, extraLayers: job.layers.isEmpty ? drawn : [], warnings: warnings)
        return Result(incidents: inc, product: product, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}

/// What `hotspot inspect` prints.
public struct InspectReport {
    public let incidents: LoadedIncidents
    /// The extent in EPSG:27700.
    public let extent: Extent?
    /// Points projected to find the extent, when not every point was.
    public let projectedForExtent: Int?
    public init(_ inc: LoadedIncidents) { incidents = inc; extent = inc.table.extent; projectedForExtent = nil }
    public init(_ i: Pipeline.Inspected) { incidents = i.incidents; extent = i.extent; projectedForExtent = i.projectedForExtent }

    var months: [(String, Int)] {
        var d: [Int: Int] = [:]
        for day in incidents.table.day { d[CivilDate.monthOrdinal(ofDay: Int(day)), default: 0] += 1 }
        return d.keys.sorted().map { (CivilDate.monthLabel($0), d[$0]!) }
    }
    var types: [(String, Int)] {
        var c = [Int](repeating: 0, count: incidents.table.categories.count)
        for k in incidents.table.category { c[Int(k)] += 1 }
        return zip(incidents.table.categories, c).sorted { ($1.1, $0.0) < ($0.1, $1.0) }
    }

    public var text: String {
        let inc = incidents
        var s = "files: \(inc.files.count)\n"
        for f in inc.files {
            s += "  \(f.path) [\(f.format)] \(f.read) rows, \(f.accepted) accepted, \(f.quarantinedTotal) quarantined, \(Fmt.counted(f.duplicates, "duplicate row"))\(f.duplicatesDropped ? " (dropped)" : " (kept)")\n"
        }
        s += "rows read: \(inc.read)\naccepted: \(inc.accepted)\nquarantined: \(inc.quarantine.count)\n"
        if inc.notSelected > 0 { s += "selected: \(inc.table.count) (\(inc.notSelected) left out by --type/--from/--to)\n" }
        for (r, n) in inc.quarantinedByReason.sorted(by: { $0.key < $1.key }) { s += "  \(r): \(n)\n" }
        s += "months:\n"
        for (m, n) in months { s += "  \(m): \(n)\n" }
        s += "crime types:\n"
        for (t, n) in types { s += "  \(t): \(n)\n" }
        if let e = extent {
            s += "extent (EPSG:27700): E \(Fmt.fixed(e.minX, 1))…\(Fmt.fixed(e.maxX, 1)), N \(Fmt.fixed(e.minY, 1))…\(Fmt.fixed(e.maxY, 1))\n"
        }
        if let p = inc.projection {
            let accuracy = "accuracy \(p.accuracyMetres < 0 ? "unknown" : "\(p.accuracyMetres) m")"
            if let k = projectedForExtent {
                s += "projection: \(p.operation) (\(accuracy)); the extent from the \(k) of \(p.points) points that can bound it\n"
            } else {
                s += "projection: \(p.operation) (\(accuracy)), \(p.distinctPoints) distinct points\n"
            }
        }
        return s
    }

    public var json: String {
        let inc = incidents
        var s = "{\"read\":\(inc.read),\"accepted\":\(inc.accepted),\"quarantined\":\(inc.quarantine.count),\"not_selected\":\(inc.notSelected),"
        s += "\"quarantined_by_reason\":{" + inc.quarantinedByReason.sorted { $0.key < $1.key }.map { "\(Fmt.jsonString($0.key)):\($0.value)" }.joined(separator: ",") + "},"
        s += "\"months\":{" + months.map { "\(Fmt.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "},"
        s += "\"crime_types\":{" + types.map { "\(Fmt.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        if let e = extent {
            s += ",\"extent_27700\":[\(Fmt.fixed(e.minX, 1)),\(Fmt.fixed(e.minY, 1)),\(Fmt.fixed(e.maxX, 1)),\(Fmt.fixed(e.maxY, 1))]"
        }
        return s + "}"
    }
}

/// The main job on the embedded demo data: its project file (`Geodata/demo/project.yaml`: ward and LSOA counts with
/// rates, grid counts, KDE with hotspots, Gi* on LSOAs, emerging hot spots, a year-on-year comparison with profiles,
/// and their maps), written to `out`.
public enum DemoJob {
    public static func run(dataDirectory d: String, out: String, database: Project.Database? = nil, command: String, log: (String) -> Void) throws -> [String] {
        var p = try Project.load((d as NSString).appendingPathComponent("project.yaml"))
        p.out = out
        p.database = database
        let (inc, names, warnings) = try ProjectJob.run(p, command: command, log: log)
        log("read \(inc.read), accepted \(inc.accepted), quarantined \(inc.quarantine.count)")
        for w in warnings { log("warning: \(w)") }
        return Project.Products.written(names)
    }
}
