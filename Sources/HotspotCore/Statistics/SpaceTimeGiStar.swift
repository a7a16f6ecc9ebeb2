/// Gi* z and p for every (step, location) of a cube on a square grid.
public struct SpaceTimeGiStarResult: Sendable {
    /// z[t][location], p[t][location] (two-sided).
    public var z: [[Double]]
    public var p: [[Double]]
    /// 0: spatial Gi* per step (mean and variance of that step); k ≥ 1: ArcGIS-style space-time Gi*.
    public var window: Int
}

/// Space-time Gi* on a square grid (Emerging Hot Spot Analysis). With `window` k = 0, each step is analysed on its
/// own (mean and variance per step). With k ≥ 1 (ArcGIS's neighbourhood time step; default 1), the neighbours of
/// (t, i) are the disc around i in steps t−k…t (fewer at the start of the cube), and the mean and variance are taken
/// over the whole cube — ArcGIS's formulation; the first k steps then have smaller neighbourhoods (and |z|), which
/// can bias a trend test: documented, not corrected, to stay comparable with ArcGIS.
public func spaceTimeGiStar(grid: SquareGrid, cube: SpaceTimeCube, radius: Double, window: Int = 1,
                            mask: [Bool]? = nil) -> SpaceTimeGiStarResult {
    let T = cube.counts.count
    if window <= 0 {
        var z: [[Double]] = [], p: [[Double]] = []
        for t in 0..<T {
            let r = giStar(grid: grid, values: cube.counts[t], radius: radius, mask: mask)
            z.append(r.z); p.append(r.p)
        }
        return SpaceTimeGiStarResult(z: z, p: p, window: 0)
    }
    let L = cube.locations
    let live = mask.map { m in (0..<L).filter { m[$0] } } ?? Array(0..<L)
    var sums: [[Double]] = [], wi: [Int32] = []
    for t in 0..<T {
        let (s, w) = discSums(grid: grid, values: cube.counts[t], radius: radius, mask: mask)
        sums.append(s); wi = w
    }
    return spaceTimeFromSums(sums: sums, weights: wi, cube: cube, window: window, live: live)
}

/// Space-time Gi* on any binary neighbourhood (e.g. ward or LSOA contiguity), as `spaceTimeGiStar(grid:…)`.
public func spaceTimeGiStar(neighbourhood nb: Neighbourhood, cube: SpaceTimeCube, window: Int = 1) -> SpaceTimeGiStarResult {
    let T = cube.counts.count, L = cube.locations
    if window <= 0 {
        var z: [[Double]] = [], p: [[Double]] = []
        for t in 0..<T {
            let r = giStar(values: cube.counts[t], neighbourhood: nb)
            z.append(r.z); p.append(r.p)
        }
        return SpaceTimeGiStarResult(z: z, p: p, window: 0)
    }
    let sums = cube.counts.map { x in (0..<L).map { i in nb.neighbours(of: i).reduce(0) { $0 + x[Int($1)] } } }
    let w = (0..<L).map { Int32(nb.offsets[$0 + 1] - nb.offsets[$0]) }
    return spaceTimeFromSums(sums: sums, weights: w, cube: cube, window: window, live: Array(0..<L))
}

/// The space-time z from per-step neighbour sums: window sums over steps t−k…t, W = W_i · steps, mean and variance
/// over the whole cube (live locations only).
func spaceTimeFromSums(sums: [[Double]], weights wi: [Int32], cube: SpaceTimeCube, window: Int, live: [Int]) -> SpaceTimeGiStarResult {
    let T = cube.counts.count, L = cube.locations
    let n = Double(live.count * T)
    var tot = 0.0, tot2 = 0.0
    for t in 0..<T { for i in live { let v = cube.counts[t][i]; tot += v; tot2 += v * v } }
    let mean = tot / n, s = (tot2 / n - mean * mean).squareRoot()
    var z = [[Double]](repeating: [Double](repeating: .nan, count: L), count: T)
    var running = [Double](repeating: 0, count: L)
    for t in 0..<T {
        for i in live { running[i] += sums[t][i]; if t - window - 1 >= 0 { running[i] -= sums[t - window - 1][i] } }
        let steps = Double(min(t, window) + 1)
        for i in live {
            let W = Double(wi[i]) * steps
            z[t][i] = (running[i] - mean * W) / (s * ((n * W - W * W) / (n - 1)).squareRoot())
        }
    }
    return SpaceTimeGiStarResult(z: z, p: z.map { $0.map(Normal.twoSidedP) }, window: window)
}
