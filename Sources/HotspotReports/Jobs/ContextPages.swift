import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotGeo

extension ContextJob {
    /// A page name for a category: `london-all-crime`, `london-burglary`, `london-violence-against-the-person`.
    static func pageName(_ borough: String, _ c: Category) -> String {
        let slug = { (s: String) in s.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            .split(separator: "-").joined(separator: "-") }
        return "\(slug(borough))-in-london-\(slug(c.major.isEmpty ? "all crime" : c.major))"
    }

    /// Draws the pages of one run: the boroughs' shapes fitted once, the wards' boundaries read once.
    struct PageMaker {
        let r: Result, o: Options
        var shapes: [String: LondonContextPage.Shape] = [:]
        var outside: [(String, LondonContextPage.Shape?)] = []
        let wardShapes: [String: (MultiPolygon, [XY])]
        let categories: [Category]
        /// Each chosen borough's table of every category (the same on each of its pages: computed once).
        var tables: [String: [LondonContextPage.Row]] = [:]

        init(_ r: Result, _ o: Options) throws {
            self.r = r; self.o = o
            let b = r.level
            let areas = try o.boroughsLayer.map { try Pipeline.loadLayer(LayerSpec(name: "boroughs", path: $0)).areas } ?? []
            // Every area of the layer drawn once into the map box; members matched by code, else name; the others
            // (the City) drawn grey.
            let drawn = LondonContextPage.shapes(areas.map(\.geometry))
            for (a, d) in zip(areas, drawn) { shapes[key(a.name)] = d; shapes[a.id] = d }
            let codes = Set(b.members.values.map(\.code)), names = Set(b.members.keys.map(key))
            outside = zip(areas, drawn).filter { !codes.contains($0.0.id) && !names.contains(key($0.0.name)) }.map { ($0.0.name, $0.1) }
            wardShapes = try wardGeometries(o)
            categories = [Category.all] + b.categories.filter { $0.level == "major" }
            for name in r.chosen { tables[name] = tableRows(b, r, chosen: name, categories: categories) }
        }

        /// What the ward layer leaves unmapped: a warning per chosen borough whose wards (with a population) it does
        /// not all hold, by code or name (none when there is no ward layer).
        var wardWarnings: [String] {
            guard let path = o.wardsLayer, let w = r.wardLevel, let wr = r.wardRanges else { return [] }
            return r.chosen.compactMap { name in
                let rows = w.rows(wr, chosen: [name], category: .all, small: o.smallCount)
                let missing = rows.filter { wardShapes[$0.code] == nil && wardShapes["name:" + key($0.name)] == nil }.map { "\($0.name) (\($0.code))" }
                guard !missing.isEmpty else { return nil }
                return "--wards-layer \(path): \(missing.count) of \(name)'s \(rows.count) wards have no boundary there, matched by ward code or name "
                    + "(e.g. \(missing.prefix(3).joined(separator: ", "))): they are in the ward pages' tables but not on their maps; give the borough's wards with their E05 codes"
            }
        }

        /// "<borough> in London" for category `c`.
        func boroughPage(_ name: String, _ c: Category) -> LondonContextPage {
            let b = r.level
            let rows = tables[name] ?? tableRows(b, r, chosen: name, categories: categories)
            let f = Dictionary(uniqueKeysWithValues: b.members.keys.map { ($0, rateAndChange(b.cube[$0]?[c], r.ranges, population: b.members[$0]!.residents)) })
            let boroughs = b.members.keys.sorted().map { m in
                LondonContextPage.Borough(name: m, shape: shapes[b.members[m]!.code] ?? shapes[key(m)], rate: f[m]?.rate, chosen: m == name)
            } + outside.map { LondonContextPage.Borough(name: $0.0, shape: $0.1, rate: nil, chosen: false) }
            let london = rateAndChange(b.london(c), r.ranges, population: b.londonResidents)
            let mine = b.cube[name]?[c] ?? [], all = b.london(c)
            func index(_ v: [Int]) -> [Double?] {
                guard let f0 = v.first, f0 > 0 else { return v.map { _ in nil } }
                return v.map { 100 * Double($0) / Double(f0) }
            }
            return LondonContextPage(
                title: "\(name) in London: \(c.major.isEmpty ? "all crime" : lowerFirst(sentenceCase(c.major)))",
                subtitle: "MPS recorded crime, \(o.periods[1].name) against \(o.periods[0].name) · rates per 1,000 residents · rank 1 = the highest",
                note: pageNote(r, o),
                attribution: ["Contains public sector information licensed under the Open Government Licence v3.0 (MPS recorded crime, London Datastore).",
                              "Contains National Statistics data © Crown copyright and database right" + (o.boroughsLayer == nil ? "." : "; boundaries © Crown copyright and database right.")],
                boroughs: boroughs, londonRate: london.rate, rateLabel: "per 1,000 residents, \(o.periods[1].name)",
                months: r.months.map(CivilDate.monthLabel), series: [(name, index(mine)), ("London", index(all))],
                table: rows.map { var x = $0; x.current = $0.category == (c.major.isEmpty ? "All crime" : sentenceCase(c.major)); return x })
        }

