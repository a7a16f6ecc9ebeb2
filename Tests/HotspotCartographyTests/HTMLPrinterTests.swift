import Foundation
import Testing
@testable import HotspotCartography

/// pack.pdf is byte-identical across runs: Chromium's dates and its tagged-PDF node ids are normalised.
@Suite struct HTMLPrinterTests {
    func pdf(_ first: Int, date: String = "20261204053412+00'00'") -> Data {
        let ids = (0..<4).map { String(format: "node%08d", first + [0, 1, 0, 3][$0]) }
        return Data("%PDF-1.4\n1 0 obj <</CreationDate (D:\(date))>>\n2 0 obj <</ID (\(ids[0]))>>\n3 0 obj <</ID (\(ids[1]))>>\n4 0 obj <</Names [(\(ids[2])) 2 0 R]>> (\(ids[3])) (nodeX) (node12\n".utf8)
    }

    /// Two prints whose node counters differ by one, at different times, give the same bytes of the same length;
    /// an id keeps its number wherever it appears (the IDTree names the same element), non-ids are left alone.
    @Test func nodeIDsAndDatesAreNormalised() {
        let a = HTMLPrinter.fixNodeIDs(HTMLPrinter.fixDates(pdf(1117), date: "2026-05-01"))
        let b = HTMLPrinter.fixNodeIDs(HTMLPrinter.fixDates(pdf(1118, date: "20261204101010+00'00'"), date: "2026-05-01"))
        #expect(a == b && a.count == pdf(1117).count)
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.contains("<</ID (node00000000)>>") && text.contains("<</ID (node00000001)>>"))
        #expect(text.contains("[(node00000000) 2 0 R]") && text.contains("(node00000002)"))
        #expect(text.contains("(nodeX) (node12\n") && text.contains("(D:20260501000000+00'00'"))
    }
}
