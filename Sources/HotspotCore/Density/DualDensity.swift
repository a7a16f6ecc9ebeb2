import RealModule

/// Combinations of two density surfaces on the same grid and bandwidth (dual KDE): e.g. crime vs population, or this
/// period vs the last.
public enum DualOperation: String, Sendable, Codable, CaseIterable {
    /// a / max(b, floor)
    case ratio
    /// ln(max(a, floor) / max(b, floor))
    case logRatio = "log-ratio"
    /// a − b
    case difference
}

/// Combines two surfaces cell by cell. `floor` (same unit as the surfaces) keeps tiny denominators from exploding;
/// NoData in either gives NoData.
public func dualDensity(_ a: DensitySurface, _ b: DensitySurface, operation: DualOperation, floor: Double) -> [Double] {
    precondition(a.grid == b.grid, "dual KDE needs both surfaces on the same grid")
    return zip(a.values, b.values).map { va, vb in
        if va.isNaN || vb.isNaN { return .nan }
        switch operation {
        case .ratio: return va / max(vb, floor)
        case .logRatio: return Double.log(max(va, floor) / max(vb, floor))
        case .difference: return va - vb
        }
    }
}
