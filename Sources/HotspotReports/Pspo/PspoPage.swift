import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

/// The sections of a PSPO evidence pack, in the order the licensing team presents them (ASB, Crime and Policing Act
/// 2014, ss.59–66): summary, the restricted area, incident evidence, spatial concentration, persistence and trend,
/// displacement, enforcement and equality, methods, and what officers must add.
enum PspoPage {
    static func document(_ e: PspoEvidence, _ r: Project.PspoRequest, job: JobInputs, charts: Charts, areaMap: String, hotMap: String,
                         command: String, packDate: String) -> PackDocument {
        let esc = PackDocument.esc
        let t = job.incidents.table
        let S = e.tables["summary"]!
        func sv(_ key: String) -> String { S.rows.first { $0[0].csvText == key }?[1].csvText ?? "" }
        func n(_ key: String) -> String { PackDocument.num(sv(key), "exhibits/summary.csv") }
        let x = { (name: String) in "exhibits/\(name).csv" }
        let period = "\(sv("first_month")) to \(sv("last_month")) (\(sv("months")) months)"
        let wards = e.wardsTouched.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")

        // 1. Summary.
        var summary: [PackDocument.Block] = []
        var facts: [(String, String)] = [("Area", esc(e.name) + (e.proposal ? " — <strong>a proposal from hotspot polygons, for officers to review</strong>" : "")),
                                         ("Wards touched", esc(wards.isEmpty ? "none (no ward layer given)" : wards)),
                                         ("Period", esc(period)), ("Crime types", esc(sv("crime_types"))),
                                         ("Incidents inside", "\(n("incidents_inside")) of \(n("incidents_borough")) in the \(esc(e.boroughName.lowercased().hasPrefix("borough") ? e.boroughName : "study area")) (\(n("incidents_inside_per_month")) a month)"),
                                         ("Concentration", "\(n("share_of_incidents_pct"))% of the incidents on \(n("share_of_area_pct"))% of the area: a concentration ratio of \(n("concentration_ratio"))"),
                                         ("Density", "\(n("per_km2_inside")) incidents per km² inside, against \(n("per_km2_borough")) across the study area")]
        if !sv("per_1000_residents_inside").isEmpty {
            facts.append(("Per 1,000 residents", "\(n("per_1000_residents_inside")) inside (estimated population \(n("population_inside_estimate"))), against \(n("per_1000_residents_borough")) across the study area"))
        }
        if !sv("trend_mann_kendall_p").isEmpty {
            facts.append(("Trend inside", "\(esc(sv("trend_inside"))) at α 0.05 over \(n("months")) months (Mann-Kendall z \(n("trend_mann_kendall_z")), p \(n("trend_mann_kendall_p")); section 5)"))
        }
        facts.append(("Rows and incidents", e.counts.sentence { PackDocument.num($0, "exhibits/counts.csv") } + " (section 8)"))
        summary.append(.facts(facts))
        summary.append(.text("These are the quantitative findings only. Whether the activities have a detrimental effect on the quality of life of those in the locality, whether that effect is persistent or continuing and unreasonable, and whether the restrictions are justified (s.59) are for the council to decide, with the consultation and the other evidence of section 9. Every figure here is in an exhibit named beside it; <code>hotspot verify</code> shows the pack has not been altered."))

        // 2. Restricted area.
        var area: [PackDocument.Block] = [
            .figure(svg: areaMap, exhibit: "exhibits/map-restricted-area.svg", caption: "The proposed restricted area, the displacement rings and the incidents of the selected types (all months).", page: true),
            .facts([
            ("Name", esc(e.name)), ("Area", "\(n("area_km2")) km² (\(n("area_ha")) hectares)"),
            ("Status", esc(e.proposal ? "Proposal from hotspot polygons" : "Proposed restricted area as supplied")),
            ("Boundary exhibits", "<code>exhibits/restricted-area.geojson</code> (WGS84, RFC 7946), <code>exhibits/restricted-area.gpkg</code> (EPSG:27700)"),
        ])]
        if let note = e.notes["proposal"] { area.append(.text(esc(note))) }

        // 3. Incident evidence.
        var evidence: [PackDocument.Block] = [
            .table(e.tables["incidents-by-source"]!, exhibit: x("incidents-by-source"), caption: "Incidents by source, inside the area and across the study area."),
        ]
        let labels = PspoEvidence.sourceLabels(job.incidents.files, r.sources)
        var seen = Set<String>()
        for (k, f) in job.incidents.files.enumerated() where seen.insert(labels[k]).inserted {
            evidence.append(.text("<strong>\(esc(labels[k])).</strong> \(esc(PspoEvidence.caveat(labels[k], format: f.format)))"))
        }
        evidence.append(.table(e.tables["incidents-by-type"]!, exhibit: x("incidents-by-type"), caption: "Incidents by crime type."))
        evidence.append(.table(e.tables["incidents-by-month"]!, exhibit: x("incidents-by-month"), caption: "Incidents inside the area per month and type, and across the study area."))

        // 4. Spatial concentration.
        let concentration: [PackDocument.Block] = [
            .text("The concentration ratio is the area's share of the study area's incidents divided by its share of the study area's land (the Predictive Accuracy Index of Chainey, Tompson and Uhlig 2008): 1 means no more than its size predicts, 10 means ten times as many. Rates per 1,000 residents use populations estimated by areal weighting and understate footfall in town centres, where visitors far outnumber residents."),
            .table(e.tables["concentration"]!, exhibit: x("concentration"), caption: "Inside against outside: the area, the wards it touches and the study area."),
            .figure(svg: hotMap, exhibit: "exhibits/map-hotspots.svg", caption: "Kernel density and hotspots around the area, computed over the whole study area.", page: true),
        ]

        // 5. Persistence and trend.
        var trend: [PackDocument.Block] = [
            .figure(svg: charts.monthly, exhibit: "exhibits/chart-monthly.svg", caption: "Incidents inside the area per month (table in section 3).", page: false),
            .table(e.tables["trend"]!, exhibit: x("trend"), caption: "Mann-Kendall trend tests on the monthly counts."),
        ]
        if let note = e.notes["trend"] { trend.append(.text(esc(note))) }
        trend.append(.text(esc(e.notes["emerging"] ?? "")))
        trend.append(.table(e.tables["emerging-summary"]!, exhibit: x("emerging-summary"), caption: "Emerging hot spot categories of the cells that intersect the area (cell by cell in exhibits/emerging-cells.csv)."))
        if let w = charts.windows { trend.append(.figure(svg: w, exhibit: "exhibits/chart-windows.svg", caption: "The same months each year, inside the area and in the rings.", page: false)) }
        trend.append(.table(e.tables["windows"]!, exhibit: x("windows"), caption: "Year-on-year windows (\(MapJob.months[r.windowFirstMonth - 1])–\(MapJob.months[r.windowLastMonth - 1])), with the change on the year before and its exact Poisson test."))
        if let note = e.notes["windows"] { trend.append(.text(esc(note))) }

        // 6. Displacement.
        var displacement: [PackDocument.Block] = [
            .text("Restrictions can move activity elsewhere. The rings are the bands within \(r.rings.map { Fmt.number($0) }.joined(separator: " m and ")) m of the area's edge; the adjacent wards are those sharing a boundary with a ward the area touches, beyond the rings. Each incident counts in one zone only."),
            .table(e.tables["zones"]!, exhibit: x("zones"), caption: "Zones: size and incidents over the whole period."),
            .figure(svg: charts.displacement, exhibit: "exhibits/chart-displacement.svg", caption: "Monthly incidents per zone.", page: false),
        ]
        if let ba = e.tables["displacement-before-after"] {
            displacement.append(.table(ba, exhibit: x("displacement-before-after"), caption: "Before and after \(CivilDate.dayLabel(r.change!)): incidents per month per zone, with the exact Poisson test (exposure = months)."))
            if let note = e.notes["change"] { displacement.append(.text(esc(note))) }
        } else {
            displacement.append(.text("No change date was given (<code>--change DATE</code>), so there is no before/after comparison."))
        }
        displacement.append(.table(e.tables["displacement-by-month"]!, exhibit: x("displacement-by-month"), caption: "Incidents per month per zone."))

        // 7. Enforcement and equality.
        var enforcement: [PackDocument.Block] = []
        if let a = e.tables["enforcement-by-restriction"], let b = e.tables["enforcement-by-characteristic"] {
            enforcement = [.text(esc(e.notes["enforcement"] ?? "")),
                           .table(a, exhibit: x("enforcement-by-restriction"), caption: "Enforcement by restriction and outcome.")]
            if let note = e.notes["enforcement-by-restriction"] { enforcement.append(.note(esc(note))) }
            enforcement.append(.table(b, exhibit: x("enforcement-by-characteristic"), caption: "Enforcement outcomes by protected characteristic (as recorded)."))
            if let note = e.notes["enforcement-by-characteristic"] { enforcement.append(.note(esc(note))) }
            if let c = e.tables["enforcement-vs-residents"] {
                enforcement.append(.table(c, exhibit: x("enforcement-vs-residents"), caption: "Each ethnic group's share of enforcement beside its share of the residents of the areas the restricted area touches."))
                if let note = e.notes["enforcement-vs-residents"] { enforcement.append(.note(esc(note))) }
            } else {
                enforcement.append(.text("No residents' table was given (<code>--residents FILE</code>), so the shares of enforcement are not compared with the resident population."))
            }
        } else {
            enforcement = [.placeholder(title: "No enforcement data were supplied", prompt: "This section is empty: no enforcement records (warnings, fixed penalty notices) were given (--enforcement FILE). For a renewal or variation, supply them with the protected characteristics recorded, so that the equality analysis can be made.")]
        }

        // 8. Methods.
        let proj = job.incidents.projection
        let methods: [PackDocument.Block] = [
            .text("Incidents are read and validated (every rejected row is listed with its file, line and reason in <code>quarantine.csv</code>; rows read = accepted + rejected), projected to British National Grid (EPSG:27700) with PROJ and attributed to areas with GEOS. \(esc(proj.map { "Projection: \($0.operation), accuracy \($0.accuracyMetres < 0 ? "unknown" : "\(Fmt.number($0.accuracyMetres)) m")." } ?? "The incidents were already in EPSG:27700."))"),
            .table(e.tables["parameters"]!, exhibit: x("parameters"), caption: "Every parameter of this pack."),
            .table(e.tables["counts"]!, exhibit: x("counts"), caption: "Rows read, quarantined (by reason; every row in quarantine.csv) and accepted, and the incidents inside the study boundary and the restricted area: the counts every page of this pack uses."),
            .table(e.tables["inputs"]!, exhibit: x("inputs"), caption: "Input files with their SHA-256; rows read, accepted and quarantined per file (outside the study boundary counts as quarantined)."),
            .table(e.tables["software"]!, exhibit: x("software"), caption: "Software versions."),
            .facts([("Command", "<code>\(esc(command))</code>"), ("Pack date", esc(packDate)),
                    ("Rows and incidents", e.counts.sentence { PackDocument.num($0, "exhibits/counts.csv") }),
                    ("Integrity", "<code>manifest.json</code> holds the SHA-256 of every file; <code>hotspot verify PACK</code> (the folder or its zip) recomputes them.")]),
        ]

        // 9. Placeholders.
        let officers: [PackDocument.Block] = [
            .placeholder(title: "The proposed prohibitions and requirements", prompt: "The wording of each restriction, whom it applies to, when, and the exemptions."),
            .placeholder(title: "Consultation record", prompt: "The chief officer of police, the police and crime commissioner, owners or occupiers of land in the area, and the community representatives consulted (s.72(3)–(4)), with dates and responses."),
            .placeholder(title: "Qualitative evidence", prompt: "Residents' and businesses' statements, officers' observations, photographs, complaints and their dates."),
            .placeholder(title: "Alternatives considered", prompt: "Other powers and measures considered (e.g. Community Protection Notices, dispersal, design changes) and why the order is needed."),
            .placeholder(title: "Equality impact narrative", prompt: "The effect on people with protected characteristics (Equality Act 2010, s.149), and on rights under Articles 10 and 11 of the European Convention on Human Rights (s.72(1))."),
        ]

        return PackDocument(
            title: "PSPO evidence pack: \(e.name)",
            subtitle: "Quantitative evidence for a proposed Public Spaces Protection Order (Anti-social Behaviour, Crime and Policing Act 2014, s.59)",
            cover: [("Restricted area", esc(e.name)), ("Wards", esc(wards.isEmpty ? "—" : wards)), ("Period", esc(period)),
                    ("Crime types", esc(sv("crime_types"))), ("Pack date", esc(packDate)),
                    ("Status", "Draft for officers: sections 1–8 are generated from the data; section 9 is to be completed by officers.")],
            sections: [
                .init(id: "summary", title: "Summary", blocks: summary),
                .init(id: "area", title: "Restricted area", newPage: true, blocks: area),
                .init(id: "evidence", title: "Incident evidence", newPage: true, blocks: evidence),
                .init(id: "concentration", title: "Spatial concentration", newPage: true, blocks: concentration),
                .init(id: "trend", title: "Persistence and trend", newPage: true, blocks: trend),
                .init(id: "displacement", title: "Displacement", newPage: true, blocks: displacement),
                .init(id: "enforcement", title: "Enforcement and equality", newPage: true, blocks: enforcement),
                .init(id: "methods", title: "Methods appendix", newPage: true, blocks: methods),
                .init(id: "officers", title: "To be completed by officers", newPage: true, blocks: officers),
            ],
            footer: Attribution.lines(boundaries: true) + ["Generated by hotspot \(HotspotVersion.string) from data to \(packDate)."])
    }
}
