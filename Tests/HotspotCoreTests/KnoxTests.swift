import Testing
@testable import HotspotCore

/// The Knox near-repeat test (issue 22): bands, pair counts against a brute force, the permutation expectation
/// against its exact value, determinism on any number of threads, and a planted near-repeat pattern.
@Suite struct KnoxTests {
    let bands = KnoxBands(distance: 100, spatialBands: 3, days: 7, temporalBands: 2)

    /// n seeded points in a 2 km square over 120 days.
    func points(_ n: Int, seed: UInt64 = 7) -> (x: [Double], y: [Double], day: [Int32]) {
        var rng = SplitMix64(seed: seed)
        var x: [Double] = [], y: [Double] = [], d: [Int32] = []
        for _ in 0..<n {
            x.append(Double(rng.next() % 2_000_000) / 1000); y.append(Double(rng.next() % 2_000_000) / 1000)
            d.append(Int32(19_000 + Int(rng.next() % 120)))
        }
        // A few repeats at one address.
        for k in 0..<5 { x[k] = x[0]; y[k] = y[0] }
        return (x, y, d)
    }

    @Test func bandsAreTheNearRepeatCalculators() {
        #expect(bands.rows == 5 && bands.columns == 3)
        #expect([0, 1e-9, 100, 100.0001, 300, 300.5].map { bands.row(distance: $0) } == [0, 1, 1, 2, 3, 4])
        #expect([0, 7, 8, 14, 15, 400].map { bands.column(days: $0) } == [0, 0, 1, 1, 2, 2])
        #expect(bands.columnRange(1) == (8, 14) && bands.columnRange(2).from == 15 && bands.columnRange(2).to == nil)
    }

    @Test func observedCountsEqualABruteForceOverEveryPair() {
        let (x, y, d) = points(700)
        let r = knoxTest(x: x, y: y, day: d, bands: bands, permutations: 0)
        var brute = [Int](repeating: 0, count: bands.rows * bands.columns)
        for i in 0..<x.count {
            for j in (i + 1)..<x.count {
                let dist = ((x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j])).squareRoot()
                brute[bands.row(distance: dist) * bands.columns + bands.column(days: abs(Int(d[i]) - Int(d[j])))] += 1
            }
        }
        #expect(r.observed == brute)
        #expect(r.pairs == 700 * 699 / 2 && r.observed.reduce(0, +) == r.pairs)
        #expect(r.observed[0] + r.observed[1] + r.observed[2] >= 10)  // the planted repeats at one address
    }

    /// The mean over permutations estimates S_r · T_c / pairs: within 4.5 standard errors in every cell.
    @Test func theMonteCarloExpectationIsTheExactOneWithinItsError() {
        let (x, y, d) = points(600)
        let r = knoxTest(x: x, y: y, day: d, bands: bands, permutations: 999, seed: 3)
        for k in r.observed.indices {
            let se = r.expectedSD[k] / 999.0.squareRoot()
            #expect(abs(r.expected[k] - r.exact[k]) <= 4.5 * se + 1e-9, "cell \(k): \(r.expected[k]) vs \(r.exact[k]) ± \(se)")
        }
        #expect(abs(r.exact.reduce(0, +) - Double(r.pairs)) < 1e-6)
        #expect(r.pseudoP.allSatisfy { $0 > 0 && $0 <= 1 })
    }

    @Test func theResultDoesNotDependOnHowThePermutationsAreSplit() {
        let (x, y, d) = points(400)
        let one = knoxTest(x: x, y: y, day: d, bands: bands, permutations: 199, seed: 11, alpha: 0.05, parts: 1)
        let three = knoxTest(x: x, y: y, day: d, bands: bands, permutations: 199, seed: 11, alpha: 0.05, parts: 3)
        #expect(one.expected == three.expected && one.pseudoP == three.pseudoP && one.expectedSD == three.expectedSD)
        let other = knoxTest(x: x, y: y, day: d, bands: bands, permutations: 199, seed: 12)
        #expect(other.expected != one.expected)
    }

    /// Planted near repeats: after each of 40 seed incidents, another within 50 m and 3 days. The first band is a
    /// near-repeat band (about 40 pairs over about 90 expected); the far ones are not.
    @Test func plantedNearRepeatsAreFound() {
        var (x, y, d) = points(400, seed: 21)
        var rng = SplitMix64(seed: 5)
        for k in 0..<40 {
            x.append(x[k + 10] + Double(rng.next() % 30)); y.append(y[k + 10] + Double(rng.next() % 30))
            d.append(d[k + 10] + Int32(rng.next() % 4))
        }
        let r = knoxTest(x: x, y: y, day: d, bands: bands, permutations: 499, seed: 1)
        let first = 1 * bands.columns + 0
        #expect(r.significant[first] && r.ratio[first] > 1.2)
        #expect(!r.significant[(bands.rows - 1) * bands.columns] && !r.significant[bands.columns - 1])
        #expect(r.nearPairs.contains { $0.cell == Int32(first) } && r.nearRepeatIncidents >= 40)
        #expect(r.nearPairs.allSatisfy { r.significant[Int($0.cell)] && $0.first < $0.second })
    }
}
