import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

extension StopsJob {
    /// The grid of `--cell` metres (the boundary's extent, cells touching it, when there is one; else the searches'):
    /// the located searches in the analysis binned as the grid product bins incidents, and the scope `grid` (one id
    /// per kept cell, then no_location and outside) for the counts and find-rate tables.
    static func gridScope(_ t: StopSearchTable, x: [Double], y: [Double], inScope: [Bool], located: [Bool], cell: Double,
                          boundary: LoadedLayer?) throws -> (StopsScope, GridProduct) {
        var inc = IncidentTable(epsg: analysisEPSG, resolution: .day)
        inc.categories = ["Stop and search"]
        for i in 0..<t.count where inScope[i] && located[i] {
            inc.append(x: x[i], y: y[i], day: t.day[i], category: 0, file: t.sourceFile[i], line: t.sourceLine[i])
        }
        let product = try GridProduct.compute(inc, cellSize: cell, boundary: boundary, clip: boundary != nil, cellLimit: Limits.defaultMaxCells)
        let g = product.choice.grid
        var position: [Int: Int32] = [:]
        for (k, c) in product.cells.enumerated() { position[c] = Int32(k) }
        let n = Int32(product.cells.count)
        let member: [Int32] = (0..<t.count).map { i in
            guard inScope[i] else { return -1 }
            guard located[i] else { return n }
            return g.index(x: x[i], y: y[i]).flatMap { position[$0] } ?? n + 1
        }
        let ids = product.cells.map { g.cellID($0) }
        return (StopsScope(name: "grid", ids: ids + ["no_location", "outside"], names: ids + ["no location", "outside every cell"],
                           member: member, population: [[Double]?](repeating: nil, count: ids.count + 2)), product)
    }

    /// stops-grid: searches per cell, classed.
    static func writeGrid(_ product: GridProduct, set: OutputSet) throws {
        var props = product.table
        props.columns = props.columns.map { $0 == "count" ? "searches" : $0 }
        if let w = props.columns.firstIndex(of: product.weightedColumn) {
            props.columns.remove(at: w)
            for k in props.rows.indices { props.rows[k].remove(at: w) }
        }
        let values = product.cells.map { Double(product.counts.counts[$0]) }
        let cls = MapStyle.quantiles(values, field: "searches", title: "Stop and search", ramp: MapStyle.puBu5, decimals: 0)
        try set.writeLayer("stops-grid", geometries: product.geometries, properties: props, style: .classified(cls))
    }
}

extension StopsJob {
    /// Warnings for searches dated outside the month a police.uk file is named for (`2018-06-metropolitan-…`): they
    /// are kept and counted by their own date (a search at 23:30 UTC on the last day of a month is the next month's
    /// in UK summer time).
    static func monthWarnings(_ t: StopSearchTable, files: [String]) -> [String] {
        var outside = [Int](repeating: 0, count: files.count)
        let named: [(Int, Int)?] = files.map { f in
            let name = Array(f.split(separator: "/").last ?? "")
            guard name.count >= 7, name[4] == "-", let y = Int(String(name[0..<4])), let m = Int(String(name[5..<7])), (1...12).contains(m) else { return nil }
            return (y, m)
        }
        for i in 0..<t.count {
            guard let (y, m) = named[Int(t.sourceFile[i])] else { continue }
            let c = CivilDate.civil(days: Int(t.day[i]))
            if c.year != y || c.month != m { outside[Int(t.sourceFile[i])] += 1 }
        }
        return files.indices.filter { outside[$0] > 0 }.map {
            "\(files[$0].split(separator: "/").last ?? ""): \(outside[$0]) search(es) dated outside the file's month (by their UK civil date); counted by their own date"
        }
    }
}

extension StopsJob {
    /// monthly.svg + monthly.png: searches per calendar month (UK civil date) in the analysis, all and by type.
    static func writeMonthly(_ r: Result, set: OutputSet) throws {
        let b = r.scopes[0], t = r.table, type = t.column("Type")
        let rows = (0..<t.count).filter { b.member[$0] >= 0 }
        guard !rows.isEmpty else { return }
        let month = rows.map { i -> Int in let c = CivilDate.civil(days: Int(t.day[i])); return CivilDate.monthOrdinal(year: c.year, month: c.month) }
        let first = month.min()!, last = month.max()!
        let types = type.values.filter { !$0.isEmpty }.sorted()
        var all = [Double](repeating: 0, count: last - first + 1)
        var byType = [[Double]](repeating: all, count: types.count)
        for (k, i) in rows.enumerated() {
            all[month[k] - first] += 1
            if let ti = types.firstIndex(of: type.text(i)) { byType[ti][month[k] - first] += 1 }
        }
        let styles = LineChart.styles
        var series = [LineChart.Series(name: "All searches", values: all.map { $0 }, dash: styles[0].dash, marker: styles[0].marker, colour: styles[0].colour)]
        for (k, name) in types.enumerated() {
            let s = styles[(k + 1) % styles.count]
            series.append(.init(name: name, values: byType[k].map { $0 }, dash: s.dash, marker: s.marker, colour: s.colour))
        }
        let chart = LineChart(title: "Stop and search per month (\(Fmt.grouped(rows.count)) searches)", yLabel: "Searches",
                              categories: (first...last).map(CivilDate.monthLabel), series: series)
        try set.write("monthly.svg", chart.svg())
        if let png = try? MapRaster.convert(svg: set.path("monthly.svg"), to: [.png], dpi: 150)[.png] { try set.write("monthly.png", png) }
    }
}
