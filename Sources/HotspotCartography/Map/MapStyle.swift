import Foundation
import HotspotIO

/// How a layer's features are coloured: one class per feature (or none: not drawn), the same classes in the maps'
/// legends and in the QGIS styles (`.qml`, GeoPackage `layer_styles`).
public struct Classification: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Classes by value of a numeric field: class k holds lower[k] ≤ v < lower[k+1] (the last is closed).
        case graduated(lower: [Double], upper: [Double])
        /// Classes by exact value of a field (integer codes or strings).
        case categorized(values: [String])
    }
    public struct Class: Sendable, Equatable {
        public var label: String
        /// Fill colour, `#rrggbb`.
        public var fill: String
        /// Features in the class.
        public var count: Int
        /// Diagonal hatching over the fill (`#rrggbb`), for patterns that alternate (sporadic, oscillating).
        public var hatch: String? = nil
        /// An outline in the class's own colour (New Hot Spot), else none.
        public var outline: String? = nil
        /// Drawn as an outline only, with no fill (No Pattern Detected): what lies beneath stays visible.
        public var outlineOnly = false
        /// Marker size in mm, for point layers (incidents stacked at one point: larger for more).
        public var sizeMM: Double? = nil
        /// Line width in mm of an outline-only class (default 0.26 mm): weekly hotspots are drawn as thick outlines.
        public var lineMM: Double? = nil
        public init(label: String, fill: String, count: Int, hatch: String? = nil, outline: String? = nil, outlineOnly: Bool = false) {
            self.label = label; self.fill = fill; self.count = count; self.hatch = hatch; self.outline = outline; self.outlineOnly = outlineOnly
        }
    }
    /// The field the classes are read from (a column of the layer's table).
    public var field: String
    public var title: String
    public var kind: Kind
    public var classes: [Class]
    /// The class of each feature, or nil when it is not drawn (e.g. zero density).
    public var classOf: [Int?]

    /// Classes that hold at least one feature (what a legend shows).
    public var present: [(index: Int, cls: Class)] {
        classes.enumerated().filter { $0.element.count > 0 }.map { ($0.offset, $0.element) }
    }
}

