/// How p-values are adjusted for the number of locations tested (multiple comparisons). The adjusted p-values
/// equal statsmodels' `multipletests(p, method=…)[1]`: `none` (raw p), `bh` (`fdr_bh`), `by` (`fdr_by`), `holm`,
/// `bonferroni`. A location is significant at level α when its adjusted p ≤ α (raw p < α with `none`).
public enum PAdjustment: String, Sendable, Codable, CaseIterable {
    /// Raw p, no adjustment.
    case none
    /// Benjamini–Hochberg (1995) false-discovery rate: p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j).
    case bh
    /// Benjamini–Yekutieli (2001) false-discovery rate under any dependence: BH × c(m), c(m) = Σ_{k=1}^{m} 1/k.
    case by
    /// Holm (1979) step-down family-wise error: p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)).
    case holm
    /// Bonferroni family-wise error: p̃_i = min(1, m·p_i).
    case bonferroni

    /// "none, bh, by, holm, bonferroni", for messages.
    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// A short description for maps and metadata, e.g. "Benjamini–Hochberg FDR".
    public var title: String {
        switch self {
        case .none: return "raw p (no FDR)"
        case .bh: return "Benjamini–Hochberg FDR"
        case .by: return "Benjamini–Yekutieli FDR"
        case .holm: return "Holm"
        case .bonferroni: return "Bonferroni"
        }
    }

    /// What a map title adds: " (FDR)" for bh (as before), " (BY FDR)", " (Holm)", " (Bonferroni)", nothing for none.
    public var shortLabel: String {
        switch self {
        case .none: return ""
        case .bh: return " (FDR)"
        case .by: return " (BY FDR)"
        case .holm: return " (Holm)"
        case .bonferroni: return " (Bonferroni)"
        }
    }

    /// The significance rule as written in messages: "p < 0.05" (none), "adjusted p ≤ 0.05 (FDR)".
    public func criterion(_ alpha: Double) -> String {
        let a = "\(alpha)"
        return self == .none ? "p < \(a)" : "adjusted p ≤ \(a)\(shortLabel)"
    }

    /// Adjusts `p` over its m finite values (NaN stays NaN); ties get the same adjusted value whatever their order.
    public func adjust(_ p: [Double]) -> [Double] {
        switch self {
        case .none: return p
        case .bh: return benjaminiHochberg(p)
        case .by:
            let m = p.filter(\.isFinite).count
            var c = 0.0
            for k in stride(from: m, through: 1, by: -1) { c += 1 / Double(k) }
            return stepUp(p, factor: c)
        case .bonferroni:
            let m = Double(p.filter(\.isFinite).count)
            return p.map { $0.isFinite ? min(1, $0 * m) : $0 }
        case .holm:
            let order = Self.sorted(p)
            var out = [Double](repeating: .nan, count: p.count)
            let m = Double(order.count)
            var running = 0.0
            for (r, pair) in order.enumerated() {
                running = max(running, pair.0 * (m - Double(r)))
                out[Int(pair.1)] = min(1, running)
            }
            return out
        }
    }

    /// Whether an adjusted (or, with `none`, raw) p-value is significant at `alpha`.
    public func significant(_ p: Double, alpha: Double) -> Bool {
        guard p.isFinite else { return false }
        return self == .none ? p < alpha : p <= alpha
    }

    /// The finite p-values with their index, ascending (stable for ties).
    static func sorted(_ p: [Double]) -> [(Double, Int32)] {
        var pairs: [(Double, Int32)] = []
        pairs.reserveCapacity(p.count)
        for (i, v) in p.enumerated() where v.isFinite { pairs.append((v, Int32(i))) }
        pairs.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return pairs
    }

    /// The BH step-up with m·p/j multiplied by `factor` (BY's c(m)), as statsmodels computes it: p / (j/m/c).
    func stepUp(_ p: [Double], factor: Double) -> [Double] {
        let pairs = Self.sorted(p)
        var out = [Double](repeating: .nan, count: p.count)
        let m = Double(pairs.count)
        var running = Double.infinity
        for r in stride(from: pairs.count - 1, through: 0, by: -1) {
            running = min(running, pairs[r].0 / (Double(r + 1) / m / factor))
            out[Int(pairs[r].1)] = min(1, running)
        }
        return out
    }
}

extension PAdjustment {
    /// Adjusts `p` together with `groups` of tests not stored one by one (a p-value shared by `count` tests, e.g. a
    /// sparse grid's empty cells): the adjusted values equal `adjust` on the full list with each group's p repeated
    /// `count` times, the same expressions evaluated at the same ranks (tied p-values share one adjusted value, so
    /// a group takes the value of its last rank for step-up methods and of its first for Holm).
    public func adjust(_ p: [Double], groups: [(p: Double, count: Int)]) -> (adjusted: [Double], groups: [Double]) {
        // Entries: (p, multiplicity, slot); slot ≥ 0 is a position in `p`, slot < 0 the group −slot − 1.
        var entries: [(Double, Int, Int)] = []
        entries.reserveCapacity(p.count + groups.count)
        for (i, v) in p.enumerated() where v.isFinite { entries.append((v, 1, i)) }
        for (g, e) in groups.enumerated() where e.p.isFinite && e.count > 0 { entries.append((e.p, e.count, -g - 1)) }
        entries.sort { ($0.0, $0.2) < ($1.0, $1.2) }
        let total = entries.reduce(0) { $0 + $1.1 }
        let m = Double(total)
        var out = p.map { $0.isFinite ? Double.nan : $0 }
        var outGroups = groups.map { $0.p.isFinite ? Double.nan : $0.p }
        func put(_ slot: Int, _ v: Double) { if slot >= 0 { out[slot] = v } else { outGroups[-slot - 1] = v } }
        switch self {
        case .none:
            return (p, groups.map(\.p))
        case .bonferroni:
            for e in entries { put(e.2, min(1, e.0 * m)) }
        case .bh, .by:
            var c = 1.0
            if self == .by { c = 0; for k in stride(from: total, through: 1, by: -1) { c += 1 / Double(k) } }
            var running = self == .bh ? 1.0 : Double.infinity
            var end = total   // 1-based rank of the entry's last test
            for e in entries.reversed() {
                running = self == .bh ? min(running, e.0 * m / Double(end)) : min(running, e.0 / (Double(end) / m / c))
                put(e.2, min(1, running))
                end -= e.1
            }
        case .holm:
            var running = 0.0, start = 0   // 0-based rank of the entry's first test
            for e in entries {
                running = max(running, e.0 * (m - Double(start)))
                put(e.2, min(1, running))
                start += e.1
            }
        }
        return (out, outGroups)
    }
}
