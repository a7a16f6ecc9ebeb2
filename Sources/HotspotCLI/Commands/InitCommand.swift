import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented example project file for the demo data.",
        discussion: "The demo data are found as for hotspot demo (from any folder). Example:\n  hotspot init hotspot.yaml && hotspot run hotspot.yaml")
    @Argument(help: ArgumentHelp("The project file to write (refused if it exists).", valueName: "file"))
    var file: String = "hotspot.yaml"
    @Option(help: ArgumentHelp("Folder of the demo data, as seen from the project file (default: found as for hotspot demo).", valueName: "folder"))
    var data: String?

    func run() throws {
        try runJob {
            guard !FileManager.default.fileExists(atPath: file) else { throw OutputError.cannotWrite(file, "it exists; choose another name or remove it") }
            let data = try self.data ?? DemoData.asSeenFrom(file: file, DemoData.locate(nil))
            try AtomicFile.write(ProjectJob.example(data: data), to: file)
            note("wrote \(file): edit it, then run: hotspot run \(file)")
        }
    }
}
