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

    public static func run(input: [String], read: ReadOptions, layers specs: [LayerSpec], boundary: LayerSpec?,
                           gridDirectories: [String], out: String, command: String, map: MapOptions? = nil,
                           progress: IncidentReader.Progress? = nil) throws -> Result {
        let job = try JobInputs.load(files: input, read: read, boundary: boundary, layers: specs, gridDirectories: gridDirectories, progress: progress)
        let b = job.boundary, inc = job.incidents, layers = job.layers
        let set = try OutputSet(directory: out)
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
                let ctx = MapJob.Context(incidents: inc, boundary: b, layers: [l] + layers.filter { $0.name != l.name },
                                         parameters: rated ? "Rates per 1,000 residents (population: \((l.populationPath as NSString?)?.lastPathComponent ?? "")) · \(l.areas.count) areas" : "Counts · \(l.areas.count) areas",
                                         product: "\(MapJob.layerTitle(l.name).replacingOccurrences(of: " boundaries", with: "")) \(rated ? "rates" : "counts")")
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
    public static func runHex(input: [String], read: ReadOptions, boundary: LayerSpec?, cell: Double?, rule: CellSizeRule,
                              hex orientation: HexOrientation, clip: Bool, maxCells: Int, gridDirectories: [String],
                              out: String, command: String, extent: Extent? = nil, progress: IncidentReader.Progress? = nil) throws -> (LoadedIncidents, HexProduct, [String]) {
        let job = try JobInputs.load(files: input, read: read, boundary: boundary, gridDirectories: gridDirectories, progress: progress)
        let b = job.boundary, inc = job.incidents
        let p = try HexProduct.compute(inc.table, size: cell, rule: rule, orientation: orientation, boundary: b, clip: clip, cellLimit: maxCells, extent: extent)
        let set = try OutputSet(directory: out)
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

    public static func run(input: [String], read: ReadOptions, boundary: LayerSpec?, cell: Double?, rule: CellSizeRule,
                           clip: Bool, maxCells: Int, gridDirectories: [String], out: String, command: String,
                           extent: Extent? = nil, map: MapOptions? = nil, progress: IncidentReader.Progress? = nil) throws -> Result {
        let job = try JobInputs.load(files: input, read: read, boundary: boundary, gridDirectories: gridDirectories, progress: progress)
        let b = job.boundary, inc = job.incidents
        let product = try GridProduct.compute(inc.table, cellSize: cell, rule: rule, boundary: b, clip: clip, cellLimit: maxCells, extent: extent)
        var warnings = job.warnings
        if clip && b == nil { warnings.append("--clip needs a --boundary; the grid was not clipped") }
        let set = try OutputSet(directory: out)
        let cls = MapStyle.quantiles(product.cells.map { Double(product.counts.counts[$0]) }, field: "count", title: "Incidents per cell",
                                     ramp: MapStyle.ylOrRd5, decimals: 0)
        try set.writeLayer("grid", geometries: product.geometries, properties: product.table, style: .classified(cls))
        try set.write("grid.csv", product.table.csv())
        let mapLine = "Counts per \(Fmt.number(product.choice.grid.cellSize)) m cell (\(product.choice.cellSizeSource))"
        if let mo = map {
            let ctx = MapJob.Context(incidents: inc, boundary: b, layers: [], parameters: mapLine, product: "counts per grid cell")
            try MapJob.draw(ctx, features: product.geometries, classification: cls, dissolve: true, options: mo, into: set)
        }
        try set.finish(command: command, parameters: [
            "map_parameters": mapLine, "map_product": "counts per grid cell",
            "job": "grid", "cell_m": Fmt.number(product.choice.grid.cellSize), "cell_source": product.choice.cellSizeSource,
            "extent_source": product.choice.extentSource, "clip": "\(product.choice.clipped)", "max_cells": "\(maxCells)"],
            inputs: job, grid: product.choice.grid, warnings: warnings)
        return Result(incidents: inc, product: product, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}

/// What `hotspot inspect` prints.
public struct InspectReport {
    public let incidents: LoadedIncidents
    public init(_ inc: LoadedIncidents) { incidents = inc }

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
            s += "  \(f.path) [\(f.format)] \(f.read) rows, \(f.accepted) accepted, \(f.quarantinedTotal) quarantined, \(f.duplicates) duplicate rows\(f.duplicatesDropped ? " (dropped)" : " (kept)")\n"
        }
        s += "rows read: \(inc.read)\naccepted: \(inc.accepted)\nquarantined: \(inc.quarantine.count)\n"
        if inc.notSelected > 0 { s += "selected: \(inc.table.count) (\(inc.notSelected) left out by --type/--from/--to)\n" }
        for (r, n) in inc.quarantinedByReason.sorted(by: { $0.key < $1.key }) { s += "  \(r): \(n)\n" }
        s += "months:\n"
        for (m, n) in months { s += "  \(m): \(n)\n" }
        s += "crime types:\n"
        for (t, n) in types { s += "  \(t): \(n)\n" }
        if let e = inc.table.extent {
            s += "extent (EPSG:27700): E \(Fmt.fixed(e.minX, 1))…\(Fmt.fixed(e.maxX, 1)), N \(Fmt.fixed(e.minY, 1))…\(Fmt.fixed(e.maxY, 1))\n"
        }
        if let p = inc.projection { s += "projection: \(p.operation) (accuracy \(p.accuracyMetres < 0 ? "unknown" : "\(p.accuracyMetres) m")), \(p.distinctPoints) distinct points\n" }
        return s
    }

    public var json: String {
        let inc = incidents
        var s = "{\"read\":\(inc.read),\"accepted\":\(inc.accepted),\"quarantined\":\(inc.quarantine.count),\"not_selected\":\(inc.notSelected),"
        s += "\"quarantined_by_reason\":{" + inc.quarantinedByReason.sorted { $0.key < $1.key }.map { "\(Fmt.jsonString($0.key)):\($0.value)" }.joined(separator: ",") + "},"
        s += "\"months\":{" + months.map { "\(Fmt.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "},"
        s += "\"crime_types\":{" + types.map { "\(Fmt.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        if let e = inc.table.extent {
            s += ",\"extent_27700\":[\(Fmt.fixed(e.minX, 1)),\(Fmt.fixed(e.minY, 1)),\(Fmt.fixed(e.maxX, 1)),\(Fmt.fixed(e.maxY, 1))]"
        }
        return s + "}"
    }
}

/// The main job on the embedded demo data: inspect, ward and LSOA counts with rates, grid counts.
public enum DemoJob {
    public static func run(dataDirectory d: String, out: String, command: String, log: (String) -> Void) throws -> [String] {
        func p(_ n: String) -> String { (d as NSString).appendingPathComponent(n) }
        let incidents = [p("incidents.csv")]
        var written: [String] = []
        // One output set for the whole demo: its sub-folders are swapped in together.
        let set = try OutputSet(directory: out)
        func sub(_ name: String) -> String { set.path(name) }
        // The tasking maps: density with hotspots, emerging categories, ward rates (SVG, PDF, PNG).
        var mo = MapOptions()
        mo.focus = ["Millpond"]
        let a = try AreasJob.run(
            input: incidents, read: ReadOptions(),
            layers: [LayerSpec(name: "wards", path: p("wards.geojson"), population: p("wards_population.csv")),
                     LayerSpec(name: "lsoa", path: p("lsoa.geojson"), population: p("lsoa_population.csv"))],
            boundary: nil, gridDirectories: [], out: sub("areas"), command: command, map: mo)
        log("areas: " + [a.incidents].map { "read \($0.read), accepted \($0.table.count), quarantined \($0.quarantine.count)" }[0])
        for c in a.layers {
            let top = c.rows.sorted { ($0.count, $1.id) > ($1.count, $0.id) }.prefix(3).map { "\($0.name) \($0.count)" }
            log("  \(c.layer): \(c.rows.count) areas; busiest: \(top.joined(separator: ", "))")
        }
        written += a.written.map { "areas/" + $0 }
        let g = try GridJob.run(input: incidents, read: ReadOptions(), boundary: LayerSpec(name: "boundary", path: p("boundary.geojson")), cell: nil,
                                rule: .sfhotspot, clip: true, maxCells: 5_000_000, gridDirectories: [],
                                out: sub("grid"), command: command)
        let gg = g.product.choice.grid
        log("grid: \(gg.ncols)×\(gg.nrows) cells of \(Fmt.number(gg.cellSize)) m (sfhotspot rule), \(g.product.cells.count) cells in the boundary")
        written += g.written.map { "grid/" + $0 }
        var ko = KDEOptions()
        ko.clip = true
        ko.threshold = .topCells(percent: 5)
        ko.map = mo
        let k = try KDEJob.run(input: incidents, read: ReadOptions(), boundary: LayerSpec(name: "boundary", path: p("boundary.geojson")),
                               layers: [LayerSpec(name: "wards", path: p("wards.geojson")), LayerSpec(name: "lsoa", path: p("lsoa.geojson"))],
                               options: ko, gridDirectories: [], out: sub("kde"), command: command)
        log("kde: quartic, bandwidth \(Fmt.fixed(k.surface.parameters.bandwidth, 1)) m (\(k.bandwidthSource) rule), \(Fmt.number(k.surface.grid.cellSize)) m cells, \(k.surface.mode.rawValue); \(k.hotspots.count) hotspot polygons (top 5% of cells)")
        for h in k.hotspots.prefix(3) {
            log("  \(h.id): \(Fmt.fixed(h.areaM2 / 1e6, 2)) km², \(h.incidents) incidents (\(Fmt.fixed(h.share * 100, 1))%), PAI \(Fmt.fixed(h.pai, 1)), wards \((h.touches["wards"] ?? []).joined(separator: ", "))")
        }
        written += k.written.map { "kde/" + $0 }
        var eo = EmergingJobOptions()
        eo.cell = 200; eo.clip = true; eo.map = mo
        eo.mapLayers = [LayerSpec(name: "wards", path: p("wards.geojson"))]
        let e = try EmergingJob.run(input: incidents, read: ReadOptions(), boundary: LayerSpec(name: "boundary", path: p("boundary.geojson")), options: eo,
                                    gridDirectories: [], out: sub("emerging"), command: command)
        log("emerging: \(e.cells.count) cells of 200 m × \(e.cube.steps.count) months; " + e.summary.filter { $0.0 != .noPattern }.map { "\($0.1) \($0.0.name)" }.joined(separator: ", "))
        written += e.written.map { "emerging/" + $0 }
        let gi = try GiStarJob.run(input: incidents, read: ReadOptions(), boundary: nil, layers: [LayerSpec(name: "lsoa", path: p("lsoa.geojson"))],
                                   layerName: "lsoa", cell: nil, rule: .sfhotspot, clip: false, maxCells: 5_000_000, neighbours: .queen,
                                   fdr: true, permutations: 0, seed: 1, gridDirectories: [],
                                   out: sub("gistar-lsoa"), command: command)
        log("gistar (LSOAs, queen, FDR): \(gi.gi.binFDR.filter { $0 > 0 }.count) hot, \(gi.gi.binFDR.filter { $0 < 0 }.count) cold of \(gi.gi.n)")
        written += gi.written.map { "gistar-lsoa/" + $0 }
        let c = try CompareJob.run(input: incidents, read: ReadOptions(),
                                   periods: [Period(parsing: "2024-03..2024-09")!, Period(parsing: "2025-03..2025-09")!],
                                   boundary: nil, layers: [LayerSpec(name: "wards", path: p("wards.geojson"), population: p("wards_population.csv"))],
                                   focus: ["Millpond", "Beacon Hill"], cell: nil, gridDirectories: [],
                                   out: sub("compare"), command: command)
        log("compare 2024-03..2024-09 vs 2025-03..2025-09: \(c.tables["wards"]?.rows.count ?? 0) ward × crime-type rows, focus Millpond and Beacon Hill")
        written += c.written.map { "compare/" + $0 }
        let warnings = a.warnings + g.warnings + k.warnings + e.warnings + gi.warnings + c.warnings
        for w in warnings { log("warning: \(w)") }
        for f in ["areas", "grid", "kde", "emerging", "gistar-lsoa", "compare"] { try set.recordFolder(f) }
        var meta = RunMetadata(command: command, parameters: ["job": "demo", "data": d], inputs: a.incidents.files,
                               counts: Pipeline.counts(a.incidents), projection: a.incidents.projection)
        meta.warnings = warnings
        try set.finish(meta)
        return written + ["metadata.json"]
    }
}
