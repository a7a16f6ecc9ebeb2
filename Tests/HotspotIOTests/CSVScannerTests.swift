import Testing
@testable import HotspotIO

@Suite struct CSVScannerTests {
    func records(_ text: String, block: Int = 1 << 20) -> [(line: Int, fields: [String])] {
        var out: [(Int, [String])] = []
        var sc = CSVScanner()
        let bytes = Array(text.utf8)
        var i = 0
        repeat {
            let end = min(bytes.count, i + block)
            let chunk = Array(bytes[i..<end])
            chunk.withUnsafeBufferPointer { b in
                sc.scan(b, final: end == bytes.count) { r in out.append((r.line, (0..<r.count).map { r.string($0)! })) }
            }
            i = end
        } while i < bytes.count
        return out
    }

    @Test func quotedFieldsCommasAndDoubledQuotes() {
        let r = records("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n")
        #expect(r.count == 2)
        #expect(r[1].fields == ["1", "x, y", "say \"hi\""])
    }

    @Test func crlfAndMissingFinalNewline() {
        let r = records("a,b\r\n1,2\r\n3,4")
        #expect(r.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
    }

    @Test func newlineInsideQuotesKeepsPhysicalLineNumbers() {
        let r = records("h1,h2\n\"two\nlines\",x\nlast,y\n")
        #expect(r.map(\.line) == [1, 2, 4])
        #expect(r[1].fields == ["two\nlines", "x"])
    }

    @Test func blankLinesAreSkippedButCounted() {
        let r = records("h\n1\n\n2\n")
        #expect(r.map(\.line) == [1, 2, 4])
    }

    @Test func emptyTrailingField() {
        #expect(records("a,b,\n").first?.fields == ["a", "b", ""])
        #expect(records("a,b,").first?.fields == ["a", "b", ""])
    }

    /// A quoted field still open at the end of the input, whose last byte is a CR: the record's bytes leave the CR
    /// out (as a line end), and so must the field. It ran one byte past them, and reading it trapped in a debug build
    /// ("UnsafeBufferPointer.swift:1961: Fatal error"; issue 20, the fuzz trap: a header line like this one) and read
    /// the byte past the record in a release build.
    @Test(arguments: [1, 2, 3, 64])
    func unterminatedQuoteEndingInCRStaysInsideTheRecord(block: Int) {
        #expect(records("a,\"b\nc\r", block: block).map(\.fields) == [["a", "b\nc"]])
        #expect(records("h\n1,\"x\r", block: block).map(\.fields) == [["h"], ["1", "x"]])
        #expect(records("\"\r", block: block).map(\.fields) == [[""]])
    }

    /// The same records whatever the block boundaries (records straddle blocks).
    @Test(arguments: [1, 2, 3, 7, 64])
    func blockBoundariesDoNotMatter(block: Int) {
        let text = "Crime ID,Month,Location\r\nx1,2022-03,\"On or near \"\"A\"\", B\"\r\n,2022-04,\"multi\nline\"\r\nz,2022-05,end"
        let whole = records(text)
        let split = records(text, block: block)
        #expect(whole.map(\.fields) == split.map(\.fields))
        #expect(whole.map(\.line) == split.map(\.line))
    }

    @Test func fastDoubleEqualsStandardParsing() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let v = Double.random(in: -180...180, using: &g)
            for d in [0, 1, 4, 6, 9, 15] {
                var s = String(format: "%.\(d)f", v)
                if s == "-0" { s = "0" }
                let got = s.utf8CString.withUnsafeBufferPointer { b in
                    b.withMemoryRebound(to: UInt8.self) { FastDouble.parse(UnsafeBufferPointer(rebasing: $0.dropLast())) }
                }
                #expect(got == Double(s), "\(s)")
            }
        }
        for bad in ["", "-", ".", "1.2.3", "abc", "1e", "--1"] {
            var s = bad
            let got = s.withUTF8 { FastDouble.parse($0) }
            #expect(got == nil, "\(bad)")
        }
        var e = "1.5e3"
        #expect(e.withUTF8 { FastDouble.parse($0) } == 1500)
    }
}
