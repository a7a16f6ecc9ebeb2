import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Grid counts written as GeoJSON + CSV.
public enum GridJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var product: GridProduct
        public var warnings: [String]
        public var written: [String]
    }

    /// Hexagon counts (with `hex`), written like the square grid: grid.geojson, grid.csv.
    public static func runHex(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> (LoadedIncidents, HexProduct, [String]) {
        let g = req.products.grid ?? .init(), orientation = g.hex ?? .flat, clip = g.clip
        let job = try inputs ?? req.loadInputs()
        let b = job.boundary, inc = job.incidents
        let p = try HexProduct.compute(inc.table, size: g.cell, rule: g.cellRule, orientation: orientation, boundary: b, clip: clip, cellLimit: g.maxCells, extent: g.extent)
        let set = try OutputSet(req)
        try set.writeLayer("grid", geometries: p.geometries, properties: p.table,
                           style: .classified(classes(p.cells, p.counts, harm: inc.table.harm)))
        try set.writeCSV("grid.csv", p.table)
        try set.finish(command: command, parameters: [
            "job": "grid", "shape": "hexagon (\(orientation.rawValue)-top)", "across_flats_m": Fmt.number(p.grid.size),
            "cell_area_m2": Fmt.fixed(p.grid.cellArea, 1), "cell_source": p.cellSizeSource, "clip": "\(clip && b != nil)"],
            inputs: job, warnings: job.warnings)
        return (inc, p, set.written.map(\.path) + ["metadata.json"])
    }

    /// Counts on the occupied cells only (`sparse: true`): grid.geojson/.gpkg and grid.csv with the dense product's
    /// columns, one row per occupied cell; no map (a national grid is drawn in a GIS).
    public static func runSparse(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> (LoadedIncidents, SparseGridProduct, [String], [String]) {
        let g = req.products.grid ?? .init()
        let job = try inputs ?? req.loadInputs()
        let p = try SparseGridProduct.compute(job.incidents.table, cellSize: g.cell, rule: g.cellRule, boundary: job.boundary, extent: g.extent)
        var warnings = job.warnings
        if g.map != nil { warnings.append("--map is not drawn for a --sparse grid (its extent is national): open grid.gpkg in a GIS") }
        let set = try OutputSet(req)
        let harm = job.incidents.table.harm
        let cls = classes(values: p.counts.cells.indices.map { harm ? p.counts.weighted[$0] : Double(p.counts.counts[$0]) }, harm: harm)
        let table = p.table
        try set.writeLayer("grid", geometries: p.geometries, properties: table, style: .classified(cls))
        try set.writeCSV("grid.csv", table)
        try set.finish(command: command, parameters: p.parameters.merging([
            "job": "grid", "cell_m": Fmt.number(p.choice.grid.cellSize), "cell_source": p.choice.cellSizeSource,
            "extent_source": p.choice.extentSource, "clip": "false", "outside": "\(p.counts.outside)"]) { a, _ in a },
            inputs: job, grid: p.choice.grid, warnings: warnings)
        return (job.incidents, p, set.written.map(\.path) + ["metadata.json"], warnings)
    }

    /// Square-grid counts of `p.products.grid` into `p.out` (hexagons: `runHex`).
    public static func run(_ p: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let g = p.products.grid ?? .init(), clip = g.clip, maxCells = g.maxCells, map = g.map
        let job = try inputs ?? p.loadInputs()
        let b = job.boundary, inc = job.incidents
        let product = try GridProduct.compute(inc.table, cellSize: g.cell, rule: g.cellRule, boundary: b, clip: clip, cellLimit: maxCells, extent: g.extent)
        var warnings = job.warnings
        if clip && b == nil { warnings.append("--clip needs a --boundary; the grid was not clipped") }
        let set = try OutputSet(p)
        let harm = inc.table.harm
        let cls = classes(product.cells, product.counts, harm: harm)
        try set.writeLayer("grid", geometries: product.geometries, properties: product.table, style: .classified(cls))
        try set.writeCSV("grid.csv", product.table)
        let mapLine = "\(harm ? "Harm (sum of the harm table's weights)" : "Counts") per \(Fmt.number(product.choice.grid.cellSize)) m cell (\(product.choice.cellSizeSource))"
        let what = harm ? "harm per grid cell" : "counts per grid cell"
        // The area layers (wards…) the map draws and names, recorded in metadata.json for `hotspot map`.
        var drawn: [LoadedLayer] = []
        if let mo = map {
            drawn = job.layers.isEmpty ? try p.layers.map { try Pipeline.loadLayer($0, gridDirectories: p.gridDirectories) } : job.layers
            var ctx = MapJob.Context(incidents: inc, boundary: b, layers: drawn, parameters: mapLine, product: what)
            ctx.blank = "no incidents"
            try MapJob.draw(ctx, features: product.geometries, classification: cls, dissolve: true, options: mo, into: set)
        }
        try set.finish(command: command, parameters: [
            "map_parameters": mapLine, "map_product": what,
            "job": "grid", "cell_m": Fmt.number(product.choice.grid.cellSize), "cell_source": product.choice.cellSizeSource,
            "extent_source": product.choice.extentSource, "clip": "\(product.choice.clipped)", "max_cells": "\(maxCells)"],
            inputs: job, grid: product.choice.grid, extraLayers: job.layers.isEmpty ? drawn : [], warnings: warnings)
        return Result(incidents: inc, product: product, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }

    /// The layer's and the map's classes: incidents per cell, or harm per cell with a harm table (`--weights`).
    static func classes(_ cells: [Int], _ counts: GridCounts, harm: Bool) -> Classification {
        classes(values: cells.map { harm ? counts.weighted[$0] : Double(counts.counts[$0]) }, harm: harm)
    }

    /// The same classes from the cells' values (counts, or harm with a harm table).
    static func classes(values v: [Double], harm: Bool) -> Classification {
        MapStyle.quantiles(v, field: harm ? "harm" : "count", title: harm ? "Harm per cell" : "Incidents per cell",
                                  ramp: MapStyle.ylOrRd5, decimals: v.allSatisfy { $0 == $0.rounded() } ? 0 : 1)
    }
}
