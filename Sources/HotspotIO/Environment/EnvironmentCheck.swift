import Foundation
import HotspotGeo


/// The environment variables hotspot reads, checked as options are before any command runs: a value that cannot be
/// used is refused (exit 64) with what to give, never ignored or trapped on (issue 21).
public enum EnvironmentCheck {
    /// The first problem with `env`, as a one-line message, or nil when every variable set is usable.
    public static func problem(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let s = env["HOTSPOT_STORE_MAX_GB"], IncidentStore.capacityGB(s) == nil {
            return "HOTSPOT_STORE_MAX_GB=\(s): give the incident store's limit in GB, a number from 0.001 to 1000000 (e.g. 8), or unset it"
        }
        if let s = env["HOTSPOT_THREADS"], Int(s.trimmingCharacters(in: .whitespaces)).map({ (1...4096).contains($0) }) != true {
            return "HOTSPOT_THREADS=\(s): give a whole number of worker threads from 1 to 4096 (e.g. 2), or unset it"
        }
        if let s = env["HOTSPOT_PROGRESS_AFTER"], Double(s.trimmingCharacters(in: .whitespaces)).map({ $0.isFinite && (0...86_400).contains($0) }) != true {
            return "HOTSPOT_PROGRESS_AFTER=\(s): give the seconds a phase lasts before it shows progress, from 0 to 86400 (e.g. 1), or unset it"
        }
        if let s = env["HOTSPOT_SERVE_LOG"], !serveLogLevels.contains(s) {
            return "HOTSPOT_SERVE_LOG=\(s): give one of \(serveLogLevels.joined(separator: ", ")), or unset it"
        }
        if let s = env["HOTSPOT_CHROMIUM"], !s.isEmpty, !FileManager.default.isExecutableFile(atPath: s) {
            return "HOTSPOT_CHROMIUM=\(s): no browser program there; give the path of chromium or google-chrome (e.g. /usr/bin/chromium), or unset it to use the one on the PATH"
        }
        if let s = env["HOTSPOT_PROJECTION"], !Interpolation.environmentValues.contains(s) {
            return "HOTSPOT_PROJECTION=\(s): give exact (every incident through PROJ), interpolated (the default) or check, or unset it"
        }
        if let s = env["HOTSPOT_STORE"], s != "off", !s.isEmpty, !s.hasPrefix("/") {
            return "HOTSPOT_STORE=\(s): give an absolute folder (e.g. $HOME/.cache/hotspot/incidents) or off"
        }
        return folders(env)
    }

    /// The folders the environment may name: each must be usable as what it is for.
    static func folders(_ env: [String: String]) -> String? {
        func isFolder(_ p: String) -> Bool { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: p, isDirectory: &d) && d.boolValue }
        func has(_ folder: String, _ name: String) -> Bool { FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name)) }
        if let s = env["HOTSPOT_LEAFLET"], !s.isEmpty, !(isFolder(s) && (has(s, "leaflet.js") || has(s, "leaflet.min.js")) && has(s, "leaflet.css")) {
            return "HOTSPOT_LEAFLET=\(s): no Leaflet there (a folder holding leaflet.js and leaflet.css); give Leaflet's folder (e.g. /usr/share/javascript/leaflet), or unset it"
        }
        if let s = env["HOTSPOT_TILE_CACHE"], !s.isEmpty, !s.hasPrefix("/") || (FileManager.default.fileExists(atPath: s) && !isFolder(s)) {
            return "HOTSPOT_TILE_CACHE=\(s): give an absolute folder for the basemap tiles (e.g. $HOME/.cache/hotspot/tiles), or unset it"
        }
        if let s = env["HOTSPOT_DEMO_DATA"], !s.isEmpty, !isFolder(s) {
            return "HOTSPOT_DEMO_DATA=\(s): no such folder; give the demo data's folder (e.g. Geodata/demo of a checkout), or unset it"
        }
        if let s = env["HOTSPOT_TIMINGS"], s != "1" {
            return "HOTSPOT_TIMINGS=\(s): give 1 to print how long reading and projecting took, or unset it"
        }
        return nil
    }

    /// swift-log's level names (`hotspot serve`'s log on stderr).
    public static let serveLogLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Refuses to go on when `problem` finds one (exit 64, one line on stderr).
    public static func enforce() {
        if let p = problem() {
            FileHandle.standardError.write(Data("hotspot: error: \(p)\n".utf8))
            exit(64)
        }
    }
}
