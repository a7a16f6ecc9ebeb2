import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job on the demo data shipped with hotspot and write every output.",
        discussion: """
            The demo data are synthetic (see Geodata/README.md). They are found from any folder: --data FOLDER, else \
            $HOTSPOT_DEMO_DATA, else Geodata/demo under the current folder, else share/hotspot/demo beside the \
            executable's folder (an installed package), else the source tree hotspot was built from. Example:
              hotspot demo --out hotspot-out
            """)
    @Option(help: ArgumentHelp("Folder holding the demo data (default: found as above).", valueName: "folder"))
    var data: String?
    @OptionGroup var output: OutputOptions
    @Flag(help: "No progress or summary messages on stderr (warnings and errors still print).")
    var quiet = false

    func run() throws {
        try runJob {
            let data = try DemoData.locate(self.data)
            let demoFiles = ((try? FileManager.default.contentsOfDirectory(atPath: data)) ?? []).map { (data as NSString).appendingPathComponent($0) }
            try OutputGuard.check(out: output.out, inputs: demoFiles)
            let files = try DemoJob.run(dataDirectory: data, out: output.out, database: output.database.map { Project.Database(url: $0, schema: output.schema) },
                                       command: commandLine) { note($0, quiet: quiet) }
            note("wrote \(files.joined(separator: ", ")) in \(output.out)", quiet: quiet)
        }
    }
}
