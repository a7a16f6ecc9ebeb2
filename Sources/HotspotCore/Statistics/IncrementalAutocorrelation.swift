/// Global Moran's I at one distance band of an incremental spatial autocorrelation (ArcGIS's Incremental Spatial
/// Autocorrelation: one row of its table).
public struct DistanceBandMoran: Sendable, Equatable {
    /// The band's distance threshold in metres: neighbours are the other locations whose centres lie within it.
    public var distance: Double
    /// Moran's I with binary distance-band weights, row-standardised (esda `Moran(y, DistanceBand(..., binary=True))`,
    /// transformation "r"): I = n/S0 · Σ_ij w_ij d_i d_j / Σ d², d = x − x̄.
    public var i: Double
    /// E[I] = −1/(n − 1).
    public var expected: Double
    /// Var(I) under randomisation (Cliff & Ord 1981, eq. 1.39; esda `VI_rand`), as ArcGIS's Global Moran's I reports it.
    public var variance: Double
    /// z = (I − E[I]) / √Var(I) and its two-sided normal p.
    public var z: Double, p: Double
    /// The fewest and the mean number of neighbours a location has at this distance (itself excluded).
    public var minNeighbours: Int, meanNeighbours: Double
}

/// Global Moran's I over increasing distance bands (ArcGIS Pro, "Incremental Spatial Autocorrelation"), with the
/// peaks of its z-scores.
public struct IncrementalAutocorrelationResult: Sendable {
    public var bands: [DistanceBandMoran]
    /// Indices of the bands whose z is larger than the z of the band before and of the band after (interior bands
    /// only: a z still rising at the last band is not a peak).
    public var peaks: [Int]
    /// The first peak whose z is positive with p < `alpha` (ArcGIS: "the first statistically significant peak").
    public var firstPeak: Int?
    /// The peak with the largest z (ArcGIS's "maximum peak"), significant or not.
    public var maxPeak: Int?
    public var alpha: Double
    /// Locations.
    public var n: Int
}

/// Global Moran's I of `values` at each distance of `distances` (ascending), neighbours the other locations whose
/// points (`x`, `y`, metres) lie within the distance (ties within a relative 1e-9 included, so that centres of a
/// regular grid at exactly k cells count whatever the rounding), binary weights row-standardised. Same numbers as
/// `globalMoran` on `Neighbourhood.distanceBand` of each distance, in one pass: the pairs within the largest
/// distance are found once through a `PointIndex`, each tagged with the first band that holds it, and every band's
/// sums (Σ w d_i d_j, S0, S1, S2) are accumulated from them, rows split across cores (`Parallel`).
public func incrementalAutocorrelation(x: [Double], y: [Double], values v: [Double], distances: [Double],
                                       alpha: Double = 0.05) -> IncrementalAutocorrelationResult {
    let n = v.count, nb = distances.count
    precondition(x.count == n && y.count == n && n > 3 && nb >= 1 && nb < 255)
    let pairs = BandPairs(x: x, y: y, distances: distances)
    let mean = v.reduce(0, +) / Double(n)
    let d = v.map { $0 - mean }
    // 1/k_b(j) for every location and band, location-major: invk[j * nb + b].
    var invk = [Double](repeating: 0, count: n * nb), kmin = [Int](repeating: Int.max, count: nb), ksum = [Int](repeating: 0, count: nb)
    for j in 0..<n {
        for b in 0..<nb {
            let k = pairs.cumulative[j * nb + b]
            invk[j * nb + b] = k > 0 ? 1 / Double(k) : 0
            kmin[b] = min(kmin[b], k); ksum[b] += k
        }
    }
    let sums = bandSums(pairs, d: d, invk: invk, bands: nb)
    let nn = Double(n), ei = -1 / (nn - 1)
    let m2 = d.reduce(0) { $0 + $1 * $1 } / nn, m4 = d.reduce(0) { $0 + $1 * $1 * $1 * $1 } / nn
    let kurt = m4 / (m2 * m2), den = m2 * nn
    let bands = (0..<nb).map { b -> DistanceBandMoran in
        let s0 = sums.s0[b], s1 = sums.s1[b] / 2, s2 = sums.s2[b], s02 = s0 * s0
        let i = nn / s0 * sums.num[b] / den
        let a = nn * ((nn * nn - 3 * nn + 3) * s1 - nn * s2 + 3 * s02)
        let c = kurt * ((nn * nn - nn) * s1 - 2 * nn * s2 + 6 * s02)
        let vr = (a - c) / ((nn - 1) * (nn - 2) * (nn - 3) * s02) - ei * ei
        let z = (i - ei) / vr.squareRoot()
        return DistanceBandMoran(distance: distances[b], i: i, expected: ei, variance: vr, z: z, p: Normal.twoSidedP(z),
                                 minNeighbours: kmin[b], meanNeighbours: Double(ksum[b]) / nn)
    }
    let z = bands.map(\.z)
    let peaks = zPeaks(z)
    return IncrementalAutocorrelationResult(bands: bands, peaks: peaks,
                                            firstPeak: peaks.first { bands[$0].z > 0 && bands[$0].p < alpha },
                                            maxPeak: peaks.max { (z[$0], -$0) < (z[$1], -$1) }, alpha: alpha, n: n)
}

