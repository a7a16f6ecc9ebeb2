import Foundation

/// Which file under the served folder a request path names, if any: nothing outside the folder is ever served.
public enum PathGuard {
    public static func realpath(_ p: String) -> String? {
        guard let r = Foundation.realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    /// `real` (a resolved path) is `root` or below it.
    public static func isInside(_ real: String, root: String) -> Bool {
        root == "/" || real == root || real.hasPrefix(root + "/")
    }

    /// The file a raw (still percent-encoded) request path names under `root` (a resolved path), or nil (→ 404):
    /// refused are `.` and `..` segments (plain or percent-encoded), encoded `/` and `\`, a `\` or NUL, empty
    /// segments (`//`, an absolute path inside the path), hidden names (`.NAME`, e.g. a staging folder), and
    /// anything whose resolved path (symbolic links followed) lies outside `root`. A folder gives its `index.html`.
    public static func resolve(rawPath: String, root: String) -> String? {
        guard rawPath.hasPrefix("/") else { return nil }
        let lower = rawPath.lowercased()
        if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") || rawPath.contains("\\") { return nil }
        var segments: [String] = []
        let raw = rawPath.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (i, s) in raw.enumerated() {
            if s.isEmpty {
                if i == raw.count - 1 { continue }  // a trailing slash: the folder itself
                return nil
            }
            guard let d = Percent.decode(s), !d.isEmpty, !d.hasPrefix("."), !d.contains("/"), !d.contains("\0") else { return nil }
            segments.append(d)
        }
        var path = segments.isEmpty ? root : root + "/" + segments.joined(separator: "/")
        guard var real = realpath(path), isInside(real, root: root) else { return nil }
        var st = stat()
        guard stat(real, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            path = real + "/index.html"
            guard let r = realpath(path), isInside(r, root: root), stat(r, &st) == 0 else { return nil }
            real = r
        }
        return (st.st_mode & S_IFMT) == S_IFREG ? real : nil
    }

    /// Content type by extension.
    public static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json": return "application/json"
        case "geojson": return "application/geo+json"
        case "csv": return "text/csv; charset=utf-8"
        case "txt", "md", "prj": return "text/plain; charset=utf-8"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "svg": return "image/svg+xml"
        case "pdf": return "application/pdf"
        case "tif", "tiff": return "image/tiff"
        case "gpkg": return "application/geopackage+sqlite3"
        case "zip": return "application/zip"
        case "qml", "xml": return "application/xml"
        default: return "application/octet-stream"
        }
    }
}
