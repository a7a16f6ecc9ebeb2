import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Show or clear the incident store (the columns of files already read, so no command parses them twice).",
        discussion: """
            Every command that reads incident files keeps what it read and projected (accepted rows as columns, the \
            quarantine, each file's SHA-256) in the store; the next command on the same files with the same format \
            options starts from there instead of parsing and projecting again. An entry is used only while every \
            input file keeps its size, modification time and inode, and for the same hotspot executable and PROJ \
            version; it never changes a result. It lives in $HOTSPOT_STORE, else $XDG_CACHE_HOME/hotspot/incidents, \
            else ~/.cache/hotspot/incidents, and holds at most 8 GB (HOTSPOT_STORE_MAX_GB; the entries used longest \
            ago go first); HOTSPOT_STORE=off or --no-store on a command turns it off. For a store \
            shared between analysts, load the incidents into PostGIS and read them with --from-db. Examples:
              hotspot store
              hotspot store --clear
            """)
    @Flag(help: "Remove every entry.")
    var clear = false

    func run() throws {
        try runJob {
            guard let store = IncidentStore.default else {
                print("the incident store is off (HOTSPOT_STORE=off, or no home folder)")
                return
            }
            if clear {
                let (n, failed) = store.clear()
                print("removed \(n) entr\(n == 1 ? "y" : "ies") from \(store.directory)")
                if let f = failed.first {
                    throw OutputError.cannotWrite(f.path, "\(failed.count) entr\(failed.count == 1 ? "y" : "ies") could not be removed (\(f.reason)): make the folder writable, or remove \(store.directory) yourself")
                }
                return
            }
            let e = store.entries()
            print("incident store: \(store.directory)")
            /// Bytes as MB (decimal, one place), as disks are sold.
            func mb(_ n: Int) -> String { Fmt.fixed(Double(n) / 1e6, 1) + " MB" }
            print("entries: \(e.count), \(mb(e.reduce(0) { $0 + $1.bytes })) (at most \(mb(store.capacity)): the entries used longest ago go first)")
            for x in e {
                let what = store.describe(x.path).map { d in ": \(d.incidents) incidents from \(d.files.joined(separator: ", "))" } ?? ""
                print("  \((x.path as NSString).lastPathComponent) \(mb(x.bytes))\(what)")
            }
        }
    }
}
