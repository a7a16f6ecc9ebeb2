import Foundation
import HotspotIO
import Testing

/// The evidence pack's integrity tools: the deterministic ZIP and the SHA-256 manifest that `hotspot verify` checks.
@Suite struct PackTests {
    func folder() throws -> String {
        let d = NSTemporaryDirectory() + "hotspot-pack-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d + "/exhibits", withIntermediateDirectories: true)
        try "a,b\n1,2\n".write(toFile: d + "/exhibits/t.csv", atomically: true, encoding: .utf8)
        try String(repeating: "<p>evidence</p>\n", count: 500).write(toFile: d + "/index.html", atomically: true, encoding: .utf8)
        try Data([0, 1, 2, 255]).write(to: URL(fileURLWithPath: d + "/pack.bin"))
        try PackManifest.build(folder: d, pack: "p").write(to: URL(fileURLWithPath: d + "/manifest.json"))
        return d
    }

    @Test func zipRoundTripsAndIsDeterministic() throws {
        let entries: [(path: String, data: Data)] = [("p/a.txt", Data(String(repeating: "hotspot ", count: 1000).utf8)), ("p/b.bin", Data([1, 2, 3])), ("p/empty", Data())]
        let z1 = try ZipArchive.write(entries), z2 = try ZipArchive.write(entries)
        #expect(z1 == z2)
        #expect(z1.count < 1000)    // the repetitive text is deflated
        let back = try ZipArchive.read(z1)
        #expect(back.map(\.path) == entries.map(\.path) && back.map(\.data) == entries.map(\.data))
        // Fixed timestamp 1980-01-01 00:00 (DOS date 0x0021, time 0) in the first local header.
        #expect(z1[10] == 0 && z1[11] == 0 && z1[12] == 0x21 && z1[13] == 0)
    }

    @Test func zipRefusesDamageAndEscapingPaths() throws {
        var z = try ZipArchive.write([("p/a.txt", Data(String(repeating: "x", count: 5000).utf8))])
        z[40] ^= 0xff
        #expect(throws: ZipArchive.ZipError.self) { _ = try ZipArchive.read(z) }
        let evil = try ZipArchive.write([("../evil.txt", Data("x".utf8))])
        #expect(throws: ZipArchive.ZipError.self) { _ = try ZipArchive.read(evil) }
        #expect(throws: ZipArchive.ZipError.self) { _ = try ZipArchive.read(Data("not a zip".utf8)) }
    }

    @Test func verifyPassesThenFailsOnEveryKindOfChange() throws {
        let d = try folder()
        #expect(try PackManifest.verify(d).ok)
        #expect(try PackManifest.verify(d).checked == 3)
        // One byte of an exhibit.
        try "a,b\n1,3\n".write(toFile: d + "/exhibits/t.csv", atomically: true, encoding: .utf8)
        let r = try PackManifest.verify(d)
        #expect(!r.ok && r.changed.map(\.path) == ["exhibits/t.csv"])
        #expect(r.text.contains("changed: exhibits/t.csv"))
        // A file removed, a file added.
        let e = try folder()
        try FileManager.default.removeItem(atPath: e + "/pack.bin")
        try "x".write(toFile: e + "/exhibits/extra.csv", atomically: true, encoding: .utf8)
        let r2 = try PackManifest.verify(e)
        #expect(r2.missing == ["pack.bin"] && r2.extra == ["exhibits/extra.csv"])
    }

    /// A FIFO, a link to / or a loop of links inside a pack is reported, never opened (issue 21: verify hung on a
    /// FIFO and passed a pack with an added link).
    @Test func verifyReportsMembersThatAreNotRegularFiles() throws {
        let d = try folder()
        #expect(try PackManifest.verify(d).ok)
        #expect(mkfifo(d + "/exhibits-fifo", 0o644) == 0)
        #expect(symlink("/", d + "/root") == 0)
        #expect(symlink("loop-b", d + "/loop-a") == 0 && symlink("loop-a", d + "/loop-b") == 0)
        let r = try PackManifest.verify(d)
        #expect(!r.ok)
        #expect(r.special.map(\.path) == ["exhibits-fifo", "loop-a", "loop-b", "root"])
        #expect(r.special.first?.kind == "a FIFO" && r.text.contains("not a regular file: root (a symbolic link)"))
    }

    @Test func verifyReadsTheZipOfAPack() throws {
        let d = try folder()
        let files = try PackManifest.files(in: d) + [PackManifest.name]
        let zip = try ZipArchive.write(try files.map { ("p/\($0)", try Data(contentsOf: URL(fileURLWithPath: d + "/" + $0))) })
        let path = d + ".zip"
        try zip.write(to: URL(fileURLWithPath: path))
        #expect(try PackManifest.verify(path).ok)
        // Re-packed with one file changed (valid CRCs): the manifest catches it.
        let changed = try ZipArchive.write(try files.map { f in
            ("p/\(f)", f == "index.html" ? Data("<p>altered</p>".utf8) : try Data(contentsOf: URL(fileURLWithPath: d + "/" + f)))
        })
        try changed.write(to: URL(fileURLWithPath: path))
        #expect(try PackManifest.verify(path).changed.map(\.path) == ["index.html"])
    }
}
