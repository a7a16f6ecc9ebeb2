import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// What `hotspot inspect` prints.
public struct InspectReport {
    public let incidents: LoadedIncidents
    /// The extent in EPSG:27700.
    public let extent: Extent?
    /// Points projected to find the extent, when not every point was.
    public let projectedForExtent: Int?
    public init(_ inc: LoadedIncidents) { incidents = inc; extent = inc.table.extent; projectedForExtent = nil }
    public init(_ i: Pipeline.Inspected) { incidents = i.incidents; extent = i.extent; projectedForExtent = i.projectedForExtent }

    var months: [(String, Int)] {
        var d: [Int: Int] = [:]
        for day in incidents.table.day { d[CivilDate.monthOrdinal(ofDay: Int(day)), default: 0] += 1 }
        return d.keys.sorted().map { (CivilDate.monthLabel($0), d[$0]!) }
    }
    var types: [(String, Int)] {
        var c = [Int](repeating: 0, count: incidents.table.categories.count)
        for k in incidents.table.category { c[Int(k)] += 1 }
        return zip(incidents.table.categories, c).sorted { ($1.1, $0.0) < ($0.1, $1.0) }
    }

    public var text: String {
        let inc = incidents
        var s = "files: \(inc.files.count)\n"
        for f in inc.files {
            s += "  \(f.path) [\(f.format)] \(f.read) rows, \(f.accepted) accepted, \(f.quarantinedTotal) quarantined, \(Fmt.counted(f.duplicates, "duplicate row"))\(f.duplicatesDropped ? " (dropped)" : " (kept)")\n"
        }
        s += "rows read: \(inc.read)\naccepted: \(inc.accepted)\nquarantined: \(inc.quarantine.count)\n"
        if inc.notSelected > 0 { s += "selected: \(inc.table.count) (\(inc.notSelected) left out by --type/--from/--to)\n" }
        for (r, n) in inc.quarantinedByReason.sorted(by: { $0.key < $1.key }) { s += "  \(r): \(n)\n" }
        s += "months:\n"
        for (m, n) in months { s += "  \(m): \(n)\n" }
        s += "crime types:\n"
        for (t, n) in types { s += "  \(t): \(n)\n" }
        if let e = extent {
            s += "extent (EPSG:27700): E \(Fmt.fixed(e.minX, 1))…\(Fmt.fixed(e.maxX, 1)), N \(Fmt.fixed(e.minY, 1))…\(Fmt.fixed(e.maxY, 1))\n"
        }
        if let p = inc.projection {
            let accuracy = "accuracy \(p.accuracyMetres < 0 ? "unknown" : "\(p.accuracyMetres) m")"
            if let k = projectedForExtent {
                s += "projection: \(p.operation) (\(accuracy)); the extent from the \(k) of \(p.points) points that can bound it\n"
            } else {
                s += "projection: \(p.operation) (\(accuracy)), \(p.distinctPoints) distinct points\n"
            }
        }
        return s
    }

    public var json: String {
        let inc = incidents
        var s = "{\"read\":\(inc.read),\"accepted\":\(inc.accepted),\"quarantined\":\(inc.quarantine.count),\"not_selected\":\(inc.notSelected),"
        s += "\"quarantined_by_reason\":{" + inc.quarantinedByReason.sorted { $0.key < $1.key }.map { "\(Fmt.jsonString($0.key)):\($0.value)" }.joined(separator: ",") + "},"
        s += "\"months\":{" + months.map { "\(Fmt.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "},"
        s += "\"crime_types\":{" + types.map { "\(Fmt.jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        if let e = extent {
            s += ",\"extent_27700\":[\(Fmt.fixed(e.minX, 1)),\(Fmt.fixed(e.minY, 1)),\(Fmt.fixed(e.maxX, 1)),\(Fmt.fixed(e.maxY, 1))]"
        }
        return s + "}"
    }
}