/// The interior local maxima of a series: z[b − 1] < z[b] > z[b + 1].
public func zPeaks(_ z: [Double]) -> [Int] {
    guard z.count >= 3 else { return [] }
    return (1..<(z.count - 1)).filter { z[$0] > z[$0 - 1] && z[$0] > z[$0 + 1] }
}

/// The pairs of locations within the largest of `distances`, row by row (compressed rows), each with the index of
/// the first band that holds it, and the number of neighbours of each location at each band.
struct BandPairs {
    var offsets: [Int], index: [Int32], band: [UInt8]
    /// cumulative[i * bands + b]: neighbours of i within distances[b].
    var cumulative: [Int]

    init(x: [Double], y: [Double], distances: [Double]) {
        let n = x.count, nb = distances.count
        let limits = distances.map { ($0 * (1 + 1e-9)) * ($0 * (1 + 1e-9)) }
        let grid = PointIndex(x: x, y: y, size: max(distances.max() ?? 1, 1e-9) * (1 + 1e-9))
        let parts = parallelMap(chunks: Parallel.chunks(n, minimum: 256)) { rows -> ([Int], [Int32], [UInt8], [Int]) in
            var off: [Int] = [], idx: [Int32] = [], bnd: [UInt8] = [], cum = [Int](repeating: 0, count: rows.count * nb)
            for i in rows {
                let (c, r) = grid.bucket(i)
                for rr in max(0, r - 1)...min(grid.nrows - 1, r + 1) {
                    for cc in max(0, c - 1)...min(grid.ncols - 1, c + 1) {
                        let bk = rr * grid.ncols + cc
                        for m in grid.members[grid.start[bk]..<grid.start[bk + 1]] where Int(m) != i {
                            let dx = x[Int(m)] - x[i], dy = y[Int(m)] - y[i], d2 = dx * dx + dy * dy
                            guard d2 <= limits[nb - 1] else { continue }
                            var b = 0
                            while d2 > limits[b] { b += 1 }
                            idx.append(m); bnd.append(UInt8(b))
                            cum[(i - rows.lowerBound) * nb + b] += 1
                        }
                    }
                }
                off.append(idx.count)
                for b in 1..<max(1, nb) { cum[(i - rows.lowerBound) * nb + b] += cum[(i - rows.lowerBound) * nb + b - 1] }
            }
            return (off, idx, bnd, cum)
        }
        var offsets = [0], index: [Int32] = [], band: [UInt8] = [], cumulative: [Int] = []
        for p in parts {
            let base = index.count
            offsets += p.0.map { $0 + base }; index += p.1; band += p.2; cumulative += p.3
        }
        self.offsets = offsets; self.index = index; self.band = band; self.cumulative = cumulative
    }

    /// The neighbourhood (self included) at band `b`, for Gi*.
    func neighbourhood(band b: Int) -> Neighbourhood {
        var off = [0], idx: [Int32] = []
        idx.reserveCapacity(index.count + offsets.count)
        for i in 0..<(offsets.count - 1) {
            var row: [Int32] = [Int32(i)]
            for t in offsets[i]..<offsets[i + 1] where Int(band[t]) <= b { row.append(index[t]) }
            idx += row.sorted(); off.append(idx.count)
        }
        return Neighbourhood(offsets: off, index: idx)
    }
}