        /// "<borough>'s wards in London" for category `c`, the wards in `highlight` (codes or names) outlined.
        func wardsPage(_ name: String, _ c: Category, highlight: Set<String> = []) -> LondonWardsPage? {
            ContextJob.wardsPage(r, o, borough: name, category: c, shapes: wardShapes, highlight: highlight)
        }
    }

    /// "<borough> in London" pages, one per category group (all crime and each major category) per chosen
    /// borough, each followed by its wards' page when there is one; returns the files written.
    static func writePages(_ r: Result, _ o: Options, into set: OutputSet) throws -> (written: [String], warnings: [String]) {
        guard !o.pageFormats.isEmpty else { return ([], []) }
        let maker = try PageMaker(r, o)
        var written: [String] = []
        for name in r.chosen {
            var svgs: [String] = [], wardSvgs: [String] = []
            for c in maker.categories {
                try set.write(pageName(name, c) + ".svg", maker.boroughPage(name, c).svg())
                svgs.append(pageName(name, c))
            }
            let pdf = pageName(name, .all).replacingOccurrences(of: "-all-crime", with: "")
            // The borough's pages print (librsvg, another process) while its wards' pages are drawn.
            let boroughPages = try startRender(pdf: pdf, names: svgs, formats: o.pageFormats, into: set)
            for c in maker.categories {
                if let wp = maker.wardsPage(name, c) {
                    let wn = pageName(name, c).replacingOccurrences(of: "-in-london-", with: "-wards-in-london-")
                    try set.write(wn + ".svg", wp.svg())
                    wardSvgs.append(wn)
                }
            }
            let wardPages = try startRender(pdf: pdf.replacingOccurrences(of: "-in-london", with: "-wards-in-london"), names: wardSvgs, formats: o.pageFormats, into: set)
            written += try boroughPages() + wardPages()
        }
        return (written, maker.wardWarnings)
    }

    /// The ward layer's areas by code and by matching name, with label positions (EPSG:27700); empty without one.
    static func wardGeometries(_ o: Options) throws -> [String: (MultiPolygon, [XY])] {
        guard let path = o.wardsLayer else { return [:] }
        let geos = try GEOSContext()
        var out: [String: (MultiPolygon, [XY])] = [:]
        for a in try Pipeline.loadLayer(LayerSpec(name: "wards", path: path)).areas {
            let v = (a.geometry, LabelCandidates.inside(a.geometry, first: try geos.pointOnSurface(a.geometry)))
            out[a.id] = v; out["name:" + key(a.name)] = v
        }
        return out
    }

    /// "<borough>'s wards in London" for category `c`: the ward rows of wards.csv (`WardLevel.rows`) drawn with the
    /// layer's boundaries (matched by code, else name); nil without a ward population or ward layer.
    static func wardsPage(_ r: Result, _ o: Options, borough: String, category c: Category, shapes: [String: (MultiPolygon, [XY])],
                          highlight: Set<String> = []) -> LondonWardsPage? {
        guard !shapes.isEmpty, let w = r.wardLevel, let wr = r.wardRanges else { return nil }
        let rows = w.rows(wr, chosen: [borough], category: c, small: o.smallCount)
        guard !rows.isEmpty else { return nil }
        let marked = Set(highlight.map(key))
        let wards = rows.map { x in
            let g = shapes[x.code] ?? shapes["name:" + key(x.name)]
            var w = LondonWardsPage.Ward(name: x.name, geometry: g?.0, labelAt: g?.1 ?? [], residents: x.residents, count: x.figures.counts.1,
                                         rate: x.figures.rates.1, change: x.figures.test.percentChange, pctRate: x.pctRate, pctChange: x.pctChange, small: x.small)
            w.highlight = marked.contains(key(x.code)) || marked.contains(key(x.name))
            return w
        }
        let pop = o.wardPopulation.map { ($0 as NSString).lastPathComponent } ?? ""
        let what = c.major.isEmpty ? "all crime" : lowerFirst(sentenceCase(c.major))
        var page = LondonWardsPage(
            title: "\(borough)'s wards in London: \(what)",
            subtitle: "MPS recorded crime, \(o.periods[1].name) against \(o.periods[0].name) · rates per 1,000 residents · percentiles among London's wards",
            note: "Ward residents from \(pop): Census 2021 residents summed from LSOAs assigned whole to the ward that best fits them (approximate). "
                + "A percentile is 100 × the share of London's \(Fmt.grouped(rows[0].londonWards)) wards with residents below the ward's value, ties counting half; "
                + "residents are not the people present (town centres and stations draw visitors).",
            attribution: ["Contains public sector information licensed under the Open Government Licence v3.0 (MPS recorded crime, London Datastore).",
                          "Contains National Statistics data © Crown copyright and database right; boundaries © Crown copyright and database right."],
            wards: wards, period: o.periods[1].name, londonWards: rows[0].londonWards, smallCount: o.smallCount)
        page.boroughLines = boroughLines(r, borough: borough, category: c)
        return page
    }

