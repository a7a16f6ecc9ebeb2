import Foundation
import HotspotIO

/// A table of values drawn as an SVG heat table (mm units, the maps' font): one cell per row × column, its value
/// printed in it and its fill graded by `shade` (0…1, white to dark red, text white on the darkest), a marked cell
/// outlined in black and its value in bold, so it reads in black-and-white too.
public struct HeatTable: Sendable {
    public var title: String
    public var rowTitle: String, columnTitle: String
    public var rows: [String], columns: [String]
    /// Text per cell, row by row.
    public var text: [String]
    /// Fill level per cell, 0…1 (NaN: no fill).
    public var shade: [Double]
    /// Cells outlined and in bold.
    public var marked: [Bool]
    /// A line under the table (what the shading and the outline mean).
    /// Lines under the table, "\n" between them (two fit).
    public var note: String
    public init(title: String, rowTitle: String, columnTitle: String, rows: [String], columns: [String], text: [String],
                shade: [Double], marked: [Bool], note: String) {
        precondition(text.count == rows.count * columns.count && shade.count == text.count && marked.count == text.count)
        self.title = title; self.rowTitle = rowTitle; self.columnTitle = columnTitle; self.rows = rows; self.columns = columns
        self.text = text; self.shade = shade; self.marked = marked; self.note = note
    }

    /// Fill colours from light to dark (ColorBrewer Reds, 5 classes), one per fifth of the 0…1 levels.
    static let ramp = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]

    static func fill(_ level: Double) -> String? {
        guard level.isFinite, level >= 0.01 else { return nil }  // below 1 %: no fill (a ratio of 1.00 reads as none)
        return ramp[min(ramp.count - 1, Int(level * Double(ramp.count)))]
    }

    public func svg() -> String {
        let left = 34.0, top = 18.0, cellW = 22.0, cellH = 8.0
        let w = left + cellW * Double(columns.count) + 4, h = top + cellH * Double(rows.count) + 14
        var s = Chart.header(w, h, title)
        s += "<text x=\"4\" y=\"5\" font-size=\"3.4\" font-weight=\"bold\">\(Chart.x(title))</text>\n"
        s += "<text x=\"\(Chart.n(left + cellW * Double(columns.count) / 2))\" y=\"10\" font-size=\"2.6\" text-anchor=\"middle\">\(Chart.x(columnTitle))</text>\n"
        s += "<text x=\"4\" y=\"\(Chart.n(top - 2))\" font-size=\"2.6\">\(Chart.x(rowTitle))</text>\n"
        for (c, name) in columns.enumerated() {
            s += "<text x=\"\(Chart.n(left + cellW * (Double(c) + 0.5)))\" y=\"\(Chart.n(top - 2))\" font-size=\"2.4\" text-anchor=\"middle\">\(Chart.x(name))</text>\n"
        }
        for (r, name) in rows.enumerated() {
            let y = top + cellH * Double(r)
            s += "<text x=\"\(Chart.n(left - 1.5))\" y=\"\(Chart.n(y + cellH / 2 + 0.9))\" font-size=\"2.4\" text-anchor=\"end\">\(Chart.x(name))</text>\n"
            for c in columns.indices {
                let k = r * columns.count + c, x = left + cellW * Double(c)
                let f = Self.fill(shade[k]) ?? "#ffffff"
                s += "<rect x=\"\(Chart.n(x))\" y=\"\(Chart.n(y))\" width=\"\(Chart.n(cellW))\" height=\"\(Chart.n(cellH))\" fill=\"\(f)\" stroke=\"\(marked[k] ? "#000000" : "#bbbbbb")\" stroke-width=\"\(marked[k] ? "0.6" : "0.2")\"/>"
                let dark = f == Self.ramp[3] || f == Self.ramp[4]
                s += "<text x=\"\(Chart.n(x + cellW / 2))\" y=\"\(Chart.n(y + cellH / 2 + 0.9))\" font-size=\"2.6\" text-anchor=\"middle\"\(marked[k] ? " font-weight=\"bold\"" : "")\(dark ? " fill=\"#ffffff\"" : "")>\(Chart.x(text[k]))</text>\n"
            }
        }
        // The note's lines ("\n" between them) under the table.
        for (i, line) in note.split(separator: "\n").enumerated() {
            s += "<text x=\"4\" y=\"\(Chart.n(h - 7 + 3.2 * Double(i)))\" font-size=\"2.3\">\(Chart.x(String(line)))</text>\n"
        }
        return s + "</svg>\n"
    }
}
