import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// `hotspot profile`: one page per focus area (see `ProfilePage`), with the CSV behind it, from the same counts,
/// rates and Poisson tests as `compare`.
enum ProfilePages {
    /// With a harm table (`--weights`): each period's harm in the area and in the borough, beside the counts.
    static func addHarm(_ rows: inout [ProfilePage.PeriodRow], area u: Int, layer l: LoadedLayer, incidents t: IncidentTable, periodOf: [Int]) {
        let assign = l.index.assign(x: t.x, y: t.y)
        for k in rows.indices { rows[k].harm = 0; rows[k].boroughHarm = 0 }
        for i in 0..<t.count where periodOf[i] >= 0 {
            rows[periodOf[i]].boroughHarm! += t.weight(at: i)
            if Int(assign[i]) == u { rows[periodOf[i]].harm! += t.weight(at: i) }
        }
    }

    /// `profile-SLUG`: the area's name in lower case, runs of other characters as one hyphen (its id when empty).
    static func pageName(_ a: Area) -> String {
        let slug = String(a.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).split(separator: "-").joined(separator: "-")
        return "profile-\(slug.isEmpty ? a.id : slug)"
    }

    /// With a `context:` section: `profile-SLUG-london.svg/.pdf/.png`, the London context block (the ward among
    /// London's wards, outlined, when the area is a ward of the borough; else the borough in London), with
    /// `profile-SLUG-london.csv` (the borough's and London's rows) and, for a ward, `profile-SLUG-london-ward.csv`.
    static func drawLondon(_ maker: ContextJob.SectionMaker, area a: Area, types: [String], options o: MapOptions, into set: OutputSet) throws -> [String] {
        let name = pageName(a) + "-london", s = maker.section(types: types, highlight: [a.id, a.name])
        try set.write("\(name).csv", s.boroughRows.csv())
        var out = ["\(name).csv"]
        if s.isWardsPage { try set.write("\(name)-ward.csv", s.wardRows.csv()); out.append("\(name)-ward.csv") }
        return out + (try MapJob.writeRendered(s.page, name: name, options: o, into: set))
    }

    /// Draws `profile-SLUG.svg/.pdf/.png` and `profile-SLUG.csv` for area `index` of `layer`.
    static func draw(area a: Area, index u: Int, layer l: LoadedLayer, incidents t: IncidentTable, periods: [Period], periodOf: [Int],
                     counts: [[[Int]]], borough: [[Int]], rows: Table, options o: MapOptions, into set: OutputSet) throws -> [String] {
        let name = pageName(a)
        // Crime types present in the area, most frequent first.
        let nc = t.categories.count
        let total = (0..<nc).map { c in periods.indices.reduce(0) { $0 + counts[$1][u][c + 1] } }
        let present = (0..<nc).filter { total[$0] > 0 }.sorted { (total[$0], t.categories[$1]) > (total[$1], t.categories[$0]) }
        let pop = l.population?[a.id]
        let boroughPop = l.population.map { p in l.areas.reduce(0.0) { $0 + (p[$1.id] ?? 0) } }
        var periodRows = periods.indices.map { k in
            ProfilePage.PeriodRow(period: periods[k].name, count: counts[k][u][0], rate: pop.map { Double(counts[k][u][0]) / $0 * 1000 },
                                  boroughCount: borough[k][0], boroughRate: boroughPop.map { Double(borough[k][0]) / $0 * 1000 })
        }
        if t.harm { addHarm(&periodRows, area: u, layer: l, incidents: t, periodOf: periodOf) }
        let changes = (1..<max(1, periods.count)).map { k -> ProfilePage.Change in
            let c = poissonRateTest(before: counts[k - 1][u][0], after: counts[k][u][0],
                                    exposureBefore: Double(periods[k - 1].days), exposureAfter: Double(periods[k].days))
            let b = poissonRateTest(before: borough[k - 1][0], after: borough[k][0])
            return .init(from: periods[k - 1].name, to: periods[k].name, change: c.change, percent: c.percentChange, p: c.p, boroughPercent: b.percentChange)
        }
        // Hot cells of the last period: the top 5 % of 100 m cells of a quartic KDE (ArcGIS bandwidth) over the layer.
        let last = periods.count - 1
        let li = (0..<t.count).filter { periodOf[$0] == last }
        var hot: [MultiPolygon] = []
        var hotLabel = "\(a.name): no incidents in the last period"
        if li.count >= 2, let ext = l.areas.extent {
            let x = li.map { t.x[$0] }, y = li.map { t.y[$0] }
            let h = Bandwidth.compute(.arcgis, x: x, y: y)
            let grid = try SquareGrid(covering: ext, cellSize: 100)
            let s = kernelDensity(x: x, y: y, weights: [], grid: grid, parameters: KDEParameters(bandwidth: h, kernel: .quartic, unit: .perKm2, mode: .auto))
            let sel = selectHotCells(s, threshold: .topCells(percent: 5))
            if let e = a.geometry.extent {
                hot = sel.cells.filter { k in let c = grid.centre(index: k); return e.contains(x: c.x, y: c.y) }.map { grid.cellPolygon($0) }
            }
            hotLabel = "Hotspot cells, \(periods[last].name)|top 5 % of 100 m cells over all \(l.name), quartic kernel density, bandwidth \(Fmt.fixed(h, 0)) m"
        }
        let neighbours = l.areas.enumerated().filter { $0.offset != u }.map(\.element.geometry).filter { g in
            guard let e = g.extent, let f = a.geometry.extent else { return false }
            let pad = max(f.width, f.height) * 0.3
            return e.maxX >= f.minX - pad && e.minX <= f.maxX + pad && e.maxY >= f.minY - pad && e.minY <= f.maxY + pad
        }
        let types = present.map { t.categories[$0] }
        var page = ProfilePage(
            title: o.title ?? "\(a.name) (\(a.id))", subtitle: "\(MapJob.types(t)) · \(periods.map(\.name).joined(separator: ", "))",
            attribution: Attribution.lines(boundaries: true), periods: periods.map(\.name), types: types,
            counts: present.map { c in periods.indices.map { counts[$0][u][c + 1] } }, rows: periodRows, changes: changes,
            area: a.geometry, neighbours: neighbours, hotCells: hot, hotLabel: hotLabel)
        page.contexts = try MapJob.loadContext(o.context)
        page.attribution += page.contexts.compactMap(\.attribution).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        try set.write("\(name).csv", rows.csv())
        return ["\(name).csv"] + (try MapJob.writeRendered(page.svg(), name: name, options: o, into: set))
    }
}
