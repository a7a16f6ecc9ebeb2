import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// `hotspot run PROJECT.yaml`: reads and projects the incidents once, loads the boundary and area layers once, and
/// writes every product of the project into one output folder (`areas/`, `grid/`, `kde/`, `gistar/`, `emerging/`,
/// `compare/`), swapped in as a whole with a `metadata.json` listing every file.
public enum ProjectJob {
    public static func run(_ p: Project, command: String, log: (String) -> Void,
                           progress: IncidentReader.Progress? = nil) throws -> (LoadedIncidents, [String], [String]) {
        try p.checkOutput()
        let inputs = try p.loadInputs(progress: progress)
        let set = try OutputSet(p)
        var warnings = inputs.warnings
        let pr = p.products
        // Every product's tables go to the database in one transaction, after all products are made.
        let batch = p.database.map { _ in DatabaseBatch() }
        /// The request with the output folder of one product.
        func into(_ name: String) -> Project { var q = p; q.out = set.path(name); q.database?.batch = batch; return q }
        if pr.areas != nil {
            let r = try AreasJob.run(into("areas"), command: command, inputs: inputs)
            warnings += r.warnings
            log("areas: " + r.layers.map { "\($0.layer) \($0.rows.count) areas" }.joined(separator: ", "))
        }
        if let g = pr.grid {
            if g.hex != nil {
                let (_, h, _) = try GridJob.runHex(into("grid"), command: command, inputs: inputs)
                log("grid: \(h.cells.count) hexagons of \(Fmt.number(h.grid.size)) m across flats")
            } else {
                let r = try GridJob.run(into("grid"), command: command, inputs: inputs)
                warnings += r.warnings
                log("grid: \(r.product.cells.count) cells of \(Fmt.number(r.product.choice.grid.cellSize)) m")
            }
        }
        if pr.kde != nil {
            let r = try KDEJob.run(into("kde"), command: command, inputs: inputs)
            warnings += r.warnings
            log("kde: bandwidth \(Fmt.fixed(r.surface.parameters.bandwidth, 1)) m, \(r.hotspots.count) hotspot polygon(s)")
        }
        if let g = pr.gistar {
            let r = try GiStarJob.run(into("gistar"), command: command, inputs: inputs)
            warnings += r.warnings
            log("gistar: \(r.gi.n) locations; hottest: \(r.hottest(3, fdr: g.fdr))")
        }
        if pr.emerging != nil {
            let r = try EmergingJob.run(into("emerging"), command: command, inputs: inputs)
            warnings += r.warnings
            log("emerging: " + r.summary.filter { $0.0 != .noPattern }.map { "\($0.1) \($0.0.name)" }.joined(separator: ", "))
        }
        if let c = pr.compare {
            let r = try CompareJob.run(into("compare"), command: command, inputs: inputs)
            warnings += r.warnings
            log("compare: \(c.periods.map(\.name).joined(separator: " vs "))")
        }
        if pr.pspo != nil {
            let r = try PspoJob.run(into("pspo"), command: command)
            warnings += r.warnings
            set.record("pspo.zip", try InputFile.contents(r.zip, limit: 1 << 32))
            log("pspo: \(r.name), \(r.inside) incidents inside; pspo/ and pspo.zip")
        }
        for name in pr.names { try set.recordFolder(name) }
        var meta = RunMetadata(command: command, parameters: ["job": "run", "project": p.path, "products": pr.names.joined(separator: ",")],
                               inputs: inputs.incidents.files, counts: Pipeline.counts(inputs.incidents), projection: inputs.incidents.projection)
        meta.layers = (inputs.layers + (inputs.boundary.map { [$0] } ?? [])).map(\.metadata)
        meta.warnings = Array(NSOrderedSet(array: warnings)) as? [String] ?? warnings
        meta.attribution = Attribution.lines(boundaries: inputs.boundary != nil || !inputs.layers.isEmpty)
        meta.coverage = .init(inputs.incidents.table)
        try set.finish(meta, beforeCommit: { if let batch, let db = p.database { try batch.write(db) } })
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
