import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a project file: read and project the incidents once, write every product it names.",
        discussion: """
            The project file (YAML, comments allowed) names the inputs, boundary, area layers with their populations, \
            focus areas and the products with their parameters; `hotspot init` writes a commented example. Unknown \
            keys, wrong values and missing files stop the run before anything is written, with the file, line and \
            key. Example:
              hotspot init hotspot.yaml && hotspot run hotspot.yaml
            """)
    @Argument(help: ArgumentHelp("The project file.", valueName: "project.yaml"))
    var project: String
    @Flag(help: "No progress or summary messages on stderr (warnings and errors still print).")
    var quiet = false
    @Flag(help: "Read the files afresh, neither using nor filling the incident store (see `hotspot store`).")
    var noStore = false

    func run() throws {
        try runJob {
            var p = try Project.load(project)
            if noStore { p.read.useStore = false }
            guard !p.products.names.isEmpty else {
                throw Project.ProjectError(file: project, line: 1, key: "products", message: "no products to run: add a products section (areas, grid, kde, gistar, emerging, compare, pspo); a project for hotspot weekly alone needs none")
            }
            ProgressView.install(quiet: quiet)
            let (inc, names, warnings) = try ProjectJob.run(p, command: commandLine, log: { note($0, quiet: quiet) })
            note(summaryLine(inc), quiet: quiet)
            reportEnd(warnings: warnings, written: Project.Products.written(names), out: p.out, quiet: quiet)
        }
    }
}
