import Foundation
import Testing
@testable import HotspotCartography

/// `SVG.n` formats every coordinate of every page: its fast path must write exactly what printf's `%.2f` wrote.
@Suite struct SVGNumberTests {
    @Test func fastPathEqualsPrintf() {
        // Exact binary ties (k/8: printf rounds them half to even), values just either side of a tie, around the
        // 0.001 and 0.005 limits, negative zero, integers and the 2^49 limit of the fast path.
        var values: [Double] = [0, -0.0, 0.001, -0.001, 0.0049, 0.005, 0.00500001, -0.005, 0.995, 1.005, 2.675, 0.125, 0.375,
                                -0.125, 1e-300, -1e-300, .leastNonzeroMagnitude, 0x1p49 - 0.25, 0x1p49, 1e300, .nan, .infinity, -.infinity]
        for k in -2000...2000 {
            let x = Double(k) / 8
            values += [x, x.nextUp, x.nextDown, Double(k) / 1000, Double(k) * 0.01, Double(k) * 123.456789]
        }
        var g = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            values.append(Double.random(in: -300...300, using: &g))
            values.append(Double.random(in: -1...1, using: &g) * pow(10, Double(Int.random(in: -4...15, using: &g))))
        }
        let wrong = values.filter { SVG.n($0) != SVG.printfN($0) }
        #expect(wrong.isEmpty, "first differences: \(wrong.prefix(5).map { "\($0): \(SVG.n($0)) vs \(SVG.printfN($0))" })")
        #expect(SVG.n(0.125) == "0.12" && SVG.n(0.375) == "0.38" && SVG.n(-0.001) == "0" && SVG.n(1.5) == "1.5" && SVG.n(-2) == "-2")
    }
}
