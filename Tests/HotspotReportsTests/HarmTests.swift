import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// Harm weights (`--weights`, issue 22 part 4) on real Lewisham wards: each ward's harm equals a hand computation,
/// the weights of three types times that ward's count of each type, counted by separate unweighted runs.
@Suite struct HarmTests {
    static let file = Paths.shared + "/data/policeuk/api-points-lewisham-bbox/api-points-2018-MarSep.csv"
    static let wards = Paths.shared + "/geodata/lewisham/lbl_wd22_proposed_bng.geojson"
    /// Illustrative weights (invented; not the CCHI's or the ONS CSS's).
    static let weights: [String: Double] = ["Burglary": 10, "Robbery": 20, "Vehicle crime": 5]
    static let table = "# source: invented for a test (illustrative, not CCHI or ONS CSS)\ncrime_type,weight\nBurglary,10\nrobbery,20\n  Vehicle  crime ,5\n"

    func tmp() -> String { NSTemporaryDirectory() + "hotspot-harm-\(UUID().uuidString)" }

    func areas(_ read: ReadOptions, out: String? = nil) throws -> AreasJob.Result {
        var p = request([Self.file], read: read, layers: [LayerSpec(name: "wards", path: Self.wards)], out: out ?? tmp())
        p.read.useStore = false
        return try AreasJob.run(p, command: "test")
    }

    @Test func wardHarmEqualsAHandComputationOnThreeTypes() throws {
        guard FileManager.default.fileExists(atPath: Self.file) else { print("skip wardHarmEqualsAHandComputationOnThreeTypes: \(Self.file) is absent (../shared)"); return }
        var read = ReadOptions()
        read.harmWeights = try temporaryFile(Self.table, named: "harm.csv"); read.harmMissing = .zero
        let out = tmp()
        let harm = try areas(read, out: out)
        let rows = try #require(harm.layers.first).rows
        // By hand: one unweighted run per type, its count per ward times the type's weight.
        var expected = [String: Double]()
        for (type, w) in Self.weights {
            var r = ReadOptions(); r.selection.types = [type]
            let counted = try areas(r)
            #expect(counted.incidents.table.isWeighted == false)
            for row in try #require(counted.layers.first).rows { expected[row.id, default: 0] += w * Double(row.count) }
        }
        #expect(rows.count == 19 && expected.count == 19)
        for row in rows { #expect(row.weighted == expected[row.id], "ward \(row.name): harm \(row.weighted), by hand \(expected[row.id] ?? -1)") }
        #expect(rows.reduce(0) { $0 + $1.weighted } > 10_000)  // a real total, not zeros on both sides
        // The CSV names the column harm, beside the count; metadata records the table.
        let csv = try String(contentsOfFile: out + "/areas-wards.csv", encoding: .utf8)
        #expect(csv.hasPrefix("id,name,count,harm,population,"))
        let meta = try String(contentsOfFile: out + "/metadata.json", encoding: .utf8)
        let sha = try Hashing.sha256(file: read.harmWeights!)
        #expect(meta.contains("\"harm_weights\"") && meta.contains(sha))
        let h = try #require(harm.incidents.harm)
        #expect(h.sha256 == sha && h.source == "invented for a test (illustrative, not CCHI or ONS CSS)")
        #expect(h.typesMatched == ["Burglary", "Robbery", "Vehicle crime"] && h.missingRule == "zero")
        #expect(h.missing["Drugs"] == 1354 && h.missing.count == 9)
        #expect(harm.warnings.contains { $0.contains("Drugs (1,354 incidents)") && $0.contains("--weights-missing zero") })
    }

    @Test func missingTypesStopTheRunUnlessARuleIsGiven() throws {
        guard FileManager.default.fileExists(atPath: Self.file) else { print("skip missingTypesStopTheRunUnlessARuleIsGiven: \(Self.file) is absent (../shared)"); return }
        var read = ReadOptions()
        read.harmWeights = try temporaryFile(Self.table, named: "harm.csv")
        do {
            _ = try areas(read)
            Issue.record("a harm table lacking types was accepted without --weights-missing")
        } catch let e as InputError {
            guard case .harmTypesMissing(_, let missing) = e else { Issue.record("\(e)"); return }
            #expect(missing.count == 9 && missing.contains("Drugs (1,354 incidents)"))
        }
        read.harmMissing = .one
        let one = try areas(read)
        let total = one.layers[0].rows.reduce(0) { $0 + $1.weighted }, n = one.layers[0].rows.reduce(0) { $0 + $1.count }
        #expect(total > Double(n))  // weights ≥ 1 everywhere, 5–20 for three types
    }
}

/// `inputs: weights:` and `weights_missing:` in a project file (docs/reference/project-file.md).
@Suite struct HarmProjectFileTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path
    static let table = Paths.fixture("harm/illustrative-weights.csv")

    func load(_ inputs: String) throws -> Project {
        try Project.load(try temporaryFile("inputs:\n  files: [\(Self.demo)/incidents.csv]\n\(inputs)products:\n  grid: {cell: 500}\n"))
    }
    func message(_ inputs: String) -> String {
        do { _ = try load(inputs); return "accepted" } catch { return "\(error)" }
    }

    @Test func weightsAndTheMissingRuleAreRead() throws {
        let p = try load("  weights: \(Self.table)\n  weights_missing: one\n")
        #expect(p.read.harmWeights == Self.table && p.read.harmMissing == .one)
        #expect(try load("  weights: \(Self.table)\n").read.harmMissing == .stop)
        #expect(p.inputPaths.contains(Self.table))
    }

    @Test func badSpellingsAreRefusedWithTheKey() {
        #expect(message("  weights: \(Self.table)\n  weights_missing: ignore\n").contains("weights_missing: use stop, zero or one"))
        #expect(message("  weights_missing: zero\n").contains("goes with 'weights'"))
        #expect(message("  weights: \(Self.table)\n  columns: {weight: harm}\n").contains("cannot both weigh the incidents"))
        #expect(message("  weights: /nonexistent/harm.csv\n").contains("/nonexistent/harm.csv"))
    }
}
