import Foundation
import HotspotIO
import HotspotCartography

/// The HTML pages (for a browser): plain lists and tables with links, field names shown with their full names.
enum HTMLPages {
    /// HTML text and attribute escaping (the evidence packs' `PackDocument.esc`, and `'` for single-quoted attributes).
    static func esc(_ s: String) -> String { PackDocument.esc(s).replacingOccurrences(of: "'", with: "&#39;") }

    static func page(_ title: String, _ body: String, crumbs: [(String, String)] = []) -> String {
        let nav = crumbs.map { "<a href=\"\(esc($0.1))\">\(esc($0.0))</a>" }.joined(separator: " › ")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5em;max-width:72em;color:#222}
            table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
            th{background:#f3f3f3}nav{margin-bottom:1em;font-size:.9em}code{background:#f6f6f6;padding:0 .2em}.muted{color:#666}
            li{margin:.3em 0}
            </style></head><body>
            <nav>\(nav)</nav>
            <h1>\(esc(title))</h1>
            \(body)
            </body></html>

            """
    }

    static func landing(base: String, folder: String, collections: Int) -> String {
        page("hotspot serve: \((folder as NSString).lastPathComponent)", """
            <p>OGC API – Features over the layers of <code>\(esc(folder))</code>: read-only, \(collections) collections.</p>
            <ul>
            <li><a href="\(esc(base))/collections?f=html">Collections</a> (<a href="\(esc(base))/collections?f=json">JSON</a>)</li>
            <li><a href="\(esc(base))/conformance?f=html">Conformance</a></li>
            <li><a href="\(esc(base))/api">API definition (OpenAPI 3.0, JSON)</a></li>
            </ul>
            <p class="muted">In QGIS: Layer › Add Layer › Add WFS / OGC API – Features Layer, a new connection with URL <code>\(esc(base))</code>.</p>
            """)
    }

    static func conformance(base: String, classes: [String]) -> String {
        page("Conformance", "<ul>" + classes.map { "<li><code>\(esc($0))</code></li>" }.joined() + "</ul>",
             crumbs: [("Home", base + "/?f=html")])
    }

    static func collections(base: String, _ pairs: [(CatalogueEntry, ServedLayer)]) -> String {
        var rows = ""
        for (e, l) in pairs {
            let u = base + "/collections/" + Percent.encode(e.id)
            rows += "<tr><td><a href=\"\(esc(u))?f=html\">\(esc(e.id))</a></td><td>\(esc(e.title))</td><td>\(l.features.count)</td>"
            rows += "<td>\(esc(l.geometryTypes.joined(separator: ", ")))</td><td>\(esc(l.temporalExtent.map { TimeParser.format($0.lowerBound).prefix(10) + " – " + TimeParser.format($0.upperBound - 1).prefix(10) } ?? ""))</td>"
            rows += "<td><a href=\"\(esc(u))/items?f=html\">features</a> · <a href=\"\(esc(u))/items?f=json\">GeoJSON</a></td></tr>\n"
        }
        return page("Collections", """
            <p>\(pairs.count) collections. <a href="\(esc(base))/collections?f=json">JSON</a></p>
            <table><tr><th>id</th><th>file</th><th>features</th><th>geometry</th><th>dates</th><th></th></tr>
            \(rows)</table>
            """, crumbs: [("Home", base + "/?f=html")])
    }

    static func fieldTable(_ l: ServedLayer) -> String {
        "<table><tr><th>field</th><th>full name</th><th>type</th></tr>"
            + l.fields.map { "<tr><td><code>\(esc($0.name))</code></td><td>\(esc($0.fullName ?? ""))</td><td>\(esc($0.type))</td></tr>" }.joined()
            + "</table>"
    }

    static func collection(base: String, _ e: CatalogueEntry, _ l: ServedLayer) -> String {
        let u = base + "/collections/" + Percent.encode(e.id)
        let b = l.extent84
        return page(e.title, """
            <p>\(esc(FeatureService.description(e, l)))</p>
            <p>Id <code>\(esc(e.id))</code>. <a href="\(esc(u))/items?f=html">Features</a> · <a href="\(esc(u))/items?f=json">GeoJSON</a> ·
            <a href="\(esc(u))?f=json">JSON</a></p>
            \(b.isEmpty ? "" : "<p>Extent (CRS84): \(b.minX), \(b.minY) – \(b.maxX), \(b.maxY)</p>")
            <h2>Fields</h2>
            \(fieldTable(l))
            """, crumbs: [("Home", base + "/?f=html"), ("Collections", base + "/collections?f=html")])
    }

    static func items(base: String, _ e: CatalogueEntry, _ l: ServedLayer, page features: [ServedFeature], matched: Int, offset: Int,
                      next: String?, prev: String?, json: String) -> String {
        let u = base + "/collections/" + Percent.encode(e.id)
        var head = "<tr><th>id</th><th>geometry</th>"
        for f in l.fields { head += "<th title=\"\(esc(f.name))\">\(esc(f.fullName ?? f.name))</th>" }
        head += "</tr>"
        var rows = ""
        for f in features {
            rows += "<tr><td><a href=\"\(esc(u))/items/\(esc(Percent.encode(f.idText)))?f=html\">\(esc(f.idText))</a></td>"
            rows += "<td>\(esc((f.geometry[.crs84] ?? nil)?.kind.rawValue ?? "none"))</td>"
            for field in l.fields { rows += "<td>\(esc(f.properties.first { $0.0 == field.name }?.1.text ?? ""))</td>" }
            rows += "</tr>\n"
        }
        let nav = [prev.map { "<a rel=\"prev\" href=\"\(esc($0))\">previous</a>" }, next.map { "<a rel=\"next\" href=\"\(esc($0))\">next</a>" }]
            .compactMap { $0 }.joined(separator: " · ")
        let range = features.isEmpty ? "none" : "\(offset + 1)–\(offset + features.count)"
        return page("\(e.title): features", """
            <p>Features \(range) of \(matched). \(nav) · <a href="\(esc(json))">GeoJSON</a></p>
            <table>\(head)
            \(rows)</table>
            <p>\(nav)</p>
            """, crumbs: [("Home", base + "/?f=html"), ("Collections", base + "/collections?f=html"), (e.id, u + "?f=html")])
    }

    static func feature(base: String, _ e: CatalogueEntry, _ l: ServedLayer, _ f: ServedFeature) -> String {
        let u = base + "/collections/" + Percent.encode(e.id)
        var rows = ""
        for (k, v) in f.properties {
            let full = l.fields.first { $0.name == k }?.fullName
            rows += "<tr><th>\(esc(full ?? k))\(full != nil && full != k ? " <code>\(esc(k))</code>" : "")</th><td>\(esc(v.text))</td></tr>"
        }
        let g = f.geometry[.crs84] ?? nil
        return page("\(e.id) · \(f.idText)", """
            <p>\(esc(g?.kind.rawValue ?? "No geometry"))\(g.map { " with \($0.x.count) points, bbox \($0.bbox.minX), \($0.bbox.minY) – \($0.bbox.maxX), \($0.bbox.maxY)" } ?? "").
            <a href="\(esc(u))/items/\(esc(Percent.encode(f.idText)))?f=json">GeoJSON</a></p>
            <table>\(rows)</table>
            """, crumbs: [("Home", base + "/?f=html"), ("Collections", base + "/collections?f=html"), (e.id, u + "?f=html"), ("features", u + "/items?f=html")])
    }
}
