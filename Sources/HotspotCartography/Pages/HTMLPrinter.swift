import Foundation
import HotspotIO

/// Prints a self-contained HTML page to PDF with headless Chromium (Debian package `chromium`, installed by
/// tools/setup): a real HTML renderer, not a hand-written PDF writer. The PDF's two dates are set to `date`
/// (YYYY-MM-DD, from the inputs or --as-of) so that re-runs are byte-identical.
public enum HTMLPrinter {
    /// The browser used: `HOTSPOT_CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on the PATH.
    public static var browser: String? {
        if let e = ProcessInfo.processInfo.environment["HOTSPOT_CHROMIUM"], FileManager.default.isExecutableFile(atPath: e) { return e }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for d in path where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }

    /// The browser's version line ("Chromium 156.0.8078.108 …"), for the methods appendix.
    public static func version() -> String {
        guard let b = browser else { return "not installed" }
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: b)
        p.arguments = ["--version"]
        p.standardOutput = out; p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "unknown" }
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// PDF bytes of the HTML file at `html` (A4, the page's own @page rules, no header or footer).
    public static func pdf(html: String, date: String) throws -> Data { try start(html: html, date: date)() }

    /// Starts printing; the closure waits for Chromium and returns the PDF bytes (so other work runs meanwhile).
    public static func start(html: String, date: String) throws -> () throws -> Data {
        guard let b = browser else {
            throw OutputError.cannotWrite(html, "headless Chromium (Debian package chromium) is needed for pack.pdf: run tools/setup, or ask for --no-pdf")
        }
        let work = NSTemporaryDirectory() + "hotspot-print-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let out = work + "/page.pdf"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: b)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--disable-extensions", "--user-data-dir=\(work)/profile", "--no-pdf-header-footer",
                       "--run-all-compositor-stages-before-draw", "--print-to-pdf=\(out)",
                       URL(fileURLWithPath: html).absoluteString]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = work
        p.environment = env
        let err = Pipe()
        p.standardError = err; p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { try? FileManager.default.removeItem(atPath: work); throw error }
        return {
            defer { try? FileManager.default.removeItem(atPath: work) }
            let errText = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0, let d = FileManager.default.contents(atPath: out), d.starts(with: Data("%PDF".utf8)) else {
                throw OutputError.cannotWrite(html, "Chromium could not print the page: \(String(decoding: errText, as: UTF8.self).suffix(300))")
            }
            return fixNodeIDs(fixDates(d, date: date))
        }
    }

    /// Renumbers the tagged PDF's structure ids, `(node00001117)`, in the order they first appear, keeping their
    /// width (so the cross-reference offsets stay right): Chromium numbers them from its DOM node counter, which can
    /// differ by one between two prints of the same page.
    static func fixNodeIDs(_ pdf: Data) -> Data {
        var bytes = [UInt8](pdf)
        let open = Array("(node".utf8)
        var seen: [[UInt8]: Int] = [:]
        var i = 0
        while i + open.count < bytes.count {
            guard bytes[i] == open[0], bytes[i + 1] == open[1], bytes[i + 2] == open[2], bytes[i + 3] == open[3], bytes[i + 4] == open[4] else { i += 1; continue }
            var j = i + open.count
            while j < bytes.count && bytes[j] >= 48 && bytes[j] <= 57 && j - i < 30 { j += 1 }
            let width = j - (i + open.count)
            guard width > 0, j < bytes.count, bytes[j] == UInt8(ascii: ")") else { i += 1; continue }
            let key = Array(bytes[(i + open.count)..<j])
            let n = seen[key] ?? seen.count
            seen[key] = n
            let text = Array(String(n).utf8)
            if text.count <= width {
                let padded = [UInt8](repeating: 48, count: width - text.count) + text
                for k in 0..<width { bytes[i + open.count + k] = padded[k] }
            }
            i = j
        }
        return Data(bytes)
    }

    /// Replaces every `(D:YYYYMMDDHHMMSS…)` date with `date` at midnight UTC, padded to the same length so that the
    /// cross-reference offsets stay right.
    static func fixDates(_ pdf: Data, date: String) -> Data {
        var bytes = [UInt8](pdf)
        let digits = date.filter(\.isNumber)
        let stamp = Array("D:\(digits.prefix(8))000000+00'00'".utf8)
        let open = Array("(D:".utf8)
        var i = 0
        while i + open.count < bytes.count {
            if bytes[i] == open[0] && bytes[i + 1] == open[1] && bytes[i + 2] == open[2] {
                var j = i + 1
                while j < bytes.count && bytes[j] != UInt8(ascii: ")") && j - i < 40 { j += 1 }
                let len = j - (i + 1)
                // Only a real date: 14 digits after "D:", closed within the string.
                let digitsFollow = i + 17 < bytes.count && (3..<17).allSatisfy { bytes[i + $0] >= 48 && bytes[i + $0] <= 57 }
                if j < bytes.count && bytes[j] == UInt8(ascii: ")") && len >= stamp.count && len <= 30 && digitsFollow {
                    for k in 0..<len { bytes[i + 1 + k] = k < stamp.count ? stamp[k] : UInt8(ascii: " ") }
                }
                i = j
            }
            i += 1
        }
        return Data(bytes)
    }
}
