import Foundation

/// Paths to committed fixtures and to the optional ../shared folder (real data, reference values).
enum Paths {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { repo.appendingPathComponent("Tests/Fixtures/\(name)").path }
    static let shared: String = ProcessInfo.processInfo.environment["HOTSPOT_SHARED"]
        ?? repo.deletingLastPathComponent().appendingPathComponent("shared").path
    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: shared + "/data/policeuk") }
    static func sharedFile(_ rel: String) -> String { shared + "/" + rel }
}