/// Colour ramps and class rules for the products. Sequential ramps are ColorBrewer's (Brewer 2003), chosen from
/// its colour-blind-safe set; Gi* bins use the usual diverging blue–white–red of hot spot maps.
public enum MapStyle {
    /// ColorBrewer YlOrRd, 5 classes (colour-blind safe, print friendly).
    public static let ylOrRd5 = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
    /// ColorBrewer PuBu, 5 classes (rates per 1,000: a ramp distinct from the density's).
    public static let puBu5 = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]
    /// Gi* bins −3…+3 (cold 99/95/90 %, not significant, hot 90/95/99 %): ColorBrewer RdBu 7, centre near-white.
    public static let giBins: [(Int, String, String)] = [
        (-3, "#2166ac", "Cold spot, 99 % confidence"), (-2, "#67a9cf", "Cold spot, 95 % confidence"),
        (-1, "#d1e5f0", "Cold spot, 90 % confidence"), (0, "#f7f7f7", "Not significant"),
        (1, "#fddbc7", "Hot spot, 90 % confidence"), (2, "#ef8a62", "Hot spot, 95 % confidence"),
        (3, "#b2182b", "Hot spot, 99 % confidence"),
    ]
    /// How one emerging hot spot category is drawn.
    public struct EmergingSymbol: Sendable {
        public var code: Int, fill: String, label: String
        public var hatch: String? = nil, outline: String? = nil, outlineOnly = false
    }
    /// Emerging hot spot categories by code (ESRI's table order; `-code` for the cold mirror) as ArcGIS Pro's Emerging
    /// Hot Spot Analysis output draws them: New, Consecutive, Intensifying and Persistent Hot Spot fills as in the
    /// renderer of a published Pro output layer (ArcGIS Online feature service "violentCrimeTrend", Chicago, field
    /// PATTERN: New 203,8,0 outlined in the same red; Consecutive 189,109,94; Intensifying 224,23,9; Persistent
    /// 133,20,0); the other categories as an R reimplementation of Pro's palette gives them (its four hot values
    /// match the service's exactly): Diminishing 250,201,157; Sporadic hatched 245,210,181 on white; Oscillating
    /// hatched; Historical 222,188,164; cold mirrors 23,76,156 (New, outlined), 104,131,186, 69,113,173, 27,54,89,
    /// 212,228,234, hatched 158,182,207 on white, hatched, 188,198,204. Oscillating patterns keep the colour of
    /// their final state as the base and the opposite's as the hatching. No Pattern Detected: outline only.
    public static let emergingSymbols: [EmergingSymbol] = [
        .init(code: 1, fill: "#cb0800", label: "New Hot Spot", outline: "#cb0800"),
        .init(code: 2, fill: "#bd6d5e", label: "Consecutive Hot Spot"),
        .init(code: 3, fill: "#e01709", label: "Intensifying Hot Spot"),
        .init(code: 4, fill: "#851400", label: "Persistent Hot Spot"),
        .init(code: 5, fill: "#fac99d", label: "Diminishing Hot Spot"),
        .init(code: 6, fill: "#ffffff", label: "Sporadic Hot Spot", hatch: "#e8a070"),
        .init(code: 7, fill: "#eda882", label: "Oscillating Hot Spot", hatch: "#3468a8"),
        .init(code: 8, fill: "#debca4", label: "Historical Hot Spot"),
        .init(code: -1, fill: "#174c9c", label: "New Cold Spot", outline: "#174c9c"),
        .init(code: -2, fill: "#6883ba", label: "Consecutive Cold Spot"),
        .init(code: -3, fill: "#4571ad", label: "Intensifying Cold Spot"),
        .init(code: -4, fill: "#1b3659", label: "Persistent Cold Spot"),
        .init(code: -5, fill: "#d4e4ea", label: "Diminishing Cold Spot"),
        .init(code: -6, fill: "#ffffff", label: "Sporadic Cold Spot", hatch: "#7f9fc4"),
        .init(code: -7, fill: "#9eb6cf", label: "Oscillating Cold Spot", hatch: "#e07a4a"),
        .init(code: -8, fill: "#bcc6cc", label: "Historical Cold Spot"),
        .init(code: 0, fill: "#b2b2b2", label: "No Pattern Detected", outlineOnly: true),
    ]
    /// The categories as a code table (code, fill, label), for `codes(_:table:…)`.
    public static var emerging: [(Int, String, String)] { emergingSymbols.map { ($0.code, $0.fill, $0.label) } }

    /// Classes at multiples of the mean of the positive values (Chainey, Tompson & Uhlig 2008: incremental multiples
    /// of the mean cell density): below 1×, 1–2×, 2–3×, 3–4×, 4× and more. Unlike quantiles, the classes keep
    /// their meaning on an even surface (few cells above 2× the mean) and on a peaked one.
    public static func meanMultiples(_ values: [Double], field: String, title: String, ramp: [String], decimals: Int) -> Classification {
        let pos = values.filter { $0 > 0 && $0.isFinite }
        guard !pos.isEmpty else {
            return Classification(field: field, title: title, kind: .graduated(lower: [], upper: []), classes: [], classOf: values.map { _ in nil })
        }
        let mean = pos.reduce(0, +) / Double(pos.count), hi = pos.max()!
        let k = ramp.count
        let lower = [pos.min()!] + (1..<k).map { Double($0) * mean }
        let upper = Array(lower.dropFirst()) + [hi]
        var classes = (0..<k).map { i -> Classification.Class in
            let label = i == 0 ? "below the mean (< \(Fmt.fixed(mean, decimals)))"
                : i == k - 1 ? "\(i)× the mean or more (≥ \(Fmt.fixed(lower[i], decimals)))"
                : "\(i)–\(i + 1)× the mean (\(Fmt.fixed(lower[i], decimals)) – \(Fmt.fixed(upper[i], decimals)))"
            return Classification.Class(label: label, fill: ramp[i], count: 0)
        }
        let classOf: [Int?] = values.map { v in
            guard v > 0, v.isFinite else { return nil }
            let c = min(k - 1, Int((v / mean).rounded(.down)))
            classes[c].count += 1
            return c
        }
        return Classification(field: field, title: title, kind: .graduated(lower: lower, upper: upper), classes: classes, classOf: classOf)
    }

    /// Quantile classes of the positive values (zeros and NaN are not drawn): `k` classes with breaks at the
    /// k-quantiles of the positive values (type 7, as R's default), merged where breaks coincide.
    public static func quantiles(_ values: [Double], field: String, title: String, ramp: [String], decimals: Int) -> Classification {
        let pos = values.filter { $0 > 0 && $0.isFinite }.sorted()
        guard let lo = pos.first, let hi = pos.last else {
            return Classification(field: field, title: title, kind: .graduated(lower: [], upper: []), classes: [], classOf: values.map { _ in nil })
        }
        let k = ramp.count
        func q(_ p: Double) -> Double {
            let h = Double(pos.count - 1) * p, i = Int(h.rounded(.down)), f = h - Double(i)
            return i + 1 < pos.count ? pos[i] + f * (pos[i + 1] - pos[i]) : pos[i]
        }
        var breaks = [lo] + (1..<k).map { q(Double($0) / Double(k)) } + [hi]
        breaks = breaks.enumerated().filter { $0.offset == 0 || $0.element > breaks[$0.offset - 1] }.map(\.element)
        let n = max(1, breaks.count - 1)
        let colours = n == 1 ? [ramp[k - 1]] : (0..<n).map { ramp[Int((Double($0) * Double(k - 1) / Double(n - 1)).rounded())] }
        // Whole counts read as whole ranges: "1", "2", "3–4", "5–149" (class k holds lower ≤ v < next lower).
        let whole = decimals == 0 && breaks.allSatisfy { $0 == $0.rounded() }
        var classes = (0..<n).map { i -> Classification.Class in
            let a = breaks[i], b = breaks[min(i + 1, breaks.count - 1)]
            var label = "\(Fmt.fixed(a, decimals)) – \(Fmt.fixed(b, decimals))"
            if whole {
                let top = i == n - 1 ? b : b - 1
                label = top <= a ? Fmt.fixed(a, 0) : "\(Fmt.fixed(a, 0))–\(Fmt.fixed(top, 0))"
            }
            return Classification.Class(label: label, fill: colours[i], count: 0)
        }
        let classOf: [Int?] = values.map { v in
            guard v > 0, v.isFinite else { return nil }
            var c = 0
            while c + 1 < n && v >= breaks[c + 1] { c += 1 }
            classes[c].count += 1
            return c
        }
        return Classification(field: field, title: title,
                              kind: .graduated(lower: Array(breaks.prefix(n)), upper: breaks.count > 1 ? Array(breaks.dropFirst().prefix(n)) : [breaks[0]]),
                              classes: classes, classOf: classOf)
    }

    /// Quantile classes whose breaks come from `baseline` (e.g. every ward's count in each period of a fixed baseline)
    /// and are applied to `values`: the colours mean the same from one period to the next. The top class is open
    /// ("93 or more"), since a later period can exceed anything in the baseline.
    public static func quantiles(_ values: [Double], baseline: [Double], field: String, title: String, ramp: [String], decimals: Int) -> Classification {
        var c = quantiles(baseline, field: field, title: title, ramp: ramp, decimals: decimals)
        guard case let .graduated(lower, upper) = c.kind, !lower.isEmpty else {
            return quantiles(values, field: field, title: title, ramp: ramp, decimals: decimals)
        }
        let n = c.classes.count
        for k in c.classes.indices { c.classes[k].count = 0 }
        c.classOf = values.map { v in
            guard v > 0, v.isFinite else { return nil }
            var k = 0
            while k + 1 < n && v >= lower[k + 1] { k += 1 }
            c.classes[k].count += 1
            return k
        }
        let top = max(upper.last ?? 0, values.filter(\.isFinite).max() ?? 0)
        c.kind = .graduated(lower: lower, upper: Array(upper.dropLast()) + [top])
        c.classes[n - 1].label = "\(Fmt.fixed(lower[n - 1], decimals)) or more"
        return c
    }

    /// Point classes by the number of incidents stacked at one point (police.uk snaps incidents to anonymised points,
    /// so many share one): 1, 2–3, 4–9, 10 or more, drawn as ever larger markers (mm) in one colour.
    public static func stackedPoints(_ counts: [Int], field: String, title: String, colour: String = "#b2182b") -> Classification {
        let lower: [Double] = [1, 2, 4, 10], labels = ["1", "2–3", "4–9", "10 or more"], sizes = [1.8, 2.6, 3.6, 5.0]
        let top = max(10, Double(counts.max() ?? 10))
        var classes = labels.indices.map { Classification.Class(label: labels[$0], fill: colour, count: 0) }
        for k in classes.indices { classes[k].sizeMM = sizes[k] }
        let classOf: [Int?] = counts.map { n in
            guard n >= 1 else { return nil }
            let k = lower.lastIndex { Double(n) >= $0 }!
            classes[k].count += 1
            return k
        }
        return Classification(field: field, title: title, kind: .graduated(lower: lower, upper: Array(lower.dropFirst()) + [top]),
                              classes: classes, classOf: classOf)
    }

    /// Classes by integer code from a fixed table (Gi* bins, emerging categories); codes in `hidden` are not drawn.
    public static func codes(_ codes: [Int], table: [(Int, String, String)], field: String, title: String, hidden: Set<Int> = []) -> Classification {
        let symbols = Dictionary(emergingSymbols.map { ($0.label, $0) }, uniquingKeysWith: { a, _ in a })
        var classes = table.map { row -> Classification.Class in
            let e = symbols[row.2]
            return Classification.Class(label: row.2, fill: row.1, count: 0, hatch: e?.hatch, outline: e?.outline, outlineOnly: e?.outlineOnly ?? false)
        }
        let position = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.0, $0) })
        let classOf: [Int?] = codes.map { c in
            guard !hidden.contains(c), let k = position[c] else { return nil }
            classes[k].count += 1
            return k
        }
        return Classification(field: field, title: title, kind: .categorized(values: table.map { "\($0.0)" }), classes: classes, classOf: classOf)
    }
}
