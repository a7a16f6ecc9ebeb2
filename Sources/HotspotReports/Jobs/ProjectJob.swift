import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// `hotspot run PROJECT.yaml`: reads and projects the incidents once, loads the boundary and area layers once, and
/// writes every product of the project (`ProductRegistry`, in its order) into one output folder (`areas/`, `grid/`,
/// `kde/`, …), swapped in as a whole with a `metadata.json` listing every file.
public enum ProjectJob {
    public static func run(_ p: Project, command: String, log: (String) -> Void) throws -> (LoadedIncidents, [String], [String]) {
        try p.checkOutput()
        let inputs = try p.loadInputs()
        let set = try OutputSet(p)
        var warnings = inputs.warnings
        let pr = p.products
        // Every product's tables go to the database in one transaction, after all products are made.
        let batch = p.database.map { _ in DatabaseBatch() }
        /// The request with the output folder of one product.
        func into(_ name: String) -> Project { var q = p; q.out = set.path(name); q.database?.batch = batch; return q }
        for product in ProductRegistry.all where product.isRequested(p) {
            let made = try product.make(into(product.name), command: command, inputs: inputs)
            warnings += made.warnings
            for (name, data) in made.besideFolder { set.record(name, data) }
            log(made.summary)
        }
        for name in pr.names { try set.recordFolder(name) }
        // The whole project's incidents cross a data-vintage break that no product has warned of.
        if !warnings.contains(where: VintageWarnings.isVintage) {
            warnings += VintageWarnings.warnings(inputs.incidents)
        }
        var meta = RunMetadata(command: command, parameters: ["job": "run", "project": p.path, "products": pr.names.joined(separator: ",")],
                               inputs: inputs.incidents.files, counts: Pipeline.counts(inputs.incidents), projection: inputs.incidents.projection)
        meta.layers = (inputs.layers + (inputs.boundary.map { [$0] } ?? [])).map(\.metadata)
        meta.warnings = Array(NSOrderedSet(array: warnings)) as? [String] ?? warnings
        meta.attribution = Attribution.lines(boundaries: inputs.boundary != nil || !inputs.layers.isEmpty)
        meta.coverage = .init(inputs.incidents.table)
        meta.harmWeights = inputs.incidents.harm
        try set.finish(meta, database: { if let batch, let db = p.database { return try batch.prepare(db) } else { return nil } })
        return (inputs.incidents, pr.names, meta.warnings)
    }

    /// The commented example project `hotspot init` writes, for the demo data in `data` (a path as the user typed it).
    public static func example(data d: String) -> String {
        """
        # hotspot project file (YAML). Run it with:  hotspot run THIS_FILE
        # Paths are relative to this file. Unknown keys and wrong values stop the run with the line and key.

        inputs:
          files: ["\(d)/incidents.csv"]     # police.uk CSVs, or any CSV with 'columns'; globs allowed: data/2022-*.csv
          format: auto                       # auto | policeuk | stopsearch | csv
          # columns: {x: easting, y: northing, epsg: 27700, date: date, category: type, id: ref}
          # types: [Burglary]                # only these crime types
          # from: 2024-03                    # only incidents on or after (YYYY-MM or YYYY-MM-DD)
          # to: 2025-09                      # only incidents on or before

        boundary: \(d)/boundary.geojson      # the study area: incidents outside it are quarantined

        areas:                               # polygon layers: counts, rates, labels on maps
          wards: {file: \(d)/wards.geojson, population: \(d)/wards_population.csv}
          lsoa: {file: \(d)/lsoa.geojson, population: \(d)/lsoa_population.csv}

        focus: [Millpond]                    # areas highlighted on maps and reported on in compare

        out: hotspot-out/project             # the output folder, replaced as a whole by each run

        map:                                 # how products with 'map: true' are drawn
          paper: a4                          # a4 | a3
          orientation: landscape             # landscape | portrait
          dpi: 300
          formats: [svg, pdf, png]

        products:
          areas: {map: true}                 # counts and rates per 1,000 residents per ward and LSOA
          grid: {cell: 250, clip: true}      # counts per 250 m cell
          kde: {cell: 100, threshold: "top:5", min_incidents: 3, clip: true, map: true}   # bandwidth: ArcGIS rule
          gistar: {on: lsoa, neighbours: queen}
          emerging: {cell: 250, step: month, clip: true, map: true}
          compare: {periods: [2024-03..2024-09, 2025-03..2025-09], profile: true}

        """
    }
}
