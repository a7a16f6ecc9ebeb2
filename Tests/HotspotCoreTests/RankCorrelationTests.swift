import Testing
@testable import HotspotCore

/// Spearman's ρ and its p-value against scipy 1.17.1 (`scipy.stats.spearmanr`, `2·scipy.stats.t.sf`), the Fisher z
/// interval against math.tanh(atanh ρ ± 1.959964·1.06/√(n−3)) computed beside them.
@Suite struct RankCorrelationTests {
    @Test func averageRanksShareTies() {
        // scipy.stats.rankdata of the negated values (1 = the largest).
        let v: [Double] = [10, 20, 20, 30, 40, 40, 40, 50, 60, 5]
        #expect(averageRanks(v, descending: true) == [9, 7.5, 7.5, 6, 4, 4, 4, 2, 1, 10])
        #expect(averageRanks(v) == [2, 3.5, 3.5, 5, 7, 7, 7, 9, 10, 1])
        #expect(averageRanks([]).isEmpty)
        #expect(averageRanks([3, .nan, 1])[1].isNaN && averageRanks([3, .nan, 1])[0] == 2)
    }

    @Test(arguments: [
        ([1.0, 2, 3, 4, 5, 6, 7, 8], [2.0, 1, 4, 3, 6, 5, 8, 7], 0.9047619047619048, 0.002008275505429469, 0.5144423306611341, 0.9845257832272528),
        ([10.0, 20, 20, 30, 40, 40, 40, 50, 60, 5], [3.0, 9, 1, 4, 4, 4, 7, 2, 8, 0], 0.44236974782281374, 0.20048470664391393, -0.3005019298802167, 0.8511792664900837),
        ([5.0, 3, 8, 1, 9, 2, 7], [1.0, 2, 3, 4, 5, 6, 7], 0.07142857142857144, 0.879048193148154, -0.7474847225500538, 0.8041794812329198),
        ([0.0, 0, 1, 2, 5, 9, 12, 30, 31, 2, 0, 4, 6, 7, 8, 100, 3, 3, 3], [10.0, 12, 40, 22, 50, 70, 90, 200, 210, 20, 5, 30, 41, 60, 61, 400, 25, 26, 27],
         0.9572950559399505, 1.3657353562537582e-10, 0.8838535817824724, 0.9846759119397952),
    ])
    func spearmanEqualsScipy(a: [Double], b: [Double], rho: Double, p: Double, low: Double, high: Double) throws {
        let r = SpearmanCorrelation(a, b)
        #expect(r.n == a.count)
        #expect(abs(try #require(r.rho) - rho) < 1e-12)
        #expect(abs(try #require(r.p) / p - 1) < 1e-9, "p \(String(describing: r.p)) vs \(p)")
        #expect(abs(try #require(r.low) - low) < 1e-12)
        #expect(abs(try #require(r.high) - high) < 1e-12)
    }

    @Test(arguments: [(2.1, 5.0, 0.08975324988459879), (0.3, 17.0, 0.7678144969702959), (7.5, 3.0, 0.004910974925988302),
                      (1.0, 1.0, 0.5000000000000001), (3.2, 40.0, 0.0026906524092055596), (-2.1, 5.0, 0.08975324988459879)])
    func studentTEqualsScipy(t: Double, df: Double, p: Double) {
        #expect(abs(StudentT.twoSidedP(t, df: df) / p - 1) < 1e-10)
    }

    @Test func perfectAndUndefinedCorrelations() throws {
        let up = SpearmanCorrelation([1, 2, 3, 4, 5], [10, 20, 30, 40, 50])
        #expect(up.rho == 1 && up.p == 0 && up.low == 1 && up.high == 1)
        let down = SpearmanCorrelation([1, 2, 3, 4, 5], [50, 40, 30, 20, 10])
        #expect(down.rho == -1 && down.p == 0 && down.low == -1 && down.high == -1)
        // Every count tied: no ρ; three pairs: ρ and p but no Fisher interval (n − 3 = 0).
        #expect(SpearmanCorrelation([2, 2, 2, 2], [1, 2, 3, 4]).rho == nil)
        let three = SpearmanCorrelation([1, 2, 3], [1, 3, 2])
        #expect(three.rho == 0.5 && three.low == nil && three.p != nil)
        #expect(SpearmanCorrelation([1], [1]).rho == nil)
        #expect(SpearmanCorrelation.fisherSE(n: 19) == 1.06 / 4)
    }
}
