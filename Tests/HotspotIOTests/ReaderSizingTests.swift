import Foundation
import Testing
import HotspotCore
@testable import HotspotIO

/// The duplicate-row set: inserting a block's hashes in one call counts exactly the repeats that inserting them one
/// by one counts (zeros skipped, repeats inside the block, growth in the middle).
@Suite struct HashSetTests {
    @Test func insertCountingEqualsOneByOne() {
        var rng = SplitMix64(seed: 4)
        var hashes: [UInt64] = []
        for _ in 0..<50_000 {
            let r = rng.next()
            switch r % 10 {
            case 0: hashes.append(0)
            case 1, 2: hashes.append(hashes.isEmpty ? 1 : hashes[Int(r >> 8) % hashes.count] | 1)
            default: hashes.append(rng.next() | 1)
            }
        }
        var a = HashSet64(capacity: 16), b = HashSet64(capacity: 16)
        var one = 0
        for h in hashes where h != 0 && !a.insert(h) { one += 1 }
        var batched = 0
        for start in stride(from: 0, to: hashes.count, by: 777) {
            batched += b.insertCounting(Array(hashes[start..<min(hashes.count, start + 777)]))
        }
        #expect(one == batched && one > 5_000)
        let first = hashes.first { $0 != 0 }!
        let again = b.insert(first)
        #expect(!again)
    }

    /// Repeats counted from the hashes kept by top byte (the reader's counting mode) equal those of one set.
    @Test func bucketsCountLikeOneSet() {
        var rng = SplitMix64(seed: 9)
        var hashes: [UInt64] = []
        for _ in 0..<60_000 {
            let r = rng.next()
            hashes.append(r % 5 == 0 && !hashes.isEmpty ? hashes[Int(r >> 8) % hashes.count] : rng.next() | 1)
        }
        var set = HashSet64(capacity: 16)
        let one = set.insertCounting(hashes)
        var buckets = [[UInt64]](repeating: [], count: 256)
        for h in hashes { buckets[Int(h >> 56)].append(h) }
        #expect(one > 10_000 && IncidentReader.countRepeats(buckets) == one)
    }
}

/// A file's size through a symbolic link is its target's (the reader sizes its tables and its progress from it).
@Suite struct InputSizeTests {
    @Test func sizeFollowsSymbolicLinks() throws {
        let dir = NSTemporaryDirectory() + "hotspot-size-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(repeating: 65, count: 12_345).write(to: URL(fileURLWithPath: dir + "/f.csv"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.csv", withDestinationPath: dir + "/f.csv")
        #expect(InputFile.size(dir + "/f.csv") == 12_345 && InputFile.size(dir + "/link.csv") == 12_345)
        #expect(InputFile.size(dir) == 0 && InputFile.size(dir + "/missing.csv") == 0)
    }
}

/// Each block is merged while the next one is parsed: across hundreds of blocks the duplicates counted (the default)
/// and those dropped (`dropDuplicates`, decided row by row in file order) agree with the rows written, and with a
/// read in one block.
@Suite struct PipelinedMergeTests {
    @Test func duplicatesAcrossBlocks() throws {
        var text = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
        var expected = 0
        for k in 0..<3000 {
            let j = k % 2500  // rows repeat after 2500; those without an id are never duplicates
            let id = j % 7 == 3 ? "" : "c\(j)"
            if k >= 2500 && !id.isEmpty { expected += 1 }
            text += "\(id),2022-0\(1 + j % 9),M,M,-0.0\(j % 50),51.46,On or near X,E01003254,Lewisham 036C,\(j % 3 == 0 ? "Burglary" : "Drugs"),x,\n"
        }
        let p = NSTemporaryDirectory() + "hotspot-dups-\(UUID().uuidString).csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        var results: [ReadResult] = []
        for (block, drop) in [(200, false), (200, true), (1 << 22, false), (1 << 22, true)] {
            var o = ReadOptions(); o.blockSize = block; o.dropDuplicates = drop
            let r = try IncidentReader.read(files: [p], options: o)
            #expect(r.files[0].duplicates == expected && r.files[0].balances)
            #expect(r.accepted == 3000 - (drop ? expected : 0))
            #expect(r.quarantine.filter { $0.reason == .duplicateRow }.count == (drop ? expected : 0))
            results.append(r)
        }
        #expect(results[0].table.sourceLine == results[2].table.sourceLine && results[0].table.category == results[2].table.category)
        #expect(results[1].quarantine == results[3].quarantine && results[1].table.x == results[3].table.x)
        #expect(expected > 300)
    }
}
