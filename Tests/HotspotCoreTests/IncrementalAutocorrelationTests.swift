@testable import HotspotCore
import Testing

/// Incremental spatial autocorrelation: each band's Moran's I is `globalMoran` on that band's neighbourhood, the
/// peaks are the interior local maxima, and the spacing helpers do what they say.
@Suite struct IncrementalAutocorrelationTests {
    /// Seeded points (some on an exact 50 m lattice, so that some pairs lie at exactly a band's distance) and counts.
    func sample(_ n: Int, seed: UInt64) -> ([Double], [Double], [Double]) {
        var rng = SplitMix64(seed: seed)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var x: [Double] = [], y: [Double] = [], v: [Double] = []
        for i in 0..<n {
            if i % 2 == 0 { x.append(530_000 + 50 * Double(i % 40)); y.append(170_000 + 50 * Double(i / 40)) }
            else { x.append(530_000 + u() * 2_000); y.append(170_000 + u() * (Double(n) / 40 * 50)) }
            v.append((u() * 6).rounded(.down) + (x[i] < 530_600 ? 3 : 0))
        }
        return (x, y, v)
    }

    @Test func everyBandEqualsGlobalMoranOnItsNeighbourhood() {
        let (x, y, v) = sample(900, seed: 4)
        let distances = (1...10).map { 50.0 * Double($0) }
        let r = incrementalAutocorrelation(x: x, y: y, values: v, distances: distances)
        #expect(r.bands.count == 10)
        for (b, band) in r.bands.enumerated() {
            let nb = Neighbourhood.distanceBandTolerant(x: x, y: y, distance: distances[b])
            let g = globalMoran(values: v, neighbourhood: nb, permutations: 0)
            #expect(abs(band.i - g.i) <= 1e-12 * max(1, abs(g.i)), "band \(b): I \(band.i) vs \(g.i)")
            #expect(abs(band.variance - g.varianceRandom) <= 1e-12 * g.varianceRandom, "band \(b): Var")
            #expect(abs(band.z - g.zRandom) <= 1e-9 * max(1, abs(g.zRandom)), "band \(b): z \(band.z) vs \(g.zRandom)")
            #expect(band.expected == g.expected)
        }
        // The tolerant band holds the lattice pairs at exactly 50 m that a strict comparison might lose to rounding.
        #expect(Neighbourhood.distanceBandTolerant(x: x, y: y, distance: 50).index.count >= Neighbourhood.distanceBand(x: x, y: y, distance: 50).index.count)
    }

    @Test func peaksAreInteriorLocalMaxima() {
        #expect(zPeaks([1, 3, 2, 4, 5]) == [1])
        #expect(zPeaks([1, 2, 3, 4]) == [])
        #expect(zPeaks([5, 4, 6, 1, 7, 2]) == [2, 4])
        #expect(zPeaks([1, 2]) == [])
    }

    @Test func firstPeakIsTheFirstSignificantOneAndMaxPeakTheLargest() {
        // A lattice of counts with blocks of 3 × 3 high cells: clustering rises to a peak and falls.
        var x: [Double] = [], y: [Double] = [], v: [Double] = []
        for r in 0..<40 { for c in 0..<40 {
            x.append(Double(c) * 100); y.append(Double(r) * 100)
            v.append((r % 10 < 3 && c % 10 < 3) ? 10 : 1)
        } }
        let res = incrementalAutocorrelation(x: x, y: y, values: v, distances: (1...10).map { 100.0 * Double($0) })
        let f = try! #require(res.firstPeak)
        #expect(res.peaks.contains(f) && res.bands[f].p < 0.05 && res.bands[f].z > 0)
        let m = try! #require(res.maxPeak)
        #expect(res.peaks.allSatisfy { res.bands[$0].z <= res.bands[m].z })
    }

    @Test func spacingHelpers() {
        // Three points at one place count as one place; the lone far point is a locational outlier.
        var x = [0.0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], y = [Double](repeating: 0, count: 13)
        x += (0..<30).map { 100 + 10 * Double($0 + 1) }; y += [Double](repeating: 0, count: 30)
        x.append(50_000); y.append(0)
        let d = PointSpacing.nearestDistinct(x: x, y: y)
        #expect(d[0] == 10 && d[1] == 10 && d[5] == 10)
        let out = PointSpacing.outliers(nearest: d)
        #expect(out.last == true && out.dropLast().allSatisfy { !$0 })
        #expect(abs(PointSpacing.meanKthNearest(x: [0, 1, 3], y: [0, 0, 0], k: 1) - (1 + 1 + 2) / 3.0) < 1e-12)
    }
}
