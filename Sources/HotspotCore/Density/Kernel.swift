import RealModule

/// Two-dimensional radially symmetric kernels with compact support d < h (the bandwidth, metres).
///
/// Each is K_h(d) = c / (π h²) · k(d/h) for u = d/h < 1, with the constant chosen so that ∬ K_h = 1 over the plane
/// (shown by integrating in polar coordinates, ∫₀¹ k(u) 2πu du · c/π = 1, and checked numerically in the tests):
///
/// | kernel | k(u) | c | note |
/// |---|---|---|---|
/// | quartic (biweight) | (1 − u²)² | 3 | ArcGIS Kernel Density; Silverman (1986) eq. 4.5 |
/// | epanechnikov | 1 − u² | 2 | |
/// | triangular | 1 − u | 3 | |
/// | uniform | 1 | 1 | |
/// | gaussian | exp(−u²·9/2) | 9 / (2(1 − e^{−9/2})) | σ = h/3, truncated at d = h (3σ) and renormalised |
public enum Kernel: String, Sendable, Codable, CaseIterable {
    case quartic, epanechnikov, triangular, uniform, gaussian

    /// The constant c in c / (π h²) · k(u).
    public var constant: Double {
        switch self {
        case .quartic: return 3
        case .epanechnikov: return 2
        case .triangular: return 3
        case .uniform: return 1
        case .gaussian: return 9 / (2 * (1 - Double.exp(-4.5)))
        }
    }

    /// Profile k(u) for u² = (d/h)² < 1 (zero beyond).
    @inlinable public func profile(u2: Double) -> Double {
        guard u2 < 1 else { return 0 }
        switch self {
        case .quartic: let t = 1 - u2; return t * t
        case .epanechnikov: return 1 - u2
        case .triangular: return 1 - u2.squareRoot()
        case .uniform: return 1
        case .gaussian: return Double.exp(-4.5 * u2)
        }
    }

    /// K_h(d), per square metre.
    public func value(distance d: Double, bandwidth h: Double) -> Double {
        constant / (Double.pi * h * h) * profile(u2: (d * d) / (h * h))
    }

    /// Largest |dK/dd| over d (per m² per metre): the Lipschitz constant used in the binned mode's error bound.
    public func lipschitz(bandwidth h: Double) -> Double {
        let scale = constant / (Double.pi * h * h * h)
        switch self {
        case .quartic: return scale * 8 / (3 * Double.sqrt(3))  // max of 4u(1 − u²) at u = 1/√3
        case .epanechnikov: return scale * 2                     // 2u at u → 1
        case .triangular: return scale * 1
        case .uniform: return .infinity                          // a step: no Lipschitz bound
        case .gaussian: return scale * 9 * Double.exp(-1.5) / 3  // 9u·e^{−4.5u²} at u = 1/3
        }
    }
}
