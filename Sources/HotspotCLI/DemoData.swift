import Foundation
import HotspotIO
import HotspotCartography

/// Where the demo data (Geodata/demo: synthetic incidents, boundary, wards, LSOAs, populations, context layers) are
/// found, so that `hotspot demo` and `hotspot init` work from any folder: `--data` as given; else
/// `$HOTSPOT_DEMO_DATA`; else `Geodata/demo` under the current folder (a checkout); else `share/hotspot/demo` beside
/// the executable's folder (an installed or unpacked package: `BIN/../share/hotspot/demo`); else the source tree the
/// executable was built from.
enum DemoData {
    static func candidates() -> [String] {
        var c: [String] = []
        if let e = ProcessInfo.processInfo.environment["HOTSPOT_DEMO_DATA"], !e.isEmpty { c.append(e) }
        c.append("Geodata/demo")
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let bin = URL(fileURLWithPath: exe).deletingLastPathComponent()
            c.append(bin.deletingLastPathComponent().appendingPathComponent("share/hotspot/demo").path)
        }
        // Sources/HotspotCLI/DemoData.swift → the checkout's Geodata/demo.
        c.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Geodata/demo").path)
        return c
    }

    /// The demo data folder: `given` when set, else the first candidate holding the demo incidents.
    static func locate(_ given: String?) throws -> String {
        if let g = given { return g }
        let all = candidates()
        guard let found = all.first(where: { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("incidents.csv")) }) else {
            throw InputError.missingFile("demo data (looked in \(all.joined(separator: ", ")); give --data FOLDER, Geodata/demo of a checkout, or set HOTSPOT_DEMO_DATA)")
        }
        return found
    }

    /// `folder` as a project file at `file` should name it: relative to the project file's folder when `folder` was
    /// given relative to the current one and the project file is in the current folder, else absolute.
    static func asSeenFrom(file: String, _ folder: String) -> String {
        if folder.hasPrefix("/") { return folder }
        let fileDir = (file as NSString).deletingLastPathComponent
        if fileDir.isEmpty || fileDir == "." { return folder }
        return URL(fileURLWithPath: folder).standardizedFileURL.path
    }
}
