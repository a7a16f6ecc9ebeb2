import Foundation

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
    /// Emerging hot spot categories by code (ESRI's table order; `-code` for the cold mirror): reds for hot and
    /// blues for cold, darkest where the pattern is most established, as in ArcGIS Pro's renderer.
    public static let emerging: [(Int, String, String)] = [
        (1, "#fcbba1", "New Hot Spot"), (2, "#fb6a4a", "Consecutive Hot Spot"), (3, "#67000d", "Intensifying Hot Spot"),
        (4, "#a50f15", "Persistent Hot Spot"), (5, "#ef3b2c", "Diminishing Hot Spot"), (6, "#fee0d2", "Sporadic Hot Spot"),
        (7, "#fc9272", "Oscillating Hot Spot"), (8, "#d9a99b", "Historical Hot Spot"),
        (-1, "#c6dbef", "New Cold Spot"), (-2, "#6baed6", "Consecutive Cold Spot"), (-3, "#08306b", "Intensifying Cold Spot"),
        (-4, "#08519c", "Persistent Cold Spot"), (-5, "#4292c6", "Diminishing Cold Spot"), (-6, "#deebf7", "Sporadic Cold Spot"),
        (-7, "#9ecae1", "Oscillating Cold Spot"), (-8, "#a3b3c4", "Historical Cold Spot"),
        (0, "#ffffff", "No Pattern Detected"),
    ]

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

    /// Classes by integer code from a fixed table (Gi* bins, emerging categories); codes in `hidden` are not drawn.
    public static func codes(_ codes: [Int], table: [(Int, String, String)], field: String, title: String, hidden: Set<Int> = []) -> Classification {
        var classes = table.map { Classification.Class(label: $0.2, fill: $0.1, count: 0) }
        let position = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.0, $0) })
        let classOf: [Int?] = codes.map { c in
            guard !hidden.contains(c), let k = position[c] else { return nil }
            classes[k].count += 1
            return k
        }
        return Classification(field: field, title: title, kind: .categorized(values: table.map { "\($0.0)" }), classes: classes, classOf: classOf)
    }
}
