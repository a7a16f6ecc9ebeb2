import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

/// sysexits-style exit codes, documented in `hotspot --help`.
enum Exit {
    static let usage: Int32 = 64, dataError: Int32 = 65, noInput: Int32 = 66, unavailable: Int32 = 69, software: Int32 = 70, cantCreate: Int32 = 73
}

/// Runs a job, turning its errors into a one-line reason and a documented exit code.
func runJob(_ body: () throws -> Void) throws {
    MemoryLimit.constrainAllocator()
    do {
        try MemoryLimit.check(need: MemoryLimit.startNeed, for: "hotspot to start (PROJ, GDAL, worker threads)")
        try body()
    } catch let e as MemoryError {
        fail(e.description, Exit.unavailable)
    } catch let e as InputError {
        switch e {
        case .missingFile, .notAFile: fail(e.description, Exit.noInput)
        case .sameFile, .ambiguousDate, .mappingForFixedFormat, .harmTypesMissing: fail(e.description, Exit.usage)
        default: break
        }
        fail(e.description, Exit.dataError)
    } catch let e as OutputError {
        fail(e.description, Exit.cantCreate)
    } catch let e as GridError {
        fail(e.description, Exit.usage)
    } catch let e as PolygonLayerReader.LayerError {
        fail(e.description, Exit.dataError)
    } catch let e as Basemap.BasemapError {
        switch e {
        case .unavailable: fail(e.description, Exit.unavailable)
        case .tooManyTiles: fail(e.description, Exit.usage)
        }
    } catch let e as GeoError {
        fail(e.description, Exit.dataError)
    } catch let e as Project.ProjectError {
        fail(e.description, e.missingInput ? Exit.noInput : Exit.usage)
    } catch let e as ValidationError {
        throw e
    } catch let e as ExitCode {
        throw e
    } catch {
        fail("internal error: \(error)", Exit.software)
    }
}

func fail(_ message: String, _ code: Int32) -> Never {
    Signals.cleanUp()
    FileHandle.standardError.write(Data("hotspot: error: \(userPaths(message))\n".utf8))
    exit(code)
}

/// A message with the paths the user gave: a staging folder (`.out.hotspot-staging-PID-N`, removed on failure) is
/// named as the output it stands for (`out`).
func userPaths(_ message: String) -> String {
    message.replacingOccurrences(of: #"(^|/)\.([^/]+)\.hotspot-staging-[0-9]+-[0-9]+"#, with: "$1$2", options: .regularExpression)
}

func note(_ message: String, quiet: Bool = false) {
    if !quiet { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
}

/// The command line as typed, for the metadata, with any database password taken out; each argument quoted as a
/// POSIX shell needs it (`--type 'Public order'`), so the recorded command can be copied and run again.
var commandLine: String {
    (["hotspot"] + CommandLine.arguments.dropFirst().map { a in shellQuoted(a.contains("://") || a.lowercased().contains("password=") ? PostGISWriter.redacted(a) : a) })
        .joined(separator: " ")
}

/// `text` as one POSIX shell word: unchanged when it holds only characters no shell treats specially, else in
/// single quotes (a single quote inside written '\'').
public func shellQuoted(_ text: String) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
    if !text.isEmpty, text.allSatisfy({ plain.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

func summaryLine(_ inc: LoadedIncidents) -> String {
    var s = "read \(inc.read) rows: \(inc.accepted) accepted, \(inc.quarantine.count) quarantined"
    let reasons = inc.quarantinedByReason.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
    if !reasons.isEmpty { s += " (" + reasons.joined(separator: ", ") + ")" }
    if inc.notSelected > 0 { s += "; \(inc.table.count) selected, \(inc.notSelected) left out by --type/--from/--to" }
    if let p = inc.projection {
        s += "; projected \(p.distinctPoints) distinct points with '\(p.operation)' (accuracy \(p.accuracyMetres < 0 ? "unknown" : "\(p.accuracyMetres) m"))"
    }
    return s
}

/// The closing lines every command prints: its warnings, then what it wrote and where.
func reportEnd(warnings: [String], written: [String], out: String, quiet: Bool) {
    for w in warnings { note("warning: \(w)") }
    note("wrote \(written.joined(separator: ", ")) in \(out)", quiet: quiet)
}
