import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// How neighbours are defined for Gi*.
public enum NeighbourRule: Sendable, Equatable {
    /// Cells (or polygon centroids) within this many metres; on a grid the default is cell × √2 (queen).
    case distance(Double)
    case queen, rook
    case knn(Int)

    /// Parses `queen`, `rook`, `knn:8`, `distance:250`.
    public init?(parsing s: String) {
        let p = s.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let first = p.first else { return nil }
        switch first {
        case "queen" where p.count == 1: self = .queen
        case "rook" where p.count == 1: self = .rook
        case "knn" where p.count == 2: guard let k = Int(p[1]), (1...1000).contains(k) else { return nil }; self = .knn(k)
        case "distance" where p.count == 2: guard let d = Double(p[1]), d >= 1, d <= 100_000 else { return nil }; self = .distance(d)
        default: return nil
        }
    }
    /// The neighbourhood of a polygon layer's areas (self included): contiguity by GEOS relate, or by centroid
    /// distance / k nearest centroids.
    public func neighbourhood(of areas: [Area]) throws -> Neighbourhood {
        switch self {
        case .queen: return try Contiguity.neighbourhood(areas, rule: .queen)
        case .rook: return try Contiguity.neighbourhood(areas, rule: .rook)
        case .knn(let k):
            let (x, y) = try Contiguity.centroids(areas)
            return Neighbourhood.kNearest(x: x, y: y, k: k)
        case .distance(let d):
            let (x, y) = try Contiguity.centroids(areas)
            return Neighbourhood.distanceBand(x: x, y: y, distance: d)
        }
    }

    public var description: String {
        switch self {
        case .distance(let d): return "distance ≤ \(Fmt.number(d)) m"
        case .queen: return "queen contiguity"
        case .rook: return "rook contiguity"
        case .knn(let k): return "\(k) nearest"
        }
    }
}
