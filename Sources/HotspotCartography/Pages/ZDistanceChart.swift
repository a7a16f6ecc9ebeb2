import Foundation
import HotspotIO

/// ArcGIS's "Spatial Autocorrelation by Distance" chart: Moran's I z-score (y) against the distance band (x,
/// metres), each band a point, filled where p < 0.05 (hollow otherwise), the z = 1.96 line dashed, the first and
/// the maximum peak ringed and labelled, the band chosen marked with a vertical line.
public struct ZDistanceChart: Sendable {
    public var title: String
    public var distances: [Double], z: [Double], significant: [Bool]
    public var firstPeak: Int?, maxPeak: Int?
    /// The distance used (a band's, or a fallback between or beyond them) and its label.
    public var chosen: (distance: Double, label: String)?
    public var width = 170.0, height = 90.0
    public init(title: String, distances: [Double], z: [Double], significant: [Bool]) {
        self.title = title; self.distances = distances; self.z = z; self.significant = significant
    }

    public func svg() -> String {
        let left = 16.0, right = 6.0, top = 10.0, bottom = 16.0
        let pw = width - left - right, ph = height - top - bottom
        let finite = z.filter(\.isFinite)
        let lo = min(0, (finite.min() ?? 0)), hiV = max(2.5, finite.max() ?? 1)
        let (step, _) = Chart.niceAxis(hiV - lo)
        let y0 = (lo / step).rounded(.down) * step, y1 = (hiV / step).rounded(.up) * step
        let xs = distances + (chosen.map { [$0.distance] } ?? [])
        let xmin = min(0, xs.min() ?? 0), xmax = max(xs.max() ?? 1, xmin + 1)
        func x(_ d: Double) -> Double { left + pw * (d - xmin) / (xmax - xmin) }
        func y(_ v: Double) -> Double { top + ph * (1 - (v - y0) / (y1 - y0)) }
        var s = Chart.header(width, height, title)
        s += "<text x=\"\(Chart.n(left))\" y=\"5\" font-size=\"3.4\" font-weight=\"bold\">\(Chart.x(title))</text>\n"
        var v = y0
        while v <= y1 + 1e-9 {
            s += "<line x1=\"\(Chart.n(left))\" y1=\"\(Chart.n(y(v)))\" x2=\"\(Chart.n(left + pw))\" y2=\"\(Chart.n(y(v)))\" stroke=\"\(abs(v) < 1e-9 ? "#000000" : "#cccccc")\" stroke-width=\"\(abs(v) < 1e-9 ? "0.3" : "0.15")\"/>"
            s += "<text x=\"\(Chart.n(left - 1))\" y=\"\(Chart.n(y(v) + 0.9))\" font-size=\"2.4\" text-anchor=\"end\">\(Fmt.number(v))</text>\n"
            v += step
        }
        s += "<line x1=\"\(Chart.n(left))\" y1=\"\(Chart.n(top))\" x2=\"\(Chart.n(left))\" y2=\"\(Chart.n(top + ph))\" stroke=\"#000000\" stroke-width=\"0.3\"/>\n"
        s += "<line x1=\"\(Chart.n(left))\" y1=\"\(Chart.n(y(1.96)))\" x2=\"\(Chart.n(left + pw))\" y2=\"\(Chart.n(y(1.96)))\" stroke=\"#606060\" stroke-width=\"0.3\" stroke-dasharray=\"1.5 1\"/>"
        s += "<text x=\"\(Chart.n(left + pw))\" y=\"\(Chart.n(y(1.96) - 0.8))\" font-size=\"2.2\" text-anchor=\"end\" fill=\"#606060\">z = 1.96 (p = 0.05)</text>\n"
        s += "<text transform=\"translate(3.5 \(Chart.n(top + ph / 2))) rotate(-90)\" font-size=\"2.6\" text-anchor=\"middle\">Moran's I z-score</text>\n"
        s += "<text x=\"\(Chart.n(left + pw / 2))\" y=\"\(Chart.n(height - 2))\" font-size=\"2.6\" text-anchor=\"middle\">Distance band (m)</text>\n"
        for d in distances {
            s += "<text x=\"\(Chart.n(x(d)))\" y=\"\(Chart.n(top + ph + 4))\" font-size=\"2.2\" text-anchor=\"middle\">\(Fmt.number(d.rounded()))</text>"
        }
        s += "\n"
        if let c = chosen {
            s += "<line x1=\"\(Chart.n(x(c.distance)))\" y1=\"\(Chart.n(top))\" x2=\"\(Chart.n(x(c.distance)))\" y2=\"\(Chart.n(top + ph))\" stroke=\"#d7191c\" stroke-width=\"0.35\" stroke-dasharray=\"2 1\"/>"
            s += "<text x=\"\(Chart.n(x(c.distance) + 1))\" y=\"\(Chart.n(top + 3))\" font-size=\"2.4\" fill=\"#d7191c\">\(Chart.x(c.label))</text>\n"
        }
        let pts = distances.indices.filter { z[$0].isFinite }
        s += "<path d=\"" + pts.enumerated().map { k, i in "\(k == 0 ? "M" : "L")\(Chart.n(x(distances[i]))) \(Chart.n(y(z[i])))" }.joined() + "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"0.45\"/>\n"
        for i in pts {
            s += "<circle cx=\"\(Chart.n(x(distances[i])))\" cy=\"\(Chart.n(y(z[i])))\" r=\"0.9\" fill=\"\(significant[i] ? "#000000" : "#ffffff")\" stroke=\"#000000\" stroke-width=\"0.3\"/>"
        }
        s += "\n"
        let marks: [(Int?, String, Double)] = firstPeak == maxPeak ? [(firstPeak, "first and maximum peak", -3.2)]
            : [(firstPeak, "first peak", -3.2), (maxPeak, "maximum peak", -3.2)]
        for (peak, label, dy) in marks {
            guard let i = peak, z[i].isFinite else { continue }
            let text = "\(label) \(Fmt.number(distances[i].rounded())) m"
            s += "<circle cx=\"\(Chart.n(x(distances[i])))\" cy=\"\(Chart.n(y(z[i])))\" r=\"2\" fill=\"none\" stroke=\"#d7191c\" stroke-width=\"0.4\"/>"
            s += "<text x=\"\(Chart.n(x(distances[i]) - 2.5))\" y=\"\(Chart.n(y(z[i]) + dy))\" font-size=\"2.4\" text-anchor=\"end\" fill=\"#d7191c\">\(Chart.x(text))</text>\n"
        }
        s += "<circle cx=\"\(Chart.n(left + 2))\" cy=\"\(Chart.n(height - 7.5))\" r=\"0.9\" fill=\"#000000\"/><text x=\"\(Chart.n(left + 4))\" y=\"\(Chart.n(height - 6.6))\" font-size=\"2.3\">p &lt; 0.05</text>"
        s += "<circle cx=\"\(Chart.n(left + 22))\" cy=\"\(Chart.n(height - 7.5))\" r=\"0.9\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"0.3\"/><text x=\"\(Chart.n(left + 24))\" y=\"\(Chart.n(height - 6.6))\" font-size=\"2.3\">not significant</text>\n"
        return s + "</svg>\n"
    }
}
