import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Stop and search as a product (`hotspot stops`): counts by area × attribute, find rates with Wilson intervals and
/// disproportionality ratios with Katz intervals, per borough (the boundary), per area of each layer, written as
/// counts-SCOPE.csv, find-rates.csv, disproportionality.csv, stops-LAYER layers, summary.txt and metadata.json.
public enum StopsJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var table: StopSearchTable
        public var scopes: [StopsScope]
        /// Searches read (with a readable date), in the analysis, without a location (in the analysis), located
        /// outside the boundary, and left out by --from/--to/--type.
        public var read: Int, inScope: Int, noLocation: Int, outsideBoundary: Int, notSelected: Int
        public var unknown: [String: [String: Int]]
        public var findRates: Table, ratios: Table
        /// With --by-type: person against person-and-vehicle find rates per area (type-test.csv).
        public var typeTest: Table?
        /// With --cell: the grid the searches were counted on.
        public var grid: GridProduct?
        public var summary: String
        public var warnings: [String]
        public var written: [String]
        /// With crime files (`--crime`, or `stops: {files}` beside the project's inputs): searches beside crime.
        public var crime: StopsCrime? = nil
    }

    public static func run(_ p: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let req = p.products.stops ?? .init()
        let job = try inputs ?? p.loadInputs()
        // With stop files apart, the project's inputs are street crime: a stop-and-search file among them is a mix-up.
        if !(req.files.isEmpty), let f = job.incidents.files.first(where: { $0.format.hasPrefix("stopsearch") }) {
            throw InputError.unusable("\(f.path): a stop-and-search file given as street crime (--crime, or the project's inputs beside stops: {files}); give police.uk street-crime files there")
        }
        let t = try StopSearchReader.read(files: stopFiles(p))
        // A summary page for a period without a single search would be a page of zeros: refused, naming the dates held.
        if let lo = t.day.min(), let hi = t.day.max() {
            for period in req.periods where period.last < Int(lo) || period.first > Int(hi) {
                throw InputError.unusable("--period \(period.name): no search is dated in it; the files hold searches from \(CivilDate.dayLabel(Int(lo))) to \(CivilDate.dayLabel(Int(hi))): choose months inside them")
            }
        }
        var r = try analyse(p, job: job, t: t, request: req)
        let set = try OutputSet(p)
        for s in r.scopes { try set.write("counts-\(s.name).csv", StopsTables.counts(s, t).csv()) }
        try set.write("find-rates.csv", r.findRates.csv())
        try set.write("disproportionality.csv", r.ratios.csv())
        if req.populationByGroup.count + req.populationTotals.count > 1 {
            try set.write("disproportionality-measures.csv", StopsMeasures.sideBySide(r.ratios).csv())
        }
        if let tt = r.typeTest { try set.write("type-test.csv", tt.csv()) }
        for l in job.layers { try writeLayer(l, scope: r.scopes.first { $0.name == l.name }!, t: t, set: set) }
        if let g = r.grid { try writeGrid(g, set: set) }
        try writeMonthly(r, set: set)
        let extra = try writeCrimeAndMap(&r, p, job: job, set: set)
        _ = try writePages(r, p, job: job, command: command, set: set)
        try set.write("summary.txt", r.summary)
        var params = ["job": "stops", "suppress_below": "\(req.suppressBelow)", "by_type": "\(req.byType)", "cell_m": req.cell.map { Fmt.number($0) } ?? "none", "caveat": StopsRatios.caveat,
                      "searches_read": "\(r.read)", "searches_analysed": "\(r.inScope)", "no_location": "\(r.noLocation)",
                      "outside_boundary": "\(r.outsideBoundary)",
                      "quarantine_note": "quarantine.csv and counts are the point reader's, as for every product: its 'missing coordinate' rows are the searches without a location, which stops keeps in the no_location rows of its tables", "not_selected": "\(r.notSelected)",
                      "no_further_action_outcomes": StopsCodes.noFurtherAction.sorted().joined(separator: "; ")]
        params["rows_read"] = "\(t.read)"; params["unreadable_dates"] = "\(t.unreadableDates)"; params["bad_locations"] = "\(t.badLocations)"
        r.warnings += readerWarnings(t)
        for (col, spellings) in r.unknown {
            params["unknown_" + snakeCase(col)] = spellings.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
        }
        for (name, path) in req.populationByGroup.sorted(by: { $0.key < $1.key }) { params["population_by_group_" + name] = path }
        params.merge(extra) { _, new in new }
        for (name, path) in req.populationTotals.sorted(by: { $0.key < $1.key }) { params["population_totals_" + name] = path + " (group shares of the layer's first measure × these totals)" }
        try set.finish(command: command, parameters: params, inputs: job, warnings: r.warnings)
        r.written = set.written.map(\.path) + ["metadata.json"]
        return r
    }

    /// Projects, selects, attributes and tabulates (no files written).
    static func analyse(_ p: Project, job: JobInputs, t: StopSearchTable, request req: Project.StopsRequest) throws -> Result {
        let (x, y) = try project(t, gridDirectories: p.gridDirectories)
        // With crime files, --type selects crime types (the reader applied it): every object of search is kept.
        let sel = p.read.selection, obj = t.column("Object of search"), types = req.files.isEmpty ? sel.types : []
        let from = sel.from.map(Int32.init) ?? .min, to = sel.to.map(Int32.init) ?? .max
        let selected = (0..<t.count).map { i in t.day[i] >= from && t.day[i] <= to && (types.isEmpty || types.contains(obj.text(i))) }
        let located = (0..<t.count).map { t.hasLocation($0) }
        let inBoundary = job.boundary.map { assign($0, x, y, located) }
        let inScope = (0..<t.count).map { i in selected[i] && (!located[i] || inBoundary == nil || inBoundary![i] >= 0) }
        let measures = try StopsMeasures.load(req, layers: job.layers.map(\.name))
        var pops: [String: [String: [Double]]] = [:]
        for m in measures.reversed() { pops[m.layer] = m.byArea }   // each layer's first measure
        var warnings = job.warnings + monthWarnings(t, files: stopFiles(p))
        var scopes: [StopsScope] = []
        var boroughPop: [Double]? = nil
        for l in job.layers {
            let a = assign(l, x, y, located), n = Int32(l.areas.count)
            let member = (0..<t.count).map { i in !inScope[i] ? -1 : !located[i] ? n : a[i] >= 0 ? a[i] : n + 1 }
            let pop = pops[l.name].map { g in l.areas.map { g[$0.id] } } ?? [[Double]?](repeating: nil, count: l.areas.count)
            if let g = pops[l.name] {
                let missing = l.areas.filter { g[$0.id] == nil }.map(\.id)
                if !missing.isEmpty { warnings.append("layer \(l.name): no population by group for \(missing.count) area(s), e.g. \(missing.prefix(3).joined(separator: ", ")); they have no rates") }
                if boroughPop == nil { boroughPop = pop.compactMap { $0 }.reduce([0, 0, 0, 0, 0]) { zip($0, $1).map { $0 + $1 } } }
            }
            scopes.append(StopsScope(name: l.name, ids: l.areas.map(\.id) + ["no_location", "outside"],
                                     names: l.areas.map(\.name) + ["no location", "outside every area"],
                                     member: member, population: pop + [nil, nil]))
        }
        var grid: GridProduct? = nil
        if let cell = req.cell {
            let (scope, product) = try gridScope(t, x: x, y: y, inScope: inScope, located: located, cell: cell, boundary: job.boundary)
            scopes.append(scope); grid = product
        }
        for name in pops.keys where !job.layers.contains(where: { $0.name == name }) {
            throw InputError.unusable("--population-by-group \(name)=…: no layer is called \(name) (give it with --areas \(name)=FILE)")
        }
        let boroughName = job.boundary.map { ($0.source.path as NSString).lastPathComponent } ?? "all searches"
        // Searches without a location cannot be placed inside or outside the boundary: their own row, no rate.
        let borough = StopsScope(name: "borough", ids: ["borough", "no_location"], names: [boroughName, "no location"],
                                 member: (0..<t.count).map { !inScope[$0] ? -1 : located[$0] ? 0 : 1 }, population: [boroughPop, nil])
        scopes.insert(borough, at: 0)
        let rows = (0..<t.count).filter { inScope[$0] }
        let unknown = StopsCodes.unknownSpellings(t, rows: rows)
        for (col, s) in unknown.sorted(by: { $0.key < $1.key }) {
            warnings.append("\(col): \(s.values.reduce(0, +)) search(es) with a spelling hotspot does not know (\(s.keys.sorted().prefix(3).map { "'\($0)'" }.joined(separator: ", "))): counted under their own text, left out of rates and ratios (listed in metadata.json)")
        }
        var find = scopes.map { StopsTables.findRates($0, t) }.reduce(into: Table(columns: StopsTables.findRates(borough, t).columns)) { $0.rows += $1.rows }
        warnings += StopsMeasures.warnings(measures, scopes)
        var ratios = StopsMeasures.ratios(scopes, measures, t, suppressBelow: req.suppressBelow)
        var typeTest: Table? = nil
        if req.byType {
            let types = t.column("Type").values.filter { !$0.isEmpty }.sorted()
            for ty in types {
                let typed = scopes.map { StopsTables.only($0, t, type: ty) }
                for s in typed { find.rows += StopsTables.findRates(s, t, searchType: ty).rows }
                ratios.rows += StopsMeasures.ratios(typed, measures, t, suppressBelow: req.suppressBelow, searchType: ty).rows
            }
            typeTest = StopsTables.typeTest(scopes, t, first: "Person search", second: "Person and Vehicle search")
        }
        var res = Result(incidents: job.incidents, table: t, scopes: scopes, read: t.count, inScope: rows.count,
                         noLocation: rows.filter { !located[$0] }.count,
                         outsideBoundary: (0..<t.count).filter { selected[$0] && located[$0] && !inScope[$0] }.count,
                         notSelected: selected.filter { !$0 }.count, unknown: unknown, findRates: find, ratios: ratios, typeTest: typeTest, grid: grid,
                         summary: "", warnings: warnings, written: [])
        res.summary = summaryText(res)
        if !req.files.isEmpty { res.attach(crimeComparison(res, job: job)) }
        return res
    }

    /// The area of each located row (-1: in none; rows without a location: -1, never given to the index).
    static func assign(_ l: LoadedLayer, _ x: [Double], _ y: [Double], _ located: [Bool]) -> [Int32] {
        let idx = located.indices.filter { located[$0] }
        let a = l.index.assign(x: idx.map { x[$0] }, y: idx.map { y[$0] })
        var out = [Int32](repeating: -1, count: x.count)
        for (k, i) in idx.enumerated() { out[i] = a[k] }
        return out
    }

    /// Longitude/latitude → EPSG:27700 (NaN stays NaN: rows without a location).
    static func project(_ t: StopSearchTable, gridDirectories: [String]) throws -> ([Double], [Double]) {
        let idx = (0..<t.count).filter { t.hasLocation($0) }
        var x = idx.map { t.lon[$0] }, y = idx.map { t.lat[$0] }
        if !idx.isEmpty { _ = try Pipeline.incidentProjection(from: 4326, gridDirectories: gridDirectories).transform(x: &x, y: &y) }
        var ox = [Double](repeating: .nan, count: t.count), oy = ox
        for (k, i) in idx.enumerated() { ox[i] = x[k]; oy[i] = y[k] }
        return (ox, oy)
    }

    /// stops-LAYER: searches and the find rate per area, classed by searches.
    static func writeLayer(_ l: LoadedLayer, scope s: StopsScope, t: StopSearchTable, set: OutputSet) throws {
        let n = StopsTables.totals(s), fr = StopsTables.findRates(s, t)
        var props = Table(columns: ["id", "name", "searches", "found", "with_outcome", "find_rate", "find_ci_low", "find_ci_high"])
        let found = fr.rows.filter { $0[3] == .string("All") && $0[4] == .string("found") }
        for (a, area) in l.areas.enumerated() {
            props.rows.append([.string(area.id), .string(area.name), .int(n[a])] + Array(found[a][5...]))
        }
        let cls = MapStyle.quantiles(l.areas.indices.map { Double(n[$0]) }, field: "searches", title: "Stop and search", ramp: MapStyle.puBu5, decimals: 0)
        try set.writeLayer("stops-\(l.name)", geometries: l.areas.map(\.geometry), properties: props, style: .classified(cls))
    }
}
