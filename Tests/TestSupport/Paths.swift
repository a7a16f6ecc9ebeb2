import Foundation

/// Paths to committed fixtures and to the optional ../shared folder (real data, reference values).
public enum Paths {
    public static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // Tests/TestSupport/Paths.swift → repo
    public static func fixture(_ name: String) -> String { repo.appendingPathComponent("Tests/Fixtures/\(name)").path }
    public static let shared: String = ProcessInfo.processInfo.environment["HOTSPOT_SHARED"]
        ?? repo.deletingLastPathComponent().appendingPathComponent("shared").path
    public static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: shared + "/data/policeuk") }
    public static func sharedFile(_ rel: String) -> String { shared + "/" + rel }
}

/// A text file written into a new temporary folder (a project file, a CSV), for tests that read files.
public func temporaryFile(_ text: String, named name: String = "p.yaml") throws -> String {
    let dir = NSTemporaryDirectory() + "hotspot-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let p = dir + "/" + name
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    return p
}