    /// "Lewisham: 2.89 per 1,000 residents (rank 12 of 32), change -16.0%" and London's line, for category `c`.
    static func boroughLines(_ r: Result, borough: String, category c: Category) -> [String] {
        let b = r.level, names = b.members.keys.sorted()
        guard let i = names.firstIndex(of: borough) else { return [] }
        let f = names.map { rateAndChange(b.cube[$0]?[c], r.ranges, population: b.members[$0]!.residents) }
        let l = rateAndChange(b.london(c), r.ranges, population: b.londonResidents)
        func pct(_ v: Double?) -> String { v.map { ($0 >= 0 ? "+" : "") + Fmt.fixed($0, 1) + "%" } ?? "n/a" }
        func rate(_ v: Double?) -> String { v.map { Fmt.fixed($0, 2) } ?? "–" }
        let rr = ranks(f.map(\.rate))[i].map { " (rank \($0) of \(names.count))" } ?? ""
        return ["\(borough): \(rate(f[i].rate)) per 1,000 residents\(rr), change \(pct(f[i].change))",
                "London: \(rate(l.rate)) per 1,000 residents, change \(pct(l.change))"]
    }

    /// PNGs of the pages (150 dpi, side by side) and a PDF per group of pages, a page each, the PDFs printed side by
    /// side (one librsvg process each: the borough pages and the ward pages take the two cores); the SVGs kept when
    /// asked for.
    static func render(_ groups: [(pdf: String, names: [String])], formats: [MapRaster.Format], into set: OutputSet) throws -> [String] {
        let started = try groups.map { try startRender(pdf: $0.pdf, names: $0.names, formats: formats, into: set) }
        return try started.flatMap { try $0() }
    }

    /// Starts printing one group of pages (written as SVG): a PNG of each (150 dpi) and one PDF of them all, a page
    /// each, in librsvg processes; the closure waits for them, writes the files (removing the SVGs when not asked
    /// for) and returns the files written.
    static func startRender(pdf: String, names: [String], formats: [MapRaster.Format], into set: OutputSet) throws -> () throws -> [String] {
        let pngs = formats.contains(.png) ? try names.map { try MapRaster.start(svgs: [set.path($0 + ".svg")], to: .png, dpi: 150) } : []
        let doc = formats.contains(.pdf) && !names.isEmpty ? try MapRaster.start(svgs: names.map { set.path($0 + ".svg") }, to: .pdf, dpi: 150) : nil
        return {
            var written = formats.contains(.svg) ? names.map { $0 + ".svg" } : []
            for (n, job) in zip(names, pngs) { try set.write(n + ".png", try job()); written.append(n + ".png") }
            if let doc { try set.write(pdf + ".pdf", try doc()); written.append(pdf + ".pdf") }
            if !formats.contains(.svg) { for n in names { try set.remove(n + ".svg") } }
            return written
        }
    }

    /// "Burglary" → "burglary"; "NFIB fraud" stays as it is (an acronym).
    static func lowerFirst(_ s: String) -> String {
        s.prefix(2).allSatisfy(\.isUppercase) ? s : s.prefix(1).lowercased() + s.dropFirst()
    }

    /// The page's note on what London and the rates are (file names, not paths).
    static func pageNote(_ r: Result, _ o: Options) -> String {
        let others = r.level.unmatched.filter { $0.0.hasPrefix("borough") }.map(\.1)
        let pop = o.boroughPopulation.map { ($0 as NSString).lastPathComponent } ?? "no population file"
        return "London: the \(r.level.members.count) boroughs " + (o.includeCity ? "with the City of London" : "the MPS polices, without the City of London")
            + (others.isEmpty ? "" : "; its counts also hold \(others.joined(separator: ", ")), in no borough")
            + ". Residents from \(pop); residents are not the people present (town centres and stations draw visitors)."
    }

    /// The pages' table: every category group's rate, change, London's change and ranks for borough `name`.
    static func tableRows(_ b: BoroughLevel, _ r: Result, chosen name: String, categories: [Category]) -> [LondonContextPage.Row] {
        let names = b.members.keys.sorted()
        return categories.map { c in
            let f = names.map { rateAndChange(b.cube[$0]?[c], r.ranges, population: b.members[$0]!.residents) }
            let i = names.firstIndex(of: name)
            let rr = ranks(f.map(\.rate)), rc = ranks(f.map(\.change))
            let l = rateAndChange(b.london(c), r.ranges, population: b.londonResidents)
            func pct(_ v: Double?) -> String { v.map { ($0 >= 0 ? "+" : "") + Fmt.fixed($0, 1) + "%" } ?? "n/a" }
            return LondonContextPage.Row(category: c.major.isEmpty ? "All crime" : sentenceCase(c.major),
                                         rate: i.flatMap { f[$0].rate }.map { Fmt.fixed($0, 2) } ?? "–",
                                         change: pct(i.flatMap { f[$0].change }), londonChange: pct(l.change),
                                         rankRate: i.flatMap { rr[$0] }.map { "\($0) of \(names.count)" } ?? "–",
                                         rankChange: i.flatMap { rc[$0] }.map { "\($0) of \(names.count)" } ?? "–", current: false)
        }
    }
}
