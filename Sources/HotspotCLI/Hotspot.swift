import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

public struct Hotspot: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "hotspot",
        abstract: "Hotspot analysis of police and council incident data.",
        discussion: """
            Reads data.police.uk CSVs (street-level crime, stop and search) or any CSV with a column mapping, \
            projects them to British National Grid (EPSG:27700) with PROJ, attributes them to wards and LSOAs with \
            GEOS, and writes RFC 7946 GeoJSON, CSV, a quarantine file of rejected rows and a metadata.json.

            Exit codes: 0 success; 64 usage error; 65 unusable input data; 66 missing input file; 69 a basemap's tiles neither fetched nor cached, a server hotspot fetch could not reach (police.uk, ONS), or not enough memory for the work; \
            73 cannot write output; 70 internal error; 1 hotspot verify found a pack altered.

            Environment: HOTSPOT_STORE (the incident store's folder, or off), HOTSPOT_STORE_MAX_GB, \
            HOTSPOT_TILE_CACHE (basemap tiles), HOTSPOT_CHROMIUM (the browser that prints PDF packs; else chromium on \
            the PATH), HOTSPOT_LEAFLET (Leaflet for the web maps; else /usr/share/javascript/leaflet), \
            HOTSPOT_DEMO_DATA (the demo data), HOTSPOT_THREADS (at most N worker threads), HOTSPOT_TIMINGS=1 (read and \
            projection times on stderr), HOTSPOT_PROJECTION=exact (every incident through PROJ, not interpolated), HOTSPOT_PROGRESS_AFTER (seconds before a phase shows progress), \
            HOTSPOT_SERVE_LOG (hotspot serve's log level). Documentation: docs/ in the source tree, or \
            /usr/share/doc/hotspot; man hotspot. \
            Shell completions: hotspot --generate-completion-script bash (or zsh, fish).
            """,
        version: HotspotVersion.string,
        subcommands: [Inspect.self, Areas.self, Grid.self, KDE.self, GiStarCommand.self, MoranCommand.self, OptimizedCommand.self, EmergingCommand.self, CompareCommand.self, ProfileCommand.self, AccuracyCommand.self, NearRepeatCommand.self, ContextCommand.self, StopsCommand.self, MapCommand.self, RunCommand.self, WeeklyCommand.self, PspoCommand.self, VerifyCommand.self, BacktestCommand.self, InitCommand.self, Demo.self, StoreCommand.self, FetchCommand.self])

    /// SIGINT/SIGTERM handlers first (they remove unfinished outputs and exit 130/143), then the usual parsing.
    public static func main() {
        Signals.install()
        EnvironmentCheck.enforce()
        main(nil)
    }
}
