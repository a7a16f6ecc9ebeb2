import ArgumentParser
import Foundation
import HotspotIO
import HotspotReports

/// `hotspot fetch`: getting the data (police.uk archives and API, ONS boundaries), cached, resumable, with a manifest.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download police.uk data and ONS boundaries into a folder, resumably, with a manifest.",
        discussion: """
        Every fetched file lands atomically in the output folder and is recorded in its manifest.json (URL, ETag, \
        size, SHA-256, rows, vintage). A second run fetches only what changed; an interrupted one resumes.
        """,
        subcommands: [FetchPoliceUK.self, FetchBoundariesCommand.self, FetchAPICommand.self])
}

/// The HTTP settings of every fetch: hotspot names itself and its version to the servers it asks.
func fetchHTTPSettings() -> HTTPSettings {
    HTTPSettings(userAgent: "hotspot/\(HotspotVersion.string) (crime and incident hotspot analysis; command-line tool)")
}

/// `runJob` for commands that fetch: a failed request or service is one line and exit 69 (unavailable).
func fetchJob(_ body: () throws -> Void) throws {
    try runJob {
        do { try body() } catch let e as HTTPError {
            fail(e.description, Exit.unavailable)
        } catch let e as ArcGISError {
            fail(e.description, Exit.unavailable)
        } catch let e as PoliceAPIError {
            fail(e.description, Exit.unavailable)
        } catch let e as ArchiveError {
            switch e.kind {
            case .missing: fail(e.description, Exit.noInput)
            case .damaged, .content: fail(e.description, Exit.dataError)
            case .network: fail(e.description, Exit.unavailable)
            case .usage: fail(e.description, Exit.usage)
            }
        }
    }
}
