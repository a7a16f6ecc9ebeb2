import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise incident files: rows, months, crime types, extent, quarantine reasons.",
        discussion: "Nothing is written unless --quarantine is given. Example:\n  hotspot inspect Geodata/demo/incidents.csv")
    @OptionGroup var input: InputOptions
    @Option(help: ArgumentHelp("Write the rejected rows to this CSV.", valueName: "file"))
    var quarantine: String?
    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try runJob {
            if let q = quarantine { try OutputGuard.checkFile(q, inputs: input.files) }
            var p = Project(files: input.files, out: "")
            p.read = input.readOptions; p.gridDirectories = input.gridDirectories; p.sourceTable = input.sourceTable
            p.read.harmWeights = nil  // inspect counts rows: a harm table (--weights) weighs nothing it reports
            // Files: read and validated, projected only as far as the extent needs (or from the incident store).
            ProgressView.install(quiet: input.quiet)
            let report = p.sourceTable == nil
                ? InspectReport(try Pipeline.inspectIncidents(files: p.files, options: p.read, gridDirectories: p.gridDirectories))
                : InspectReport(try p.loadInputs(layers: false).incidents)
            let inc = report.incidents
            print(json ? report.json : report.text)
            for w in inc.warnings + VintageWarnings.warnings(inc) { note("warning: \(w)") }
            if let q = quarantine { try AtomicFile.write(Pipeline.quarantineCSV(inc.quarantine), to: q) }
        }
    }
}
