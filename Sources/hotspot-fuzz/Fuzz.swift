import Foundation
import HotspotCLI
import HotspotIO
import HotspotReports

/// One fuzz input. The first byte picks the target, the rest is its input:
///   0 – an incident CSV (auto format, then a mapped CSV), read by `IncidentReader` in small blocks;
///   1 – a GeoJSON polygon layer, read by `PolygonLayerReader`;
///   2 – a command line (NUL-separated arguments), parsed and validated by `Hotspot.parseAsRoot`;
///   3 – a project file (YAML), decoded and checked by `Project.load`;
///   0xF0 – an incident store entry, described and loaded by `IncidentStore` (issue 21: garbage counts trapped);
///   0xF1 – a GeoPackage, read by `GeoPackageReader` and as a polygon layer.
///   0xF2 – a police.uk stop-and-search CSV, read by `StopSearchReader` (rows kept + unreadable dates = read, every
///          column as long as the rows);
///   0xF3 – residents by ethnic group (`GroupPopulationReader`): every count finite and non-negative.
/// (Other first bytes pick 0–3 by their value modulo 4, as saved inputs always have.)
/// Every outcome but a crash is fine; for CSVs the bookkeeping must balance (accepted + quarantined = read).
func fuzzOne(_ bytes: UnsafeRawBufferPointer) {
    guard let target = bytes.first else { return }
    let body = Data(bytes.dropFirst())
    if target == 0xF0 {
        let dir = scratch("store")
        let input = scratch("store-input.csv")
        if !FileManager.default.fileExists(atPath: input) { try? Data("Month,Longitude,Latitude\n".utf8).write(to: URL(fileURLWithPath: input)) }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = IncidentStore(directory: dir)
        guard let key = IncidentStore.key(files: [input], options: ReadOptions(), targetEPSG: 27700, gridDirectories: []) else { return }
        try? body.write(to: URL(fileURLWithPath: store.path(for: key)))
        _ = store.describe(store.path(for: key))
        _ = store.holds(key)
        _ = store.load(key)
        return
    }
    if target == 0xF1 {
        let path = scratch("gpkg")
        try? body.write(to: URL(fileURLWithPath: path))
        _ = try? GeoPackageReader.read(path: path)
        _ = try? PolygonLayerReader.read(path: path)
        return
    }
    if target == 0xF2 || target == 0xF3 { fuzzStops(body, population: target == 0xF3); return }
    switch target % 4 {
    case 0:
        let path = scratch("csv")
        try? body.write(to: URL(fileURLWithPath: path))
        for mapped in [false, true] {
            var o = ReadOptions()
            o.blockSize = 64  // many blocks: exercises the carry between them
            if mapped { o.mapping = ColumnMapping(x: "x", y: "y", date: "d", category: "c", id: "i", weight: "w") }
            o.dropDuplicates = mapped
            if let r = try? IncidentReader.read(files: [path], options: o) {
                precondition(r.accepted + r.quarantine.count == r.read, "bookkeeping does not balance")
            }
        }
    case 1:
        let path = scratch("geojson")
        try? body.write(to: URL(fileURLWithPath: path))
        _ = try? PolygonLayerReader.read(path: path)
    case 2:
        let args = body.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        _ = try? Hotspot.parseAsRoot(args)
    default:
        let path = scratch("yaml")
        try? body.write(to: URL(fileURLWithPath: path))
        _ = try? Project.load(path)
    }
}

/// Stop and search (issue 23): the reader's books balance, or it refuses the file; a population table holds only
/// finite, non-negative counts.
func fuzzStops(_ body: Data, population: Bool) {
    let path = scratch(population ? "pop.csv" : "stops.csv")
    try? body.write(to: URL(fileURLWithPath: path))
    if population {
        if let g = try? GroupPopulationReader.read(path) {
            precondition(g.values.allSatisfy { $0.count == 5 && $0.allSatisfy { $0.isFinite && $0 >= 0 } }, "a population count is not finite and non-negative")
        }
        return
    }
    if let t = try? StopSearchReader.read(files: [path]) {
        precondition(t.count + t.unreadableDates == t.read, "stop-and-search bookkeeping does not balance")
        precondition(t.columns.allSatisfy { $0.codes.count == t.count } && t.lon.count == t.count && t.lat.count == t.count, "a column is not as long as the rows")
        precondition((0..<t.count).allSatisfy { !t.hasLocation($0) || abs(t.lat[$0]) <= 90 && abs(t.lon[$0]) <= 180 }, "a location out of range is kept")
    }
}

/// A per-process scratch file in /dev/shm when there is one.
func scratch(_ ext: String) -> String {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return "\(dir)/hotspot-fuzz-\(getpid()).\(ext)"
}

/// HOTSPOT_FUZZ_LAST=path (tools/fuzz sets it): every input is written there before it runs, so that a death
/// libFuzzer cannot report (SIGKILL from the kernel's out-of-memory killer or from CI, a crash in its own handler)
/// still leaves the input behind. -1 when unset.
let lastInputFile: Int32 = {
    guard let path = ProcessInfo.processInfo.environment["HOTSPOT_FUZZ_LAST"], !path.isEmpty else { return -1 }
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
}()

/// libFuzzer's entry point for one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if lastInputFile >= 0 {
        _ = pwrite(lastInputFile, data, size, 0)
        _ = ftruncate(lastInputFile, off_t(size))
    }
    fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
/// libFuzzer's driver (in the runtime that -sanitize=fuzzer links), started from this executable's main.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
#endif

/// Built with -DFUZZING -sanitize=fuzzer: the libFuzzer driver (its usual flags). Otherwise: replays every file
/// given (or every file in the folders given), e.g. the seed corpus and the saved crash inputs.
///
/// Run the driver with SWIFT_BACKTRACE=enable=no (tools/fuzz does): Swift's crash handler claims SIGILL, SIGTRAP,
/// SIGSEGV, SIGBUS, SIGFPE and SIGABRT at start-up, libFuzzer does not replace a handler already there (for SIGSEGV
/// it calls that one instead of its own), and a Swift trap (`ud2`, SIGILL) then ends the process with a backtrace
/// but without libFuzzer writing the input (crash-…) — as CI's two lost "UnsafeBufferPointer.swift:1961" traps did.
@main
struct FuzzMain {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, { fuzzerTestOneInput($0, $1) }))
        #else
        var n = 0
        for arg in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: arg, isDirectory: &isDir)
            let files = isDir.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: arg).sorted().map { (arg as NSString).appendingPathComponent($0) }
                : [arg]
            for f in files {
                let d = try Data(contentsOf: URL(fileURLWithPath: f))
                d.withUnsafeBytes { fuzzOne($0) }
                n += 1
            }
        }
        print("hotspot-fuzz: replayed \(n) inputs, no crash")
        #endif
    }
}
