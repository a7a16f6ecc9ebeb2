import Foundation
import HotspotIO

/// A printable, self-contained HTML evidence document (no network: styles inline, charts and maps as inline SVG):
/// numbered sections of text, tables, figures and officer placeholders. Every table is also an exhibit CSV and is
/// rendered from the same `Table` values, so each number on the page is in an exhibit; numbers in running text are
/// marked `<span class="n" data-exhibit="…">` with the exhibit that holds them.
public struct PackDocument: Sendable {
    public enum Block: Sendable {
        /// A paragraph of HTML built with `PackDocument.esc` and `PackDocument.num`.
        case text(String)
        case table(Table, exhibit: String, caption: String)
        /// An SVG chart or map; `page` makes it a full-page figure (a map), kept whole.
        case figure(svg: String, exhibit: String, caption: String, page: Bool)
        /// Marked "to be completed by officers".
        case placeholder(title: String, prompt: String)
        /// A definition list of (term, HTML).
        case facts([(String, String)])
        /// A small note under a table (HTML), e.g. what suppression withheld.
        case note(String)
    }
    /// The fewest rows of one table a printed page may hold (a page never shows a lone row or two of a table).
    public static let minRowsPerPage = 3
    /// Tables of up to this many rows fit on an A4 page and are kept whole, with their caption.
    public static let keepWholeRows = 25
    public struct Section: Sendable {
        public var id: String, title: String, blocks: [Block]
        /// Start the section on a new page.
        public var newPage: Bool
        public init(id: String, title: String, newPage: Bool = false, blocks: [Block]) {
            self.id = id; self.title = title; self.blocks = blocks; self.newPage = newPage
        }
    }
    public var title: String
    public var subtitle: String
    /// Lines under the title (area, period, date, status).
    public var cover: [(String, String)]
    public var sections: [Section]
    public var footer: [String]
    public init(title: String, subtitle: String, cover: [(String, String)], sections: [Section], footer: [String]) {
        self.title = title; self.subtitle = subtitle; self.cover = cover; self.sections = sections; self.footer = footer
    }

    /// HTML-escaped text.
    public static func esc(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }
    /// A number in running text, marked with the exhibit that holds it.
    public static func num(_ value: String, _ exhibit: String) -> String {
        "<span class=\"n\" data-exhibit=\"\(esc(exhibit))\">\(esc(value))</span>"
    }

    static let style = """
    @page { size: A4 portrait; margin: 14mm 14mm 16mm 14mm;
      @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 8pt 'DejaVu Sans', Arial, sans-serif; color: #333; } }
    html { font: 9.5pt/1.4 'DejaVu Sans', Arial, Helvetica, sans-serif; color: #000; background: #fff; }
    body { margin: 0; }
    h1 { font-size: 20pt; margin: 0 0 2mm; }
    h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 0.4mm solid #000; padding-bottom: 1mm; break-after: avoid; }
    h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }
    .subtitle { font-size: 11pt; margin: 0 0 5mm; }
    .cover { border: 0.4mm solid #000; padding: 4mm 5mm; margin: 4mm 0 6mm; box-sizing: border-box; }
    .cover dt { font-weight: bold; float: left; width: 45mm; clear: left; }
    .cover dd { margin: 0 0 1mm 47mm; }
    .toc ol { margin: 1mm 0 0 5mm; padding: 0; }
    section.newpage { break-before: page; }
    table { border-collapse: collapse; margin: 1.5mm 0 1mm; font-size: 8pt; break-inside: auto; }
    th, td { border: 0.2mm solid #555; padding: 0.6mm 1.4mm; text-align: left; vertical-align: top; }
    td.long { overflow-wrap: anywhere; }
    table { max-width: 100%; }
    code, dd, p { overflow-wrap: anywhere; }
    th { background: #e6e6e6; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr { break-inside: avoid; }
    thead { display: table-header-group; }
    div.keep { break-inside: avoid; }
    tbody.keep { break-inside: avoid; }
    .note { font-size: 8pt; margin: -2mm 0 3mm; break-before: avoid; }
    p { orphans: 3; widows: 3; }
    .caption { font-size: 8pt; color: #222; margin: 0 0 3mm; }
    .caption code, .exhibit { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; }
    figure { margin: 2mm 0 3mm; break-inside: avoid; }
    figure svg { width: 100%; height: auto; display: block; }
    figure.page svg { width: 157mm; height: 222mm; margin: 0 auto; }
    .placeholder { border: 0.6mm dashed #000; padding: 3mm 4mm; margin: 3mm 0; min-height: 22mm; break-inside: avoid; }
    .placeholder .tag { font-weight: bold; text-transform: uppercase; letter-spacing: 0.05em; }
    dl.facts dt { font-weight: bold; float: left; clear: left; width: 52mm; }
    dl.facts dd { margin: 0 0 0.8mm 54mm; }
    .footer { margin-top: 6mm; font-size: 7.5pt; border-top: 0.2mm solid #555; padding-top: 1.5mm; }
    """

