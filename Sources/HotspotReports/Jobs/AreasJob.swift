import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Per-area counts for one or more layers, written as GeoJSON + CSV per layer.
public enum AreasJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var layers: [AreaCounts]
        public var warnings: [String]
        public var written: [String]
    }

    /// Counts (and rates, with populations) of `p.layers`, into `p.out`; maps with `p.products.areas.map`.
    public static func run(_ p: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let job = try inputs ?? p.loadInputs()
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
            // With a harm table (and no populations) the classes are of harm; rates stay incidents per resident.
            let harm = inc.table.harm && !rated
            let values = c.rows.map { rated ? ($0.ratePer1000 ?? .nan) : harm ? $0.weighted : Double($0.count) }
            let cls = MapStyle.quantiles(values, field: rated ? "rate_per_1000" : harm ? "harm" : "count",
                                         title: rated ? "Incidents per 1,000 residents" : harm ? "Harm" : "Incidents", ramp: MapStyle.puBu5,
                                         decimals: rated || !values.allSatisfy({ $0 == $0.rounded() }) ? 1 : 0)
            try set.writeLayer("areas-\(l.name)", geometries: l.areas.map(\.geometry), properties: c.table, style: .classified(cls))
            try set.write("areas-\(l.name).csv", c.table.csv())
            if let mo = map {
                var ctx = MapJob.Context(incidents: inc, boundary: b, layers: [l] + layers.filter { $0.name != l.name },
                                         parameters: harm ? "Harm (weights: \((inc.harm?.file as NSString?)?.lastPathComponent ?? "")) · \(l.areas.count) areas" : MapJob.areaParameters(l, rated: rated),
                                         product: "\(MapJob.layerTitle(l.name).replacingOccurrences(of: " boundaries", with: "")) \(rated ? "rates" : harm ? "harm" : "counts")")
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
