import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The main job on the embedded demo data: its project file (`Geodata/demo/project.yaml`: ward and LSOA counts with
/// rates, grid counts, KDE with hotspots, Gi* on LSOAs, emerging hot spots, a year-on-year comparison with profiles,
/// and their maps), written to `out`.
public enum DemoJob {
    public static func run(dataDirectory d: String, out: String, database: Project.Database? = nil, command: String, log: (String) -> Void) throws -> [String] {
        var p = try Project.load((d as NSString).appendingPathComponent("project.yaml"))
        p.out = out
        p.database = database
        let (inc, names, warnings) = try ProjectJob.run(p, command: command, log: log)
        log("read \(inc.read), accepted \(inc.accepted), quarantined \(inc.quarantine.count)")
        for w in warnings { log("warning: \(w)") }
        return Project.Products.written(names)
    }
}
