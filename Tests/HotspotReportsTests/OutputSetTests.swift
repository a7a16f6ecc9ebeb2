import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import Testing
@testable import HotspotReports

/// The output folder holds one run's complete set, or the previous one: never a mixture (issue 7).
@Suite struct OutputSetTests {
    func folder() -> String { NSTemporaryDirectory() + "hotspot-outset-\(UUID().uuidString)/out" }
    func meta() -> RunMetadata {
        RunMetadata(command: "test", parameters: [:], inputs: [],
                    counts: .init(read: 0, accepted: 0, quarantined: 0, quarantinedByReason: [:], duplicates: 0))
    }
    func files(_ d: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).sorted() }
    func siblings(_ d: String) -> [String] { files((d as NSString).deletingLastPathComponent) }

    @Test func aCommittedSetReplacesTheWholeFolder() throws {
        let out = folder()
        let a = try OutputSet(directory: out)
        try a.write("old.csv", "x\n"); try a.write("both.csv", "1\n")
        try a.finish(meta())
        #expect(files(out) == ["both.csv", "metadata.json", "old.csv"])
        let b = try OutputSet(directory: out)
        try b.write("both.csv", "2\n")
        #expect(files(out) == ["both.csv", "metadata.json", "old.csv"])  // untouched until the swap
        try b.finish(meta())
        #expect(files(out) == ["both.csv", "metadata.json"])           // old.csv did not survive
        #expect(try String(contentsOfFile: out + "/both.csv", encoding: .utf8) == "2\n")
        #expect(siblings(out) == ["out"])                                  // no staging left
    }

    @Test func aFailedRunLeavesThePreviousOutputs() throws {
        let out = folder()
        let a = try OutputSet(directory: out)
        try a.write("grid.csv", "first\n")
        try a.finish(meta())
        do {
            let b = try OutputSet(directory: out)
            try b.write("grid.csv", "second\n")
            // b is released without finish: the run failed.
        }
        #expect(try String(contentsOfFile: out + "/grid.csv", encoding: .utf8) == "first\n")
        #expect(siblings(out) == ["out"])
    }

    /// A multi-part output (a pack and its zip, a weekly set and latest/, a folder and its PostGIS tables): when the
    /// part after the swap fails, the previous folder comes back, whole (issue 21).
    @Test func aFailedSecondPartBringsThePreviousFolderBack() throws {
        struct Refused: Error {}
        let out = folder()
        let a = try OutputSet(directory: out)
        try a.write("grid.csv", "first\n")
        try a.finish(meta())
        let b = try OutputSet(directory: out)
        try b.write("grid.csv", "second\n"); try b.write("new.csv", "x\n")
        var sawNew = false
        #expect(throws: Refused.self) {
            try b.finish(meta(), afterSwap: {
                sawNew = (try? String(contentsOfFile: out + "/grid.csv", encoding: .utf8)) == "second\n"
                throw Refused()
            })
        }
        #expect(sawNew)  // it ran after the swap
        #expect(try String(contentsOfFile: out + "/grid.csv", encoding: .utf8) == "first\n")
        #expect(files(out) == ["grid.csv", "metadata.json"])
        #expect(siblings(out) == ["out"])  // neither staging nor the new set left beside it
    }

    @Test func aFailedSecondPartOfAFirstRunLeavesNoFolder() throws {
        struct Refused: Error {}
        let out = folder()
        let a = try OutputSet(directory: out)
        try a.write("grid.csv", "first\n")
        #expect(throws: Refused.self) { try a.commit(metadata: Data("{}".utf8), afterSwap: { throw Refused() }) }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(siblings(out).isEmpty)
    }

    @Test func aSecondPartThatSucceedsKeepsTheNewFolder() throws {
        let out = folder()
        let a = try OutputSet(directory: out)
        try a.write("grid.csv", "first\n")
        try a.finish(meta())
        let b = try OutputSet(directory: out)
        try b.write("grid.csv", "second\n")
        var ran = 0
        try b.finish(meta(), afterSwap: { ran += 1 })
        #expect(ran == 1)
        #expect(try String(contentsOfFile: out + "/grid.csv", encoding: .utf8) == "second\n")
        #expect(siblings(out) == ["out"])
    }

    @Test func aFolderOfOtherFilesIsNotReplaced() throws {
        let out = folder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "mine".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(throws: OutputError.self) { _ = try OutputSet(directory: out) }
        #expect(files(out) == ["notes.txt"])
        // An empty folder is fine.
        try FileManager.default.removeItem(atPath: out + "/notes.txt")
        let s = try OutputSet(directory: out)
        try s.finish(meta())
        #expect(files(out) == ["metadata.json"])
    }

    @Test func stagingOfDeadRunsIsSwept() throws {
        let out = folder()
        let parent = (out as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // PID 2^22 + 1 is above Linux's pid_max default, so no live process has it.
        let dead = parent + "/.out.hotspot-staging-4194305-1"
        try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: true)
        try Data(count: 1000).write(to: URL(fileURLWithPath: dead + "/big.csv"))
        let s = try OutputSet(directory: out)
        try s.finish(meta())
        #expect(siblings(out) == ["out"])
    }

    @Test func singleFilesSweepTheTemporariesOfKilledRuns() throws {
        let dir = NSTemporaryDirectory() + "hotspot-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "half".write(toFile: dir + "/.q.csv.tmp-4194305", atomically: false, encoding: .utf8)
        try AtomicFile.write("file\n", to: dir + "/q.csv")
        #expect(files(dir) == ["q.csv"])
    }

    @Test func inputsInsideTheOutputFolderAreRefused() throws {
        let out = folder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(throws: OutputError.self) { try OutputGuard.check(out: out, inputs: [out + "/incidents.csv"]) }
        #expect(throws: OutputError.self) { try OutputGuard.check(out: out + "/", inputs: [out + "/../out/x.csv"]) }
        try OutputGuard.check(out: out, inputs: [out + "-other/x.csv"])
    }

    @Test func concurrentRunsEachSwapInACompleteSet() async throws {
        let out = folder()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for k in 0..<8 {
                g.addTask {
                    let s = try OutputSet(directory: out)
                    for f in 0..<5 { try s.write("f\(f).csv", "run \(k)\n") }
                    try s.finish(self.meta())
                }
            }
            try await g.waitForAll()
        }
        let texts = try (0..<5).map { try String(contentsOfFile: out + "/f\($0).csv", encoding: .utf8) }
        #expect(Set(texts).count == 1)  // every file from the same run
        #expect(siblings(out) == ["out"])
    }
}

/// Staging left by a killed run beside another output in the same folder (a weekly run killed while staging one
/// week) is swept by the next run of any output there; a live process's is kept (issue 21).
@Suite struct StagingSweepTests {
    @Test func deadStagingBesideAnyOutputIsSweptLiveStagingIsKept() throws {
        let parent = NSTemporaryDirectory() + "hotspot-sweep-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // A pid that is not running: the highest the kernel may give, less one.
        let dead: Int32 = 4_194_303
        #expect(kill(dead, 0) != 0)
        let deadWeek = parent + "/.2025-W41.hotspot-staging-\(dead)-1"
        let deadZip = parent + "/pack.zip.hotspot-staging-\(dead)"
        let live = parent + "/.2025-W40.hotspot-staging-1-1"  // pid 1 (init) is always running
        try FileManager.default.createDirectory(atPath: deadWeek, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: deadZip))
        let set = try StagedFolder(target: parent + "/2025-W42")
        #expect(!FileManager.default.fileExists(atPath: deadWeek) && !FileManager.default.fileExists(atPath: deadZip))
        #expect(FileManager.default.fileExists(atPath: live))
        try set.commit()
    }
}
