import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Redraw the maps of an existing output folder (title, paper, focus, formats) without recomputing.",
        discussion: """
            Reads the folder's GeoPackages and metadata.json (kde, gistar, emerging, grid or areas on square cells \
            or areas), reloads the boundary, area and context layers the run used, and writes map.svg/.pdf/.png \
            (areas: map-NAME.*) into the folder, which is rewritten as a whole; its other files are kept. Without \
            options the maps are drawn as the run drew them (metadata.json "maps": paper, focus, zoom, points, \
            context layers, basemap), byte for byte; each option given overrides that. Example:
              hotspot map out/kde --title "Burglary, Lewisham" --paper a3 \\
                --focus "Rushey Green" --zoom focus
            """)
    @Argument(help: ArgumentHelp("An output folder written by kde, gistar, emerging, grid or areas.", valueName: "folder"))
    var folder: String
    @OptionGroup var mapOptions: MapCLIOptions
    @Option(name: .customLong("grid-dir"), help: "Folder holding PROJ transformation grids (as for the original run).")
    var gridDirectories: [String] = []
    @Flag(help: "No progress or summary messages on stderr (warnings and errors still print).")
    var quiet = false

    func run() throws {
        try runJob {
            let r = try MapRedrawJob.run(folder: folder, overrides: mapOptions.overrides, gridDirectories: gridDirectories)
            reportEnd(warnings: r.warnings, written: r.written, out: folder, quiet: quiet)
        }
    }
}
