/// How a density surface is cut into "hot" cells.
public enum HotspotThreshold: Sendable, Codable, Equatable {
    /// The top P % of cells by density (P in 0…100), NoData cells excluded.
    case topCells(percent: Double)
    /// The smallest set of densest cells holding at least P % of the incidents counted in cells.
    case incidentShare(percent: Double)
    /// Cells with density ≥ a value (in the surface's unit).
    case absolute(Double)
    /// Cells at or above the q-th percentile (0…100) of the non-zero densities.
    case percentile(Double)

    public var description: String {
        switch self {
        case .topCells(let p): return "top \(p)% of cells"
        case .incidentShare(let p): return "smallest area holding \(p)% of incidents"
        case .absolute(let v): return "density ≥ \(v)"
        case .percentile(let q): return "density ≥ \(q)th percentile of non-zero cells"
        }
    }

    /// Parses `top:5`, `share:50`, `abs:12.5`, `pct:99`.
    public init?(parsing s: String) {
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let v = Double(parts[1]), v.isFinite else { return nil }
        switch parts[0] {
        case "top": guard v > 0, v <= 100 else { return nil }; self = .topCells(percent: v)
        case "share": guard v > 0, v <= 100 else { return nil }; self = .incidentShare(percent: v)
        case "abs": guard v >= 0 else { return nil }; self = .absolute(v)
        case "pct": guard v >= 0, v < 100 else { return nil }; self = .percentile(v)
        default: return nil
        }
    }
}

/// The cells selected by a threshold, and the density level that the selection amounts to.
public struct HotCells: Sendable {
    public var cells: [Int]
    /// The lowest density among the selected cells (the isoline level for smoothing).
    public var level: Double
    public var threshold: HotspotThreshold
}

/// Selects hot cells. `counts` (incidents per cell) is needed for `.incidentShare`. Ties at the cut are all kept.
public func selectHotCells(_ s: DensitySurface, threshold: HotspotThreshold, counts: [Int32] = []) -> HotCells {
    selectHotCells(values: s.values, threshold: threshold, counts: counts)
}

/// Selects hot cells among any cell values (square or hexagonal grids); NaN = NoData.
public func selectHotCells(values: [Double], threshold: HotspotThreshold, counts: [Int32] = []) -> HotCells {
    struct S { var values: [Double] }
    let s = S(values: values)
    let valid = (0..<s.values.count).filter { !s.values[$0].isNaN }
    var level: Double
    switch threshold {
    case .absolute(let v): level = v
    case .topCells(let p):
        // The k-th highest value (ties do not change the level, so the values alone are sorted).
        let desc = valid.map { s.values[$0] }.sorted(by: >)
        let k = max(1, Int((Double(desc.count) * p / 100).rounded(.up)))
        level = desc.isEmpty ? .infinity : desc[min(k, desc.count) - 1]
    case .percentile(let q):
        let nz = valid.map { s.values[$0] }.filter { $0 > 0 }.sorted()
        if nz.isEmpty { level = .infinity } else {
            let pos = Double(nz.count - 1) * q / 100
            let lo = Int(pos.rounded(.down)), hi = min(nz.count - 1, lo + 1)
            level = nz[lo] + (pos - Double(lo)) * (nz[hi] - nz[lo])
        }
    case .incidentShare(let p):
        let total = valid.reduce(0) { $0 + Int(counts.isEmpty ? 0 : counts[$1]) }
        let need = Double(total) * p / 100
        var acc = 0.0
        level = .infinity
        for k in valid.sorted(by: { (s.values[$0], $1) > (s.values[$1], $0) }) {  // densest first, then by index
            acc += Double(counts[k]); level = s.values[k]
            if acc >= need { break }
        }
    }
    let cells = valid.filter { s.values[$0] >= level && s.values[$0] > 0 }
    return HotCells(cells: cells, level: level, threshold: threshold)
}

/// Prediction Accuracy Index (Chainey, Tompson & Uhlig 2008): PAI = (n / N) / (a / A) — the share of incidents
/// captured divided by the share of the study area used.
public func predictionAccuracyIndex(captured n: Double, total N: Double, area a: Double, studyArea A: Double) -> Double {
    guard N > 0, a > 0, A > 0 else { return .nan }
    return (n / N) / (a / A)
}

/// `selectHotCells` on a sparse surface: `values` are the cells with a density above 0 (ascending cell index),
/// `counts` their incidents, and the grid has `cellCount` cells holding `totalCount` incidents in all; the other
/// cells are 0. The level and the cells chosen (positions in `values`) are those of the dense selection.
public func selectHotCellsSparse(values: [Double], counts: [Int32], cellCount: Int, totalCount: Int, threshold: HotspotThreshold) -> HotCells {
    let zeros = cellCount > values.count
    var level: Double
    switch threshold {
    case .absolute(let v): level = v
    case .topCells(let p):
        let desc = values.sorted(by: >)
        let k = max(1, Int((Double(cellCount) * p / 100).rounded(.up)))
        level = k <= desc.count ? desc[k - 1] : (zeros ? 0 : desc.last ?? .infinity)
    case .percentile:
        level = selectHotCells(values: values, threshold: threshold).level
    case .incidentShare(let p):
        let need = Double(totalCount) * p / 100
        var acc = 0.0, reached = false
        level = .infinity
        for k in values.indices.sorted(by: { (values[$0], $1) > (values[$1], $0) }) {
            acc += Double(counts[k]); level = values[k]
            if acc >= need { reached = true; break }
        }
        if !reached && zeros { level = 0 }
    }
    let cells = values.indices.filter { values[$0] >= level && values[$0] > 0 }
    return HotCells(cells: cells, level: level, threshold: threshold)
}