    public func html() -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(Self.esc(title))</title>\n"
        h += "<style>\n\(Self.style)\n</style>\n</head>\n<body>\n"
        h += "<header>\n<h1>\(Self.esc(title))</h1>\n<p class=\"subtitle\">\(Self.esc(subtitle))</p>\n<dl class=\"cover\">\n"
        for (k, v) in cover { h += "<dt>\(Self.esc(k))</dt><dd>\(v)</dd>\n" }
        h += "</dl>\n<nav class=\"toc\"><strong>Contents</strong><ol>\n"
        for s in sections { h += "<li><a href=\"#\(s.id)\">\(Self.esc(s.title))</a></li>\n" }
        h += "</ol></nav>\n</header>\n"
        for (k, s) in sections.enumerated() {
            h += "<section id=\"\(s.id)\"\(s.newPage ? " class=\"newpage\"" : "")>\n<h2>\(k + 1). \(Self.esc(s.title))</h2>\n"
            for b in s.blocks { h += render(b) }
            h += "</section>\n"
        }
        h += "<div class=\"footer\">" + footer.map(Self.esc).joined(separator: "<br>\n") + "</div>\n</body>\n</html>\n"
        return h
    }

    func render(_ b: Block) -> String {
        switch b {
        case .text(let t): return "<p>\(t)</p>\n"
        case .facts(let f):
            return "<dl class=\"facts\">\n" + f.map { "<dt>\(Self.esc($0.0))</dt><dd>\($0.1)</dd>\n" }.joined() + "</dl>\n"
        case .placeholder(let title, let prompt):
            return "<div class=\"placeholder\"><span class=\"tag\">To be completed by officers:</span> <strong>\(Self.esc(title))</strong><br>\(Self.esc(prompt))</div>\n"
        case .figure(let svg, let exhibit, let caption, let page):
            // The SVG's XML declaration is not allowed inside HTML.
            var body = svg
            if body.hasPrefix("<?xml"), let e = body.range(of: "?>") { body = String(body[e.upperBound...]) }
            return "<figure\(page ? " class=\"page\"" : "")>\n\(body.trimmingCharacters(in: .whitespacesAndNewlines))\n<figcaption class=\"caption\">\(Self.esc(caption)) Exhibit: <code>\(Self.esc(exhibit))</code></figcaption>\n</figure>\n"
        case .table(let t, let exhibit, let caption):
            var s = "<table data-exhibit=\"\(Self.esc(exhibit))\">\n<thead><tr>"
            s += t.columns.map { "<th>\(Self.esc($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined() + "</tr></thead>\n"
            func row(_ r: [Value]) -> String {
                "<tr>" + r.map { v -> String in
                    let text = v.csvText
                    return v.isNumeric ? "<td class=\"num\">\(Self.esc(text))</td>" : text.count > 24 ? "<td class=\"long\">\(Self.esc(text))</td>" : "<td>\(Self.esc(text))</td>"
                }.joined() + "</tr>\n"
            }
            let captionHTML = "<p class=\"caption\">\(Self.esc(caption)) Exhibit: <code>\(Self.esc(exhibit))</code></p>\n"
            // No page shows fewer than `minRowsPerPage` rows of a table: a table that fits on a page is kept whole
            // (with its caption); a longer one breaks only between its first and last `minRowsPerPage` rows, which
            // are kept together, and its header repeats on every page.
            let k = Self.minRowsPerPage
            if t.rows.count <= Self.keepWholeRows {
                return "<div class=\"keep\">\n" + s + "<tbody>\n" + t.rows.map(row).joined() + "</tbody>\n</table>\n" + captionHTML + "</div>\n"
            }
            s += "<tbody class=\"keep\">\n" + t.rows.prefix(k).map(row).joined() + "</tbody>\n"
            s += "<tbody>\n" + t.rows.dropFirst(k).dropLast(k).map(row).joined() + "</tbody>\n"
            s += "<tbody class=\"keep\">\n" + t.rows.suffix(k).map(row).joined() + "</tbody>\n"
            return s + "</table>\n" + captionHTML
        case .note(let html):
            return "<p class=\"note\">\(html)</p>\n"
        }
    }
}
