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
