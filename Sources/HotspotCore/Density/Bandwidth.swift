import RealModule

/// Bandwidth (search radius) rules. All results in metres.
public enum BandwidthRule: String, Sendable, Codable, CaseIterable {
    /// ArcGIS Pro Kernel Density default, "a spatial variant of Silverman's rule of thumb":
    /// h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^−0.2, SD the standard distance, Dm the median distance to the mean centre.
    case arcgis
    /// Normal reference (Venables & Ripley, MASS `bandwidth.nrd`) on each axis, averaged:
    /// h_x = 4 · 1.06 · min(s_x, IQR_x / 1.34) · n^−1/5. sfhotspot's code uses x only; we use both axes, as documented.
    case nrd
}

/// Bandwidth computations (unweighted: every incident counts once).
public enum Bandwidth {
    /// Mean centre, standard distance SD = √(Σ((x−x̄)² + (y−ȳ)²)/n) and median distance Dm to the mean centre.
    public static func centrography(x: [Double], y: [Double]) -> (mx: Double, my: Double, sd: Double, dm: Double) {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var ss = 0.0
        var d = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let dx = x[i] - mx, dy = y[i] - my
            ss += dx * dx + dy * dy
            d[i] = (dx * dx + dy * dy).squareRoot()
        }
        return (mx, my, (ss / n).squareRoot(), median(&d))
    }

    /// ArcGIS default radius (see `BandwidthRule.arcgis`).
    public static func arcgis(x: [Double], y: [Double]) -> Double {
        let c = centrography(x: x, y: y)
        let n = Double(x.count)
        return 0.9 * min(c.sd, (1 / Double.log(2)).squareRoot() * c.dm) * Double.pow(n, -0.2)
    }

    /// MASS `bandwidth.nrd` for one axis (sample SD with n − 1; quartiles by R's type 7).
    public static func nrd(_ v: [Double]) -> Double {
        let n = Double(v.count)
        let mean = v.reduce(0, +) / n
        let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let s = v.sorted()
        let iqr = quantile7(s, 0.75) - quantile7(s, 0.25)
        return 4 * 1.06 * min(sd, iqr / 1.34) * Double.pow(n, -0.2)
    }

    public static func compute(_ rule: BandwidthRule, x: [Double], y: [Double]) -> Double {
        switch rule {
        case .arcgis: return arcgis(x: x, y: y)
        case .nrd: return (nrd(x) + nrd(y)) / 2
        }
    }

    /// R's default quantile (type 7) of sorted values.
    static func quantile7(_ s: [Double], _ p: Double) -> Double {
        let h = Double(s.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(s.count - 1, lo + 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }

    static func median(_ v: inout [Double]) -> Double {
        v.sort()
        let n = v.count
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
    }
}
