import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

extension Project {
    /// A Public Spaces Protection Order evidence pack (Anti-social Behaviour, Crime and Policing Act 2014, s.59):
    /// the proposed restricted area and what the incidents of the request (`files`, with `read.selection` giving
    /// the crime types the restrictions address and the analysis period) show inside it, around it and over time.
    public struct PspoRequest: Sendable {
        /// The proposed restricted area: a polygon file (GeoJSON in WGS84 or with a crs, or a GeoPackage; several
        /// polygons allowed, taken together). Nil with `fromHotspots`.
        public var area: LayerSpec?
        /// The area's name as printed ("Catford town centre"); default: the file's feature name.
        public var name: String?
        /// Propose the area from these hotspot polygons instead (hotspots.geojson/.gpkg of `hotspot kde`):
        /// dissolved, buffered by `buffer` metres, simplified within `simplify` metres, and marked as a proposal.
        public var fromHotspots: String?
        public var buffer = 50.0, simplify = 10.0
        /// Outer distances of the displacement rings around the area, metres (0–250 m, 250–500 m).
        public var rings: [Double] = [250, 500]
        /// The months of the year-on-year window (March–September, as the borough's own reporting).
        public var windowFirstMonth = 3, windowLastMonth = 9
        /// A date (day ordinal) splitting before from after (e.g. an order made, or a pilot's start).
        public var change: Int?
        /// Enforcement records (CSV: date, restriction, outcome, then one column per protected characteristic).
        public var enforcement: String?
        /// police.uk stop-and-search files as the enforcement section instead (`--stops`, or the project's
        /// `stops: {files}`): the searches inside the area (`PspoEnforcement.fromStops`).
        public var stops: [String] = []
        /// Enforcement and equality tables show counts of 1…K−1 as "<K" (and withhold a second cell where one could be
        /// recovered from a total); 0 shows every count. Default 3.
        public var suppressBelow = 3
        /// Residents by ethnic group per ward or LSOA (a census table such as 2011 KS201, e.g.
        /// `lbl_ethnicity_wd22.csv`): the baseline beside each group's share of enforcement.
        public var residents: String?
        /// A label per incident file (its path as given) for the source tables; default: from the file's format.
        public var sources: [String: String] = [:]
        /// Cell of the emerging hot spot grid and of the density surface around the area, metres.
        public var emergingCell = 100.0, kdeCell = 50.0
        /// The crime types the restrictions address, when they differ from the request's `--type` selection
        /// (a project file whose other products use every type).
        public var types: [String]?
        public var pdf = true
        /// The pack's date (YYYY-MM-DD); default: the last day the incidents cover.
        public var asOf: String?
        public init() {}
    }
}
