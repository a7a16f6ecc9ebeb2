import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HotspotCore
import Testing
import HotspotIO
@testable import HotspotCartography

/// Classes, legends and styles of maps and layers (issue 8).
@Suite struct MapStyleTests {
    @Test func meanMultiplesClassEveryPositiveValue() {
        let v: [Double] = [0, 1, 2, 3, 4, 10, .nan, 0.5]
        let c = MapStyle.meanMultiples(v, field: "d", title: "D", ramp: MapStyle.ylOrRd5, decimals: 1)
        let mean = (1 + 2 + 3 + 4 + 10 + 0.5) / 6.0
        #expect(c.classOf[0] == nil && c.classOf[6] == nil)
        for (i, x) in v.enumerated() where x > 0 { #expect(c.classOf[i] == min(4, Int(x / mean))) }
        #expect(c.classes.map(\.count).reduce(0, +) == 6)
        #expect(c.present.allSatisfy { $0.cls.count > 0 })
    }

    @Test func quantilesMergeTiesAndNeverTrap() {
        #expect(MapStyle.quantiles([0, 0], field: "c", title: "C", ramp: MapStyle.puBu5, decimals: 0).classes.isEmpty)
        let one = MapStyle.quantiles([3, 3, 3, 0], field: "c", title: "C", ramp: MapStyle.puBu5, decimals: 0)
        #expect(one.classes.count == 1 && one.classes[0].count == 3)
        _ = LayerStyle.classified(one).qml
        let q = MapStyle.quantiles((1...100).map(Double.init), field: "c", title: "C", ramp: MapStyle.puBu5, decimals: 0)
        #expect(q.classes.map(\.count) == [20, 20, 20, 20, 20])
    }

    @Test func codeClassesCountAndLegendShowsOnlyPresent() {
        let c = MapStyle.codes([3, 3, 0, -1, 0, 2], table: MapStyle.giBins, field: "gi_bin", title: "Gi*")
        #expect(c.present.map(\.cls.label) == ["Cold spot, 90 % confidence", "Not significant", "Hot spot, 95 % confidence", "Hot spot, 99 % confidence"])
        #expect(c.present.map(\.cls.count) == [1, 2, 1, 2])
    }

    @Test func qmlIsWellFormedQGISXML() throws {
        let c = MapStyle.codes([1, 2, -3, 0], table: MapStyle.emerging, field: "category_code", title: "E")
        for s in [LayerStyle.classified(c), .outline(colour: "#08306b", widthMM: 0.6, labelField: "id"),
                  .classified(MapStyle.meanMultiples([1, 2, 3], field: "d", title: "D & <x>", ramp: MapStyle.ylOrRd5, decimals: 1))] {
            let doc = try XMLDocument(xmlString: s.qml)
            #expect(try doc.nodes(forXPath: "/qgis/renderer-v2").count == 1)
        }
        #expect(LayerStyle.classified(c).qml.contains("value=\"-3\" symbol=\"10\" label=\"Intensifying Cold Spot\""))
    }

    /// Weekly styles (issue 19): ward classes fixed from a baseline with an open top class, labels from a field,
    /// incidents as markers sized by how many share the point; each is well-formed QGIS XML.
    @Test func baselineClassesLabelsAndStackedPoints() throws {
        // Breaks from the baseline (1…10 per ward-week), applied to this week's counts (one above anything seen).
        let baseline = (1...10).flatMap { Array(repeating: Double($0), count: 3) }
        let c = MapStyle.quantiles([0, 2, 5, 40], baseline: baseline, field: "current", title: "Incidents this week (classes from the baseline 2023-W01 … 2023-W52)", ramp: MapStyle.puBu5, decimals: 0)
        let alone = MapStyle.quantiles(baseline, field: "current", title: "", ramp: MapStyle.puBu5, decimals: 0)
        guard case let .graduated(lower, upper) = c.kind, case let .graduated(lowerAlone, _) = alone.kind else { Issue.record("not graduated"); return }
        #expect(lower == lowerAlone && upper.last == 40 && c.classes.last?.label.hasSuffix("or more") == true)
        #expect(c.classOf[0] == nil && c.classOf[1] == 0 && c.classOf[3] == c.classes.count - 1)
        let labelled = LayerStyle.labelled(.classified(c), field: "name")
        let doc = try XMLDocument(xmlString: labelled.qml)
        #expect(try doc.nodes(forXPath: "/qgis/labeling/settings/text-style[@fieldName='name']").count == 1)
        #expect(labelled.qml.contains("<!-- Incidents this week (classes from the baseline 2023-W01 … 2023-W52) -->"))
        // Stacked points: 1, 2–3, 4–9, 10 or more; larger markers for more.
        let p = MapStyle.stackedPoints([1, 1, 2, 3, 4, 12], field: "stacked", title: "Incidents")
        #expect(p.classOf == [0, 0, 1, 1, 2, 3] && p.classes.map(\.label) == ["1", "2–3", "4–9", "10 or more"])
        #expect(zip(p.classes, p.classes.dropFirst()).allSatisfy { ($0.sizeMM ?? 0) < ($1.sizeMM ?? 0) })
        // QGIS takes the first range with lower ≤ v ≤ upper (QgsGraduatedSymbolRenderer::rangeForValue): every whole
        // count falls in the class the maps and the web map give it (a count equal to a break starts that class; 0 in none).
        let ranges = try doc.nodes(forXPath: "/qgis/renderer-v2/ranges/range").map { n -> (Double, Double) in
            let e = n as! XMLElement
            return (Double(e.attribute(forName: "lower")!.stringValue!)!, Double(e.attribute(forName: "upper")!.stringValue!)!)
        }
        let values = (0...45).map(Double.init)
        let mine = MapStyle.quantiles(values, baseline: baseline, field: "current", title: "", ramp: MapStyle.puBu5, decimals: 0).classOf
        for (v, want) in zip(values, mine) {
            let qgis = ranges.indices.first { k in ranges[k].0 <= v && v <= ranges[k].1 }
            #expect(qgis == want, "\(v): QGIS class \(String(describing: qgis)), ours \(String(describing: want))")
        }
        let pd = try XMLDocument(xmlString: LayerStyle.points(p).renamed(["stacked": "stacked"]).qml)
        #expect(try pd.nodes(forXPath: "/qgis/renderer-v2[@attr='stacked']/symbols/symbol[@type='marker']").count == 4)
        #expect(try pd.nodes(forXPath: "/qgis/renderer-v2/ranges/range[@lower='1.5' and @upper='3.5']").count == 1)
    }

    /// The raster style (density-raster.qml) is singleband pseudocolour, discrete, on the vector classes: 0 and
    /// NoData transparent, then each class's colour up to its upper break (to the same double), the last to ∞.
    @Test func rasterStyleDrawsTheVectorClasses() throws {
        let values = [0, 1.5, 2.25, 7.125, 13.0, 2220.4404040507939, .nan]
        let c = MapStyle.meanMultiples(values, field: "density_per_km2", title: "D", ramp: MapStyle.ylOrRd5, decimals: 1)
        let doc = try XMLDocument(xmlString: RasterStyle(c).qml)
        let renderer = try doc.nodes(forXPath: "/qgis/pipe/rasterrenderer").first as? XMLElement
        #expect(renderer?.attribute(forName: "type")?.stringValue == "singlebandpseudocolor")
        let shader = try doc.nodes(forXPath: "//colorrampshader").first as? XMLElement
        #expect(shader?.attribute(forName: "colorRampType")?.stringValue == "DISCRETE")
        let items = try doc.nodes(forXPath: "//colorrampshader/item").compactMap { $0 as? XMLElement }
        func attr(_ e: XMLElement, _ n: String) -> String { e.attribute(forName: n)?.stringValue ?? "" }
        #expect(items.count == c.classes.count + 1)
        #expect(attr(items[0], "value") == "0" && attr(items[0], "alpha") == "0")
        guard case let .graduated(_, upper) = c.kind else { Issue.record("not graduated"); return }
        for (k, cls) in c.classes.enumerated() {
            let e = items[k + 1]
            #expect(attr(e, "color") == cls.fill && attr(e, "alpha") == "255" && attr(e, "label") == cls.label)
            #expect(k == c.classes.count - 1 ? attr(e, "value") == "inf" : Double(attr(e, "value")) == upper[k])
        }
        #expect(!RasterStyle(c).qml.contains("#000000\" alpha=\"255"))
    }

    /// Inner class breaks are written exactly (each as the double just below the break, so that QGIS's first
    /// matching range, lower ≤ v ≤ upper, is the class the break starts), and the outer ones are open: with 6 digits the top
    /// class ended at 2220.44, below the largest cell (2220.4404…), and a layer's values are rounded to their
    /// column's decimals (a rate of 533.0687 is written 533.069, above a top break of 533.0687), so QGIS left the
    /// top feature undrawn. Zero stays undrawn.
    @Test func vectorClassBreaksDrawEveryPositiveValue() throws {
        let values = [1.5, 2.25, 7.125, 13.0, 2220.4404040507939]
        let c = MapStyle.meanMultiples(values, field: "d", title: "D", ramp: MapStyle.ylOrRd5, decimals: 1)
        let doc = try XMLDocument(xmlString: LayerStyle.classified(c).qml)
        let ranges = try doc.nodes(forXPath: "//ranges/range").compactMap { $0 as? XMLElement }
        let uppers = ranges.compactMap { $0.attribute(forName: "upper")?.stringValue.flatMap(Double.init) }
        let lowers = ranges.compactMap { $0.attribute(forName: "lower")?.stringValue.flatMap(Double.init) }
        guard case let .graduated(lower, upper) = c.kind else { Issue.record("not graduated"); return }
        #expect(Array(uppers.dropLast()) == Array(upper.dropLast()).map(\.nextDown) && Array(lowers.dropFirst()) == Array(lower.dropFirst()).map(\.nextDown))
        #expect(uppers.last! >= 1e300 && lowers.first! > 0 && lowers.first! < 1e-300)
        // QGIS's rule (lower ≤ v ≤ upper, first match): each value in its class, rounded or not; 0 in none.
        func cls(_ v: Double) -> Int? { lowers.indices.first { lowers[$0] <= v && v <= uppers[$0] } }
        #expect(cls(2220.4404040507939) == 4 && cls(2220.5) == 4 && cls(1.4) == 0 && cls(0) == nil)
        // A value on a break is in the class it starts, as on the maps (MapStyle's classOf).
        for (k, b) in lower.enumerated().dropFirst() { #expect(cls(b) == k) }
    }

    /// Every field gets its alias (QGIS `<aliases>`), with the index QGIS gives it (a GeoPackage's fid is 0).
    @Test func aliasesNameEveryField() throws {
        let long = Table(columns: ["id", "peak_density_per_km2", "touches_wards_names"], rows: [[.string("h1"), .double(1, decimals: nil), .string("A")]])
        let f = FieldNames.layer(long)
        #expect(f.aliases == ["id": "id", "peak_km2": "peak_density_per_km2", "in_wards_n": "touches_wards_names"])
        for first in [0, 1] {
            let qml = LayerStyle.outline(colour: "#08306b", widthMM: 0.6, labelField: "id")
                .qml(aliases: LayerStyle.aliases(fields: f.table.columns, fullNames: f.aliases, firstIndex: first))
            let doc = try XMLDocument(xmlString: qml)
            let a = try doc.nodes(forXPath: "/qgis/aliases/alias").compactMap { $0 as? XMLElement }
            #expect(a.map { $0.attribute(forName: "field")?.stringValue ?? "" } == f.table.columns)
            #expect(a.map { $0.attribute(forName: "name")?.stringValue ?? "" } == long.columns)
            #expect(a.map { Int($0.attribute(forName: "index")?.stringValue ?? "") } == [first, first + 1, first + 2])
        }
    }

    @Test func theSVGMapCarriesItsFurniture() {
        let sq = MultiPolygon([Polygon(exterior: [XY(0, 0), XY(1000, 0), XY(1000, 1000), XY(0, 1000), XY(0, 0)])])
        let c = MapStyle.codes([3], table: MapStyle.giBins, field: "gi_bin", title: "Gi*")
        var d = MapDocument(page: MapPage(), extent: sq.extent!, title: "T & t", subtitle: "March 2022", details: ["p"],
                            attribution: ["Contains public sector information licensed under the Open Government Licence v3.0."])
        d.fill = .init(classification: c, shapes: c.classes.indices.map { $0 == 6 ? sq : nil })
        d.outlines = [.init(name: "wards", geometries: [sq], stroke: "#555555", width: 0.3, labels: [(XY(500, 500), "Rushey Green")])]
        let svg = d.svg()
        #expect(svg.contains("<title>T &amp; t</title>") && svg.contains("Rushey Green") && svg.contains("paint-order=\"stroke\""))
        #expect(svg.contains("Hot spot, 99 % confidence (1)") && !svg.contains("Not significant"))
        #expect(svg.contains("id=\"scale-bar\"") && svg.contains("id=\"north-arrow\"") && svg.contains("Open Government Licence"))
        #expect(!svg.contains("Map made"))
        #expect(svg == d.svg())
        d.madeOn = "2026-11-25"
        #expect(d.svg().contains("Map made 2026-11-25"))
    }
}

@Suite struct GeoPackageRoundTripTests {
    @Test func whatTheWriterWritesTheReaderReads() throws {
        let p = NSTemporaryDirectory() + "hotspot-gpkg-\(UUID().uuidString).gpkg"
        let a = MultiPolygon([Polygon(exterior: [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10), XY(0, 0)],
                                      holes: [[XY(2, 2), XY(2, 4), XY(4, 4), XY(4, 2), XY(2, 2)]])])
        let b = MultiPolygon([Polygon(exterior: [XY(20, 0), XY(30, 0), XY(30, 5), XY(20, 0)]),
                              Polygon(exterior: [XY(40, 0), XY(50, 0), XY(50, 5), XY(40, 0)])])
        let t = Table(columns: ["id", "count", "rate"], rows: [[.string("A"), .int(3), .double(1.5, decimals: nil)],
                                                             [.string("B"), .int(0), .null]])
        _ = try GeoPackageWriter.write(path: p, table: "t", geometries: [a, b], properties: t,
                                       crs: .init(epsg: 27700, name: "OSGB36 / British National Grid", wkt: "PROJCS[]"))
        let r = try GeoPackageReader.read(path: p)
        #expect(r.table == "t" && r.epsg == 27700)
        #expect(r.geometries == [a, b])
        #expect(r.text["id"]! == ["A", "B"] && r.columns["count"]! == [3, 0] && r.columns["rate"]! == [1.5, nil])
    }
}

@Suite struct FieldNameTests {
    @Test func layerFieldsAreShapefileSafeUniqueAndReadable() {
        let long = ["id", "name", "count", "weighted_count", "rate_per_1000", "count_anti_social_behaviour", "count_Burglary",
                    "count_burglary", "count_2018-03..2018-09", "rate_per_1000_2018-03..2018-09", "count_2022-03..2022-09",
                    "pct_change_2018-03..2018-09_to_2022-03..2022-09", "p_2018-03..2018-09_to_2022-03..2022-09",
                    "density_per_km2", "touches_wards_names", "a.b-c", "2022", "count_theft_from_the_person", "recent_pattern"]
        let s = FieldNames.shorten(long)
        #expect(s.allSatisfy { $0.count <= 10 && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") } })
        #expect(Set(s).count == s.count)
        #expect(Array(s.prefix(6)) == ["id", "name", "count", "w_count", "rate1000", "n_asb"])
        #expect(s[6] == "n_burglary" && s[7] == "n_burgla_2")
        #expect(Array(s[8...12]) == ["count_p1", "rate_p1", "count_p2", "pchg_p1_p2", "p_p1_to_p2"])
        #expect(Array(s[13...]) == ["dens_km2", "in_wards_n", "a_b_c", "f2022", "n_theftper", "recent"])
        #expect(FieldNames.shorten(long) == s)  // deterministic
    }
}
