import Foundation
import HotspotCore
import HotspotTestSupport
import Testing
@testable import HotspotIO

/// The harm table reader (`--weights`): accepted headers, the source line, matching ignoring case and spaces, and
/// every refusal naming the file and line.
@Suite struct HarmWeightsTests {
    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func readsAGoodTableWithItsSourceLine() throws {
        let p = try temporaryFile("# illustrative weights, not CCHI or ONS CSS\n# source: invented for a test, 2026\ncrime_type,weight,note\nBurglary,10,\n\"Violence and sexual offences\",5.5,x\nRobbery,20\n", named: "harm.csv")
        let h = try HarmWeights.read(path: p)
        #expect(h.source == "invented for a test, 2026")
        #expect(h.entries.map(\.key) == ["Burglary", "Violence and sexual offences", "Robbery"])
        #expect(h.weight(of: "  violence AND  sexual offences ") == 5.5)
        #expect(h.weight(of: "BURGLARY") == 10 && h.weight(of: "Drugs") == nil)
        // The SHA-256 is the file's bytes' (sha256sum's answer).
        let sha = try Hashing.sha256(file: p)
        #expect(h.sha256 == sha && sha.count == 64)
    }

    @Test func otherHeadersAndTheFirstCommentAsSource() throws {
        let p = try temporaryFile("# ONS CSS 2023, as licensed to us\r\nOffence code,Score\r\n28E,312.4\r\n", named: "css.csv")
        let h = try HarmWeights.read(path: p)
        #expect(h.source == "ONS CSS 2023, as licensed to us" && h.weight(of: "28e") == 312.4)
        let q = try temporaryFile("type,harm\nDrugs,0\n", named: "t.csv")
        #expect(try HarmWeights.read(path: q).source == nil)
    }

    @Test func badTablesAreRefusedWithFileAndLine() throws {
        let cases: [(String, String)] = [
            ("crime_type,weight\nBurglary,10\nburglary ,12\n", ":3: 'burglary' is given twice (also on line 2"),
            ("crime_type,weight\nBurglary,-1\n", ":2: the weight '-1' of 'Burglary' is not a number 0 or more"),
            ("# source: x\ncrime_type,weight\nRobbery,ten\n", ":3: the weight 'ten' of 'Robbery'"),
            ("crime_type,weight\nRobbery,inf\n", ":2: the weight 'inf'"),
            ("crime_type,weight\n", "has a header but no rows"),
            ("", "an empty harm table"),
            ("name,value\nBurglary,3\n", ":1: a harm table's header needs a key column"),
            ("crime_type,weight\n,3\n", ":2: no crime type or code"),
        ]
        for (text, expected) in cases {
            let p = try temporaryFile(text, named: "bad.csv")
            let m = message { _ = try HarmWeights.read(path: p) }
            #expect(m?.contains(expected) == true && m?.contains(p) == true, "\(text.debugDescription): \(m ?? "accepted")")
        }
        #expect(throws: InputError.missingFile("--weights /nonexistent/harm.csv")) { try HarmWeights.read(path: "/nonexistent/harm.csv") }
    }

    @Test func applyWeighsEachIncidentAndListsTheMissingTypes() throws {
        let p = try temporaryFile("crime_type,weight\nBurglary,10\nRobbery,20\n", named: "harm.csv")
        let h = try HarmWeights.read(path: p)
        var t = IncidentTable(epsg: 27700, resolution: .month)
        for (k, ty) in ["Burglary", "Drugs", "robbery", "Drugs", "Burglary", "Shoplifting"].enumerated() {
            t.append(x: 0, y: 0, day: 0, category: t.categoryCode(ty)!, file: 0, line: UInt32(k + 2))
        }
        let zero = h.apply(to: t, rule: .zero), one = h.apply(to: t, rule: .one)
        #expect(zero.weights == [10, 0, 20, 0, 10, 0] && one.weights == [10, 1, 20, 1, 10, 1])
        #expect(zero.matched == ["Burglary", "robbery"])
        #expect(zero.missing.map(\.type) == ["Drugs", "Shoplifting"] && zero.missing.map(\.incidents) == [2, 1])
    }
}
