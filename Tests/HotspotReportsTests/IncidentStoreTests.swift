import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// The incident store (issue 12): an entry gives back exactly what reading and projecting gave, is used only for
/// the same files and options, and a damaged or racy entry is never used.
@Suite struct IncidentStoreTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path
    /// Inputs in a private folder (the store's slot includes the paths).
    func copy(_ src: String) throws -> String {
        let dir = NSTemporaryDirectory() + "hotspot-store-in-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = dir + "/" + (src as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: src, toPath: p)
        return p
    }
    func options(_ dir: String) -> ReadOptions { var o = ReadOptions(); o.storeDirectory = dir; return o }
    var tmpStore: String { NSTemporaryDirectory() + "hotspot-store-\(UUID().uuidString)" }
    /// As if saved 10 s after the files last changed (the store skips files changed in the last 2 s).
    let later = Date().addingTimeInterval(10)

    /// A private copy of `fixture`, read into a fresh store: what the tests below start from.
    struct Stored { var files: [String], store: IncidentStore, options: ReadOptions, entry: IncidentStore.Entry, key: IncidentStore.Key }
    func stored(_ fixture: String) throws -> Stored {
        let files = [try copy(fixture)]
        let dir = tmpStore
        let o = options(dir)
        let entry = try Pipeline.readAndProject(files: files, options: o, gridDirectories: []).0
        let key = try #require(IncidentStore.key(files: files, options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        let store = IncidentStore(directory: dir)
        #expect(store.save(entry, for: key, now: later))
        return Stored(files: files, store: store, options: o, entry: entry, key: key)
    }

    func expectSame(_ a: IncidentStore.Entry, _ b: IncidentStore.Entry) {
        #expect(a.table.x == b.table.x && a.table.y == b.table.y && a.table.day == b.table.day)
        #expect(a.table.category == b.table.category && a.table.categories == b.table.categories)
        #expect(a.table.sourceFile == b.table.sourceFile && a.table.sourceLine == b.table.sourceLine)
        #expect(a.table.weight == b.table.weight && a.table.resolution == b.table.resolution && a.table.epsg == b.table.epsg)
        #expect(a.table.minute == b.table.minute)
        #expect(a.quarantine == b.quarantine && a.files == b.files && a.projection == b.projection && a.sourceEPSG == b.sourceEPSG)
    }

    @Test func anEntryGivesBackExactlyWhatWasRead() throws {
        // The hostile fixture: every quarantine reason the reader has, duplicates, lon/lat projected to BNG; plus a
        // weighted, daily BNG file read alongside in a second slot.
        let files = [try copy(Paths.fixture("hostile-policeuk.csv"))]
        let dir = tmpStore
        var o = options(dir)
        let cold = try Pipeline.readAndProject(files: files, options: o, gridDirectories: []).0
        #expect(!cold.quarantine.isEmpty && cold.projection != nil)
        let store = IncidentStore(directory: dir)
        let key = try #require(IncidentStore.key(files: files, options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        #expect(store.save(cold, for: key, now: later))
        expectSame(try #require(store.load(key)), cold)

        let w = NSTemporaryDirectory() + "hotspot-store-w-\(UUID().uuidString).csv"
        try "when,E,N,kind,harm\n2024-01-03,538000.25,175000.5,Burglary,2.5\n2024-01-04,538100,175100,Robbery,1\n2024-01-05,x,175100,Robbery,1\n"
            .write(toFile: w, atomically: true, encoding: .utf8)
        o.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind", weight: "harm")
        let wcold = try Pipeline.readAndProject(files: [w], options: o, gridDirectories: []).0
        #expect(wcold.table.isWeighted && wcold.table.resolution == .day && wcold.quarantine.count == 1)
        let wkey = try #require(IncidentStore.key(files: [w], options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        #expect(store.save(wcold, for: wkey, now: later))
        expectSame(try #require(store.load(wkey)), wcold)
        #expect(store.entries().count == 2)
        #expect(store.clear().removed == 2 && store.entries().isEmpty && store.load(key) == nil)
    }

    /// Issue 22: the time of day survives the store (format 03), and --time-col and --date-format are part of the key.
    @Test func timesOfDayAreStoredAndTheDateOptionsAreKeyed() throws {
        let dir = tmpStore
        var o = options(dir)
        let f = try copy(try temporaryFile("lon,lat,date,time\n-0.02,51.45,05/01/2022,23:59\n-0.03,51.46,06/01/2022,\n", named: "timed.csv"))
        o.mapping = ColumnMapping(lon: "lon", lat: "lat", date: "date", time: "time", dateOrder: .dayFirst)
        let cold = try Pipeline.readAndProject(files: [f], options: o, gridDirectories: []).0
        #expect(cold.table.minute == [1439, -1] && cold.table.day[0] == Int32(CivilDate.days(year: 2022, month: 1, day: 5)))
        let store = IncidentStore(directory: dir)
        let key = try #require(IncidentStore.key(files: [f], options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        #expect(store.save(cold, for: key, now: later))
        expectSame(try #require(store.load(key)), cold)
        var other = o
        other.mapping.dateOrder = .monthFirst
        #expect(IncidentStore.key(files: [f], options: other, targetEPSG: analysisEPSG, gridDirectories: [])!.slot != key.slot)
        other = o
        other.mapping.time = nil
        #expect(IncidentStore.key(files: [f], options: other, targetEPSG: analysisEPSG, gridDirectories: [])!.slot != key.slot)
    }

    @Test func loadIncidentsUsesTheStoreAndGivesTheSameResult() throws {
        let files = [try copy(Self.demo + "/incidents.csv")]
        let dir = tmpStore
        var o = options(dir)
        o.selection = Selection(types: ["Burglary"])
        let b = try Pipeline.loadLayer(LayerSpec(name: "boundary", path: Self.demo + "/boundary.geojson"))
        // Just written: too recent to store.
        let cold = try Pipeline.loadIncidents(files: files, options: o, boundary: b)
        #expect(IncidentStore(directory: dir).entries().isEmpty)
        let key = try #require(IncidentStore.key(files: files, options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        let entry = try Pipeline.readAndProject(files: files, options: options(dir), gridDirectories: []).0
        // A doctored entry proves that the store is what loadIncidents reads…
        var doctored = entry
        doctored.table = entry.table.filtered { $0 > 0 }
        doctored.files[0].read -= 1; doctored.files[0].accepted -= 1
        #expect(IncidentStore(directory: dir).save(doctored, for: key, now: later))
        let fromDoctored = try Pipeline.loadIncidents(files: files, options: o, boundary: b)
        #expect(fromDoctored.read == cold.read - 1)
        // …and the honest entry gives exactly the cold read (selection, boundary, quarantine with raw rows, warnings).
        #expect(IncidentStore(directory: dir).save(entry, for: key, now: later))
        let warm = try Pipeline.loadIncidents(files: files, options: o, boundary: b)
        #expect(warm.table.x == cold.table.x && warm.table.y == cold.table.y && warm.table.day == cold.table.day)
        #expect(warm.table.category == cold.table.category && warm.table.sourceLine == cold.table.sourceLine)
        #expect(warm.quarantine == cold.quarantine && warm.files == cold.files && warm.projection == cold.projection)
        #expect(warm.warnings == cold.warnings && warm.notSelected == cold.notSelected && warm.balances)
        // The selection is applied after the store: another --type reads the same entry.
        var o2 = o
        o2.selection = Selection(types: ["Robbery"])
        #expect(IncidentStore.key(files: files, options: o2, targetEPSG: analysisEPSG, gridDirectories: []) == key)
        // --no-store reads afresh.
        var off = o
        off.useStore = false
        #expect(try Pipeline.loadIncidents(files: files, options: off, boundary: b).read == cold.read)
    }

    @Test func otherFilesOrOptionsDoNotUseAnEntry() throws {
        let st = try stored(Paths.fixture("hostile-policeuk.csv"))
        let (file, store, o, entry, key) = (st.files[0], st.store, st.options, st.entry, st.key)
        // Other format options: another slot.
        var drop = o
        drop.dropDuplicates = true
        let dropKey = try #require(IncidentStore.key(files: [file], options: drop, targetEPSG: analysisEPSG, gridDirectories: []))
        #expect(dropKey.slot != key.slot && store.load(dropKey) == nil)
        #expect(IncidentStore.key(files: [file], options: o, targetEPSG: 27700, gridDirectories: ["/grids"])?.slot != key.slot)
        // The file changes (a row appended): same slot, other identity, so the entry is not used.
        let fh = try #require(FileHandle(forWritingAtPath: file))
        fh.seekToEndOfFile()
        fh.write(Data("bbb9,2022-04,Metropolitan Police Service,Metropolitan Police Service,-0.02,51.45,On or near X,E01003254,Lewisham 036C,Robbery,,\n".utf8))
        try fh.close()
        let changed = try #require(IncidentStore.key(files: [file], options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        #expect(changed.slot == key.slot && changed.identity != key.identity)
        #expect(store.load(changed) == nil)
        // The same size and contents rewritten (a new inode and change time): not the same file either.
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try FileManager.default.removeItem(atPath: file)
        try data.write(to: URL(fileURLWithPath: file))
        #expect(IncidentStore.key(files: [file], options: o, targetEPSG: analysisEPSG, gridDirectories: [])?.identity != changed.identity)
        // A file changed in the last 2 s is not stored, nor is a pipe; the executable and PROJ are part of the identity.
        #expect(!store.save(entry, for: changed, now: Date()))
        let fifo = NSTemporaryDirectory() + "hotspot-fifo-\(UUID().uuidString)"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(IncidentStore.key(files: [fifo], options: o, targetEPSG: analysisEPSG, gridDirectories: []) == nil)
        unlink(fifo)
        #expect(changed.identity.contains("exe=") && changed.identity.contains("proj=\(Projection.version)"))
    }

    @Test func anotherSpellingOfThePathsSharesTheEntryAndIsToldItsOwn() throws {
        let st = try stored(Paths.fixture("hostile-policeuk.csv"))
        let (file, store, o, key) = (st.files[0], st.store, st.options, st.key)
        let folder = (file as NSString).deletingLastPathComponent, name = (file as NSString).lastPathComponent
        let other = folder + "/./" + name
        let key2 = try #require(IncidentStore.key(files: [other], options: o, targetEPSG: analysisEPSG, gridDirectories: []))
        #expect(key2.slot == key.slot)
        let got = try #require(store.load(key2))
        #expect(got.files.map(\.path) == [other] && got.quarantine.allSatisfy { $0.file == other } && !got.quarantine.isEmpty)
        // `format: auto` and `--format policeuk` share it too.
        var explicit = o
        explicit.format = .policeuk
        #expect(IncidentStore.key(files: [file], options: explicit, targetEPSG: analysisEPSG, gridDirectories: [])?.slot == key.slot)
    }

    @Test func aDamagedEntryIsIgnored() throws {
        let st = try stored(Self.demo + "/incidents.csv")
        let (files, store, o, entry, key) = (st.files, st.store, st.options, st.entry, st.key)
        let path = store.path(for: key)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        var flipped = good
        flipped[good.count - 1000] ^= 0x40  // one bit in the columns
        try flipped.write(to: URL(fileURLWithPath: path))
        #expect(store.load(key) == nil)
        try good.prefix(good.count - 8).write(to: URL(fileURLWithPath: path))  // truncated
        #expect(store.load(key) == nil)
        try Data("not a store".utf8).write(to: URL(fileURLWithPath: path))
        #expect(store.load(key) == nil)
        // A damaged entry costs a fresh read, never a wrong or failed one.
        #expect(try Pipeline.loadIncidents(files: files, options: o).read == entry.files[0].read)
        try good.write(to: URL(fileURLWithPath: path))
        #expect(store.load(key) != nil)
    }

    @Test func twoWritersLeaveOneWholeEntry() async throws {
        let st = try stored(Self.demo + "/incidents.csv")
        let (store, entry, key) = (st.store, st.entry, st.key)
        try FileManager.default.removeItem(atPath: store.path(for: key))
        let later = self.later
        await withTaskGroup(of: Bool.self) { g in
            for _ in 0..<4 { g.addTask { store.save(entry, for: key, now: later) } }
            for await ok in g { #expect(ok) }
        }
        #expect(store.entries().count == 1)
        expectSame(try #require(store.load(key)), entry)
    }

    @Test func theLeastRecentlyUsedEntriesGoWhenTheStoreIsFull() throws {
        let a = try stored(Self.demo + "/incidents.csv"), b = try stored(Paths.fixture("hostile-policeuk.csv"))
        // Both in one folder whose capacity holds the larger entry and not both.
        let dir = tmpStore
        let sizeA = try #require(a.store.entries().first?.bytes), sizeB = try #require(b.store.entries().first?.bytes)
        let store = IncidentStore(directory: dir, capacity: max(sizeA, sizeB) + min(sizeA, sizeB) / 2)
        #expect(store.save(a.entry, for: a.key, now: later))
        // B arrives: A, the older, goes (the entry just written always stays).
        Thread.sleep(forTimeInterval: 0.02)
        #expect(store.save(b.entry, for: b.key, now: later))
        #expect(store.entries().count == 1 && store.load(b.key) != nil && store.load(a.key) == nil)
        // Use counts, not only writing: A written again after B, then B read; over capacity, A (used longest ago) goes.
        let big = IncidentStore(directory: dir, capacity: sizeA + sizeB + 10)
        #expect(big.save(a.entry, for: a.key, now: later) && big.entries().count == 2)
        Thread.sleep(forTimeInterval: 0.02)
        #expect(big.load(b.key) != nil)
        let small = IncidentStore(directory: dir, capacity: sizeB + 10)
        Thread.sleep(forTimeInterval: 0.02)
        small.evict(keeping: "")
        #expect(small.entries().count == 1 && small.load(b.key) != nil)
        #expect(IncidentStore.defaultCapacity(environment: [:]) == 8_000_000_000)
        #expect(IncidentStore.defaultCapacity(environment: ["HOTSPOT_STORE_MAX_GB": "0.5"]) == 500_000_000)
    }

    @Test func theDefaultFolder() {
        #expect(IncidentStore.defaultDirectory(environment: ["HOME": "/home/a"]) == "/home/a/.cache/hotspot/incidents")
        #expect(IncidentStore.defaultDirectory(environment: ["HOME": "/home/a", "XDG_CACHE_HOME": "/c"]) == "/c/hotspot/incidents")
        #expect(IncidentStore.defaultDirectory(environment: ["HOME": "/home/a", "HOTSPOT_STORE": "/s"]) == "/s")
        #expect(IncidentStore.defaultDirectory(environment: ["HOME": "/home/a", "HOTSPOT_STORE": "off"]) == nil)
    }
}

/// A damaged or foreign entry is a miss, never a crash or a hang (issue 21).
extension IncidentStoreTests {
    @Test func garbageCountsAfterAnIntactMagicAreAMiss() throws {
        let s = try stored(Self.demo + "/incidents.csv")
        // "HSTORE03" then eight 0xFF bytes: a header length that does not fit an Int (it trapped before).
        try Data(Array("HSTORE03".utf8) + [UInt8](repeating: 0xFF, count: 8)).write(to: URL(fileURLWithPath: s.store.path(for: s.key)))
        #expect(s.store.load(s.key) == nil)
        #expect(s.store.describe(s.store.path(for: s.key)) == nil)
        #expect(!s.store.holds(s.key))
        // A miss is replaced by the next save.
        #expect(s.store.save(s.entry, for: s.key, now: later) && s.store.load(s.key) != nil)
    }

    @Test func aHeaderClaimingMoreRowsThanTheFileHoldsIsAMiss() throws {
        let s = try stored(Self.demo + "/incidents.csv")
        let p = s.store.path(for: s.key)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: p))
        let n = s.entry.table.count
        // The count in the JSON header raised to a number of the same width whose columns the file cannot hold.
        let from = Data("\"count\":\(n)".utf8), to = Data("\"count\":\(String(repeating: "9", count: String(n).count))".utf8)
        let r = try #require(bytes.range(of: from))
        bytes.replaceSubrange(r, with: to)
        try bytes.write(to: URL(fileURLWithPath: p))
        #expect(s.store.load(s.key) == nil)
    }

    @Test func aFIFOWhereAnEntryShouldBeIsAMissWithoutWaiting() throws {
        let s = try stored(Self.demo + "/incidents.csv")
        let p = s.store.path(for: s.key)
        #expect(unlink(p) == 0 && mkfifo(p, 0o644) == 0)
        // Opening a FIFO for reading would wait for a writer forever; these return at once.
        #expect(s.store.load(s.key) == nil)
        #expect(s.store.describe(p) == nil)
        #expect(!s.store.holds(s.key))
        #expect(s.store.entries().count == 1)
    }
}

/// Environment variables are checked as options are (issue 21).
@Suite struct EnvironmentCheckTests {
    @Test func unusableValuesAreRefusedWithWhatToGive() {
        for bad in ["1e400", "0", "-1", "abc", "nan", "inf", ""] {
            let p = EnvironmentCheck.problem(["HOTSPOT_STORE_MAX_GB": bad])
            #expect(p?.contains("HOTSPOT_STORE_MAX_GB=\(bad): give") == true, "\(bad): \(p ?? "accepted")")
        }
        #expect(EnvironmentCheck.problem(["HOTSPOT_STORE_MAX_GB": "8"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_STORE_MAX_GB": "0.5"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_THREADS": "0"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_THREADS": "two"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_THREADS": "2"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_PROGRESS_AFTER": "-3"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_PROGRESS_AFTER": "0.5"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_SERVE_LOG": "loud"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_SERVE_LOG": "info"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_STORE": "relative/dir"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_STORE": "off"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_CHROMIUM": "/nonexistent/chromium"])?.contains("no browser program there") == true)
        #expect(EnvironmentCheck.problem(["HOTSPOT_CHROMIUM": "/bin/sh"]) == nil)
        #expect(IncidentStore.defaultCapacity(environment: ["HOTSPOT_STORE_MAX_GB": "1e400"]) == 8_000_000_000)
        // Folders: each must be usable as what it is for; a value that is not is refused, never ignored.
        let empty = NSTemporaryDirectory() + "hotspot-env-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(EnvironmentCheck.problem(["HOTSPOT_LEAFLET": empty])?.contains("no Leaflet there") == true)
        #expect(EnvironmentCheck.problem(["HOTSPOT_LEAFLET": "/nonexistent"]) != nil)
        _ = FileManager.default.createFile(atPath: empty + "/leaflet.js", contents: Data("x".utf8))
        _ = FileManager.default.createFile(atPath: empty + "/leaflet.css", contents: Data("x".utf8))
        #expect(EnvironmentCheck.problem(["HOTSPOT_LEAFLET": empty]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_TILE_CACHE": "tiles"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_TILE_CACHE": empty + "/leaflet.js"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_TILE_CACHE": empty + "/new-cache"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_DEMO_DATA": "/nonexistent"])?.contains("no such folder") == true)
        #expect(EnvironmentCheck.problem(["HOTSPOT_DEMO_DATA": empty]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_TIMINGS": "0"]) != nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_TIMINGS": "1"]) == nil)
        #expect(EnvironmentCheck.problem(["HOTSPOT_PROJECTION": "fast"])?.contains("give exact") == true)
        for v in ["exact", "interpolated", "check"] { #expect(EnvironmentCheck.problem(["HOTSPOT_PROJECTION": v]) == nil) }
    }

    /// An entry projected exactly (HOTSPOT_PROJECTION=exact) is never used for interpolation, nor the reverse:
    /// the method is part of the slot.
    @Test func projectionMethodIsPartOfTheKey() throws {
        let f = try temporaryFile("Crime ID,Month\n", named: "k.csv")
        let exact = try #require(IncidentStore.key(files: [f], options: ReadOptions(), targetEPSG: 27700, gridDirectories: [], interpolation: nil))
        let interp = try #require(IncidentStore.key(files: [f], options: ReadOptions(), targetEPSG: 27700, gridDirectories: [], interpolation: .incidents))
        #expect(exact.slot != interp.slot)
        #expect(Interpolation.fromEnvironment(["HOTSPOT_PROJECTION": "exact"]) == nil)
        #expect(Interpolation.fromEnvironment([:]) == .incidents)
        #expect(Interpolation.fromEnvironment(["HOTSPOT_PROJECTION": "check"])?.check == true)
    }
}
