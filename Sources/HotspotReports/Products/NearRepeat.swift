import Foundation
import HotspotCore
import HotspotIO

extension Project {
    /// The Knox near-repeat test's bands and permutations (`hotspot nearrepeat`, `nearrepeat:`).
    public struct NearRepeatRequest: Sendable {
        public var bands = KnoxBands(distance: 100, spatialBands: 5, days: 7, temporalBands: 4)
        public var permutations = 999, seed = Limits.defaultSeed
        /// Significance level of a near-repeat band (pseudo p ≤ alpha and Knox ratio > 1).
        public var alpha = 0.05
        public init() {}
    }
}

/// `nearrepeat:` — the Knox near-repeat test on dated incidents (`hotspot nearrepeat`).
extension NearRepeatJob: Product {
    public typealias Request = Project.NearRepeatRequest
    public static let name = "nearrepeat"
    public static let keys = ["distance", "distance_bands", "days", "time_bands", "permutations", "seed"]
    /// Ranges of the band options.
    public static let bandRange: ClosedRange<Int> = 1...20, daysRange: ClosedRange<Int> = 1...365
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        r.bands.distance = try s["distance"]?.double(Limits.distance) ?? r.bands.distance
        r.bands.spatialBands = try s["distance_bands"]?.int(bandRange) ?? r.bands.spatialBands
        r.bands.days = try s["days"]?.int(daysRange) ?? r.bands.days
        r.bands.temporalBands = try s["time_bands"]?.int(bandRange) ?? r.bands.temporalBands
        r.permutations = try s["permutations"]?.int(Limits.permutations) ?? r.permutations
        r.seed = UInt64(try s["seed"]?.int(0...Int.max) ?? Int(Limits.defaultSeed))
        return r
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "nearrepeat: " + summary(r.knox), warnings: r.warnings)
    }

    /// "419 of 1713 incidents (24.5%) in near-repeat pairs; near-repeat bands (p ≤ 0.05, ratio > 1): 2 of 24" (the
    /// line the command prints).
    public static func summary(_ k: KnoxResult) -> String {
        let inside = NearRepeatJob.bandsTested(k)
        return "\(k.nearRepeatIncidents) of \(k.n) incidents (\(Fmt.fixed(k.nearRepeatShare * 100, 1))%) in near-repeat pairs; near-repeat bands (p ≤ \(Fmt.number(k.alpha)), ratio > 1): \(k.significant.count { $0 }) of \(inside)"
    }
}

extension Project.Products {
    public var nearrepeat: Project.NearRepeatRequest? { get { self[NearRepeatJob.self] } set { self[NearRepeatJob.self] = newValue } }
}
