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
