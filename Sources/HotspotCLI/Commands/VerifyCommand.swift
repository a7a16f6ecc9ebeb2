import ArgumentParser
import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotReports

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an evidence pack (folder or zip) against its manifest.json.",
        discussion: """
            Recomputes the SHA-256 of every file of the pack and compares it with manifest.json; a changed, missing \
            or added file is reported. Exit 0 when the pack is as written; 1 when it differs; 65/66 when it cannot \
            be read. Example:
              hotspot verify pspo-catford.zip
            """)
    @Argument(help: ArgumentHelp("The pack: its folder or its .zip.", valueName: "pack"))
    var pack: String

    func run() throws {
        try runJob {
            let r: PackManifest.Report
            do { r = try PackManifest.verify(pack) } catch let e as ZipArchive.ZipError {
                FileHandle.standardError.write(Data("NOT VERIFIED: \(pack) is damaged: \(e)\n".utf8))
                throw ExitCode(1)
            }
            if r.ok { print(r.text, terminator: "") } else {
                FileHandle.standardError.write(Data(r.text.utf8))
                throw ExitCode(1)
            }
        }
    }
}