/// Per band: Σ_i d_i · lag_i (row-standardised lag), S0, Σ_ij (w_ij + w_ji)² (S1 before halving), S2. Distance
/// bands are symmetric (j ∈ N(i) ⇔ i ∈ N(j)), so w_ji = 1/k(j) and the column sum of i is Σ_{j ∈ N(i)} 1/k(j).
func bandSums(_ p: BandPairs, d: [Double], invk: [Double], bands nb: Int) -> (num: [Double], s0: [Double], s1: [Double], s2: [Double]) {
    let n = d.count
    let parts = parallelMap(chunks: fixedChunks(n)) { rows -> [Double] in
        var acc = [Double](repeating: 0, count: 4 * nb)            // num, s0, s1, s2 per band
        var lag = [Double](repeating: 0, count: nb), col = lag, s1 = lag
        for i in rows {
            for b in 0..<nb { lag[b] = 0; col[b] = 0; s1[b] = 0 }
            for t in p.offsets[i]..<p.offsets[i + 1] {
                let j = Int(p.index[t]), dj = d[j]
                for b in Int(p.band[t])..<nb {
                    let wj = invk[j * nb + b], s = invk[i * nb + b] + wj
                    lag[b] += dj; col[b] += wj; s1[b] += s * s
                }
            }
            for b in 0..<nb {
                let wi = invk[i * nb + b], row = wi > 0 ? 1.0 : 0
                acc[b] += d[i] * lag[b] * wi
                acc[nb + b] += row
                acc[2 * nb + b] += s1[b]
                acc[3 * nb + b] += (row + col[b]) * (row + col[b])
            }
        }
        return acc
    }
    var tot = [Double](repeating: 0, count: 4 * nb)
    for part in parts { for k in 0..<(4 * nb) { tot[k] += part[k] } }
    return (Array(tot[0..<nb]), Array(tot[nb..<(2 * nb)]), Array(tot[(2 * nb)..<(3 * nb)]), Array(tot[(3 * nb)..<(4 * nb)]))
}

/// Rows in chunks of 1,024 whatever the number of cores, so that sums added chunk by chunk are the same bytes with
/// one thread or many (`HOTSPOT_THREADS`).
func fixedChunks(_ n: Int, size: Int = 1024) -> [Range<Int>] {
    stride(from: 0, to: max(n, 1), by: size).map { $0..<min(n, $0 + size) }
}

extension Neighbourhood {
    /// Locations within `distance` of each other (self included), ties within a relative 1e-9 included, as
    /// `incrementalAutocorrelation` counts them.
    public static func distanceBandTolerant(x: [Double], y: [Double], distance: Double) -> Neighbourhood {
        BandPairs(x: x, y: y, distances: [distance]).neighbourhood(band: 0)
    }
}

/// Distances between points and their neighbours, for choosing scales from the data (ArcGIS's Optimized Hot Spot
/// Analysis): nearest-neighbour distances, locational outliers, the mean distance to the k nearest.
public enum PointSpacing {
    /// Each point's distance in metres to its nearest other point at a different place (coincident points are one
    /// place: police.uk's points are snapped to shared map points). NaN when every point is at one place.
    public static func nearestDistinct(x: [Double], y: [Double]) -> [Double] {
        var place: [Int] = [], seen: [SIMD2<Double>: Int] = [:], ux: [Double] = [], uy: [Double] = []
        for i in x.indices {
            let key = SIMD2(x[i], y[i])
            if let k = seen[key] { place.append(k); continue }
            seen[key] = ux.count; place.append(ux.count); ux.append(x[i]); uy.append(y[i])
        }
        guard ux.count > 1 else { return [Double](repeating: .nan, count: x.count) }
        let index = PointIndex(x: ux, y: uy)
        let nearest = ux.indices.map { i -> Double in
            let j = index.nearest(i, k: 1)[0]
            let dx = ux[j] - ux[i], dy = uy[j] - uy[i]
            return (dx * dx + dy * dy).squareRoot()
        }
        return place.map { nearest[$0] }
    }

    /// Locational outliers: points whose nearest-neighbour distance exceeds the mean of those distances by more than
    /// `sd` standard deviations (population SD).
    public static func outliers(nearest d: [Double], sd k: Double = 3) -> [Bool] {
        let f = d.filter(\.isFinite)
        guard f.count > 1 else { return d.map { _ in false } }
        let m = f.reduce(0, +) / Double(f.count)
        let s = (f.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(f.count)).squareRoot()
        return d.map { $0.isFinite && $0 > m + k * s }
    }

    /// The mean over the points of the distance to their k-th nearest other point (metres): the radius within which a
    /// point has, on average, k neighbours.
    public static func meanKthNearest(x: [Double], y: [Double], k: Int) -> Double {
        let kk = min(k, x.count - 1)
        guard kk >= 1 else { return .nan }
        let index = PointIndex(x: x, y: y)
        let parts = parallelMap(chunks: fixedChunks(x.count)) { rows -> Double in
            rows.reduce(0.0) { s, i in
                let j = index.nearest(i, k: kk)[kk - 1]
                let dx = x[j] - x[i], dy = y[j] - y[i]
                return s + (dx * dx + dy * dy).squareRoot()
            }
        }
        return parts.reduce(0, +) / Double(x.count)
    }
}
