import Foundation
import Synchronization

/// One collection: a GeoJSON file or a GeoPackage feature table under the served folder.
public struct CatalogueEntry: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case geojson
        case geopackage(table: String)
    }
    /// Stable, URL-safe id: the path relative to the folder without its extension, `/` → `.` (a GeoPackage table:
    /// then `.` and the table), characters other than letters, digits, `-`, `_`, `.`, `~` → `_`.
    public var id: String
    /// Path relative to the folder, as found (with its extension).
    public var relativePath: String
    /// The file's path (inside the folder; a symbolic link inside is kept as its name, its target checked).
    public var path: String
    public var source: Source
    /// `NAME.fields.csv` beside the layer, when there is one.
    public var fieldsSidecar: String?

    public var title: String {
        switch source {
        case .geojson: return relativePath
        case .geopackage(let t): return "\(relativePath) · \(t)"
        }
    }
}

/// The collections of a folder: every `*.geojson` and every feature table of every `*.gpkg` under it, recursively;
/// hidden files and folders (`.NAME`, e.g. a staging folder being written) skipped, symbolic links followed only
/// to files inside the folder, a GeoPackage skipped when a GeoJSON of the same name lies beside it.
public struct Catalogue: Sendable {
    public var root: String
    public var entries: [CatalogueEntry]
    public var byID: [String: Int]

    public func entry(_ id: String) -> CatalogueEntry? { byID[id].map { entries[$0] } }

    /// URL-safe form of a name: letters, digits, `-`, `_`, `.`, `~` kept, anything else → `_`.
    public static func safe(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { u in
            (u.isASCII && (CharacterSet.alphanumerics.contains(u) || "-_.~".unicodeScalars.contains(u))) ? u : "_"
        }))
    }

    /// Scans `root` (a real path: no symbolic links in it). `tables` lists a GeoPackage's feature tables.
    public static func scan(root: String, tables: (String) -> [String] = LayerReader.featureTables) -> Catalogue {
        var found: [(rel: String, path: String)] = []
        var sidecars: Set<String> = []
        func walk(_ dir: String, _ rel: String, depth: Int) {
            guard depth < 32, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = dir + "/" + name, r = rel.isEmpty ? name : rel + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: walk(path, r, depth: depth + 1)
                case S_IFREG: break
                case S_IFLNK:
                    // A link is served only when it resolves to a file inside the folder.
                    guard let real = PathGuard.realpath(path), PathGuard.isInside(real, root: root), FileKey.of(path: real) != nil else { continue }
                default: continue
                }
                guard (st.st_mode & S_IFMT) != S_IFDIR else { continue }
                let lower = name.lowercased()
                if lower.hasSuffix(".fields.csv") { sidecars.insert(path) }
                if lower.hasSuffix(".geojson") || lower.hasSuffix(".gpkg") { found.append((r, path)) }
            }
        }
        walk(root, "", depth: 0)
        let geojsonStems = Set(found.filter { $0.rel.lowercased().hasSuffix(".geojson") }.map { String($0.rel.dropLast(8)) })
        func norm(_ s: String) -> String { String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }) }
        var entries: [CatalogueEntry] = []
        for (rel, path) in found {
            let isGeoJSON = rel.lowercased().hasSuffix(".geojson")
            let stem = String(rel.dropLast(isGeoJSON ? 8 : 5))
            let base = Catalogue.safe(stem.replacingOccurrences(of: "/", with: "."))
            let pathStem = String(path.dropLast(isGeoJSON ? 8 : 5))
            if isGeoJSON {
                let side = pathStem + ".fields.csv"
                entries.append(CatalogueEntry(id: base, relativePath: rel, path: path, source: .geojson,
                                              fieldsSidecar: sidecars.contains(side) ? side : nil))
            } else {
                if geojsonStems.contains(stem) { continue }
                let dir = (path as NSString).deletingLastPathComponent
                let ts = tables(path)
                for t in ts {
                    // The table's sidecar: NAME.fields.csv beside it whose NAME reads as the table (`wards-2025-W42`
                    // for `wards_2025_W42`), else the GeoPackage's own when it holds one table.
                    let side = sidecars.first { ($0 as NSString).deletingLastPathComponent == dir && norm(String(($0 as NSString).lastPathComponent.dropLast(11))) == norm(t) }
                        ?? (ts.count == 1 && sidecars.contains(pathStem + ".fields.csv") ? pathStem + ".fields.csv" : nil)
                    entries.append(CatalogueEntry(id: base + "." + Catalogue.safe(t), relativePath: rel, path: path,
                                                  source: .geopackage(table: t), fieldsSidecar: side))
                }
            }
        }
        // Ids made equal by the `_` rule are told apart by `~2`, `~3`, … in path order.
        var byID: [String: Int] = [:]
        for i in entries.indices {
            var id = entries[i].id, n = 2
            while byID[id] != nil { id = entries[i].id + "~\(n)"; n += 1 }
            entries[i].id = id
            byID[id] = i
        }
        return Catalogue(root: root, entries: entries, byID: byID)
    }
}

/// The catalogue, re-scanned when older than `maxAge` (and at once for an unknown id, at most every `minRescan`),
/// so a new week's folder appears without a restart.
public final class CatalogueStore: Sendable {
    public let root: String
    let maxAge: Double, minRescan: Double
    private let state = Mutex<(at: Double, catalogue: Catalogue?)>((0, nil))
    private let tableCache = Mutex<[String: (FileKey, [String])]>([:])

    public init(root: String, maxAge: Double = 2, minRescan: Double = 0.25) {
        self.root = root; self.maxAge = maxAge; self.minRescan = minRescan
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public func current() -> Catalogue {
        let t = Self.now()
        if let c = state.withLock({ s in t - s.at < maxAge ? s.catalogue : nil }) { return c }
        return rescan()
    }

    /// The entry for an id, re-scanning once when it is not (yet) known.
    public func entry(_ id: String) -> CatalogueEntry? {
        let c = current()
        if let e = c.entry(id) { return e }
        let t = Self.now()
        guard state.withLock({ t - $0.at >= minRescan }) else { return nil }
        return rescan().entry(id)
    }

    @discardableResult
    public func rescan() -> Catalogue {
        let c = Catalogue.scan(root: root) { path in
            let key = FileKey.of(path: path)
            if let key, let hit = self.tableCache.withLock({ $0[path] }), hit.0 == key { return hit.1 }
            let t = LayerReader.featureTables(path: path)
            if let key { self.tableCache.withLock { $0[path] = (key, t) } }
            return t
        }
        let t = Self.now()
        state.withLock { $0 = (t, c) }
        return c
    }
}
