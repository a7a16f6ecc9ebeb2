@testable import HotspotCore
import Testing

/// The bucket index gives exactly the brute force's neighbours (issue 12: knn and distance bands at national scale).
@Suite struct PointIndexTests {
    /// A seeded cloud with clusters, duplicates (ties) and a far outlier.
    func points(_ n: Int, seed: UInt64) -> ([Double], [Double]) {
        var s = seed
        func next() -> Double { s = s &* 6364136223846793005 &+ 1442695040888963407; return Double(s >> 11) / Double(1 << 53) }
        var x: [Double] = [], y: [Double] = []
        for i in 0..<n {
            if i % 7 == 3, i > 0 { x.append(x[i - 1]); y.append(y[i - 1]); continue }      // an exact duplicate
            let cluster = i % 3 == 0
            x.append(cluster ? 530_000 + next() * 300 : 530_000 + next() * 20_000)
            y.append(cluster ? 170_000 + next() * 300 : 170_000 + next() * 15_000)
        }
        x.append(600_000); y.append(250_000)                                                // far away
        return (x, y)
    }

    @Test func kNearestEqualsTheBruteForce() {
        for (n, seed) in [(1, 1), (2, 2), (50, 3), (500, 4)] as [(Int, UInt64)] {
            let (x, y) = points(n, seed: seed)
            for k in [1, 5, 12] {
                #expect(Neighbourhood.kNearest(x: x, y: y, k: k) == Neighbourhood.kNearestBruteForce(x: x, y: y, k: k), "n \(n), k \(k)")
            }
        }
    }

    @Test func distanceBandEqualsTheBruteForce() {
        let (x, y) = points(700, seed: 9)
        for d in [1.0, 50, 400, 2500] {
            let brute = Neighbourhood(lists: x.indices.map { i in
                x.indices.filter { j in j != i && (x[j] - x[i]) * (x[j] - x[i]) + (y[j] - y[i]) * (y[j] - y[i]) <= d * d }
            })
            #expect(Neighbourhood.distanceBand(x: x, y: y, distance: d) == brute, "d \(d)")
        }
    }
}
