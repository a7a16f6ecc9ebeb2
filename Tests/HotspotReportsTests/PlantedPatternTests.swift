import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import Testing
@testable import HotspotReports

/// The demo data's planted space-time patterns (Geodata/demo/truth.json) come out with their intended category at
/// the documented settings (200 m cells, queen neighbours, monthly steps, window 1, every FDR scope).
@Suite struct PlantedPatternTests {
    struct Truth: Decodable {
        struct P: Decodable { var name: String; var intended_category: String; var easting: Double; var northing: Double }
        var patterns: [P]
    }

    @Test(arguments: FDRScope.allCases)
    func plantedCentresGetTheirCategory(fdr: FDRScope) throws {
        let demo = PipelineTests.demo
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: demo + "/truth.json")))
        var o = EmergingJobOptions()
        o.cell = 200; o.clip = true; o.emerging.fdr = fdr
        let out = NSTemporaryDirectory() + "hotspot-planted-\(UUID().uuidString)"
        let r = try EmergingJob.run(request([demo + "/incidents.csv"], boundary: LayerSpec(name: "boundary", path: demo + "/boundary.geojson"),
                                            out: out) { $0.emerging = o }, command: "test")
        #expect(r.cube.steps.count == 36)
        for p in truth.patterns {
            let k = try #require(r.grid?.index(x: p.easting, y: p.northing))
            #expect(r.results[k].pattern.name == p.intended_category, "\(p.name) (\(fdr))")
        }
        // Every incident is in the cube or accounted for.
        #expect(r.cube.counts.reduce(0) { $0 + $1.reduce(0, +) } + Double(r.cube.outsideSteps + r.cube.outsideLocations) == Double(r.incidents.table.count))
    }
}
