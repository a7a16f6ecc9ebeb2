import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

extension Project {
    /// `hotspot stops` / `stops:`: small-count suppression and residents by ethnic group per layer.
    public struct StopsRequest: Sendable {
        /// Counts of 1 … K−1 in the disproportionality table are shown as "<K" (0 or 1: none suppressed).
        public var suppressBelow = 3
        /// Layer name → CSV of residents by group (`GroupPopulationReader`).
        public var populationByGroup: [String: String] = [:]
        /// Every find rate and ratio also per search type, and type-test.csv (`--by-type`).
        public var byType = false
        /// `LAYER:NAME` → CSV of residents per area (id first, the last numeric column the total): a measure whose
        /// residents by group are these totals × the group shares of the layer's first by-group table
        /// (`--population-totals`; `StopsMeasures`).
        public var populationTotals: [String: String] = [:]
        /// Grid cell size in metres for counts per cell (`--cell`; nil: no grid).
        public var cell: Double?
        /// Stop-and-search files given apart from the project's incidents (`stops: {files: [...]}` in a project
        /// file). Empty: the project's input files are the searches (as on `hotspot stops FILES`). When set, the
        /// project's incidents are street crime: `stops` compares searches with them, `weekly` adds a `stops` layer
        /// and `pspo` uses them as the pack's enforcement section.
        public var files: [String] = []
        /// stops-map (`--map`, `stops: {map: true}` with the project's `map:` options): searches over crime density.
        public var map: MapOptions?
        /// Formats of the one-page summary (`--pages`; empty: none), one page per `periods` entry (none: the analysed
        /// window), titled with `place` (default: the boundary file's name).
        public var pages: [MapRaster.Format] = [.svg, .pdf]
        public var periods: [Period] = []
        public var place: String?
        public init(suppressBelow: Int = 3, populationByGroup: [String: String] = [:], byType: Bool = false) {
            self.suppressBelow = suppressBelow; self.populationByGroup = populationByGroup; self.byType = byType
        }
    }
}

/// `stops:` — stop and search by area, find rates and disproportionality (`hotspot stops`).
extension StopsJob: Product {
    public typealias Request = Project.StopsRequest
    public static let name = "stops"
    public static let keys = ["suppress_below", "population_by_group", "by_type", "cell", "files", "map", "pages", "periods", "place", "population_totals"]
    public static let suppressRange: ClosedRange<Int> = 0...100
    public static func decode(_ s: [String: Project.Field], at field: Project.Field, for p: Project) throws -> Request {
        var r = Request()
        r.suppressBelow = try s["suppress_below"]?.int(suppressRange) ?? 3
        r.byType = try s["by_type"]?.bool() ?? false
        r.cell = try s["cell"]?.double(Limits.cellSize)
        if let f = s["files"] { r.files = try f.strings().flatMap { try f.glob($0) } }
        if try s["map"]?.bool() ?? false { r.map = p.map }
        try decodePages(s, into: &r)
        if let f = s["population_by_group"] {
            for (name, v) in try f.orderedMapping() { r.populationByGroup[name] = try v.path() }
        }
        if let f = s["population_totals"] {
            for (name, v) in try f.orderedMapping() { r.populationTotals[name] = try v.path() }
        }
        return r
    }
    public static func make(_ p: Project, command: String, inputs: JobInputs) throws -> ProductOutcome {
        let r = try run(p, command: command, inputs: inputs)
        return ProductOutcome(summary: "stops: \(r.inScope) searches, \(r.noLocation) without a location", warnings: r.warnings)
    }
}

extension Project.Products {
    public var stops: Project.StopsRequest? { get { self[StopsJob.self] } set { self[StopsJob.self] = newValue } }
}
