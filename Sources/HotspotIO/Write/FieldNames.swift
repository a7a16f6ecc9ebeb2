import Foundation

/// Field names for GIS layers (GeoJSON properties, GeoPackage columns, QGIS styles) that survive an export to
/// Shapefile or ArcGIS: at most 10 characters of `a–z`, `0–9` and `_`, unique, derived from the CSV column names by
/// one rule. CSV files keep the full names; `NAME.fields.csv` beside each layer lists both with their type.
///
/// The rule: period labels (`2018-03..2018-09`) become `p1`, `p2`, … in order of first appearance; lower case, other
/// characters → `_`; a name over 10 characters then gets every abbreviation below, in order; one still over 10 is
/// cut to 10; a name already taken is cut to 8 and numbered `_2`, `_3`, ….
public enum FieldNames {
    /// Full name (or part of one) → abbreviation. Crime types are police.uk's, each at most 8 characters.
    public static let abbreviations: [(String, String)] = [
        ("peak_density_per_km2", "peak_km2"), ("peak_density_per_m2", "peak_m2"),
        ("density_per_km2", "dens_km2"), ("density_per_m2", "dens_m2"),
        ("weighted_count", "w_count"), ("rate_per_1000_", "rate_"), ("rate_per_1000", "rate1000"), ("category_code", "cat_code"),
        ("recent_pattern", "recent"), ("count_trend_", "ctrend_"), ("gi_bin_last", "gi_bin"), ("gi_z_last", "gi_z"),
        ("gi_p_last", "gi_p"), ("hot_steps", "hot_n"), ("cold_steps", "cold_n"), ("trend_tau", "tr_tau"),
        ("trend_z", "tr_z"), ("trend_p", "tr_p"), ("pct_change_vs_borough", "vsb"), ("borough_pct_change", "bpc"),
        ("pct_change", "pchg"), ("change", "chg"), ("_to_", "_"), ("touches_", "in_"), ("_names", "_nm"),
        ("anti_social_behaviour", "asb"), ("bicycle_theft", "bike"), ("criminal_damage_and_arson", "damage"),
        ("other_crime", "othcrime"), ("other_theft", "oththeft"), ("possession_of_weapons", "weapons"),
        ("public_order", "puborder"), ("theft_from_the_person", "theftper"), ("vehicle_crime", "vehicle"),
        ("violence_and_sexual_offences", "violence"), ("shoplifting", "shoplift"), ("count_", "n_"),
    ]

    public static let maxLength = 10

    /// A table ready for a GIS layer: the same rows under short names, the full → short map (for styles and the id
    /// column), and the `NAME.fields.csv` table (field, column, type: from the first non-null value).
    public struct Layer: Sendable {
        public let table: Table
        public let rename: [String: String]
        public let dictionary: Table
        /// Short → full name, every field (the `NAME.fields.csv` pairs): the aliases of the layer's QGIS styles.
        public var aliases: [String: String] {
            Dictionary(dictionary.rows.compactMap { r -> (String, String)? in
                guard case .string(let f) = r[0], case .string(let c) = r[1] else { return nil }
                return (f, c)
            }, uniquingKeysWith: { a, _ in a })
        }
    }

    public static func layer(_ long: Table) -> Layer {
        let short = shorten(long.columns)
        var dict = Table(columns: ["field", "column", "type"])
        dict.rows = long.columns.indices.map { c in
            let type = long.rows.lazy.compactMap { r -> String? in
                switch r[c] { case .int: return "integer"; case .double: return "real"; case .string: return "text"; case .null: return nil }
            }.first ?? "text"
            return [.string(short[c]), .string(long.columns[c]), .string(type)]
        }
        return Layer(table: Table(columns: short, rows: long.rows),
                     rename: Dictionary(zip(long.columns, short), uniquingKeysWith: { a, _ in a }), dictionary: dict)
    }

    /// Short names for `names`, in order (unique, ≤ 10 characters).
    public static func shorten(_ names: [String]) -> [String] {
        var taken = Set<String>()
        var periods: [String: String] = [:]
        let period = try! NSRegularExpression(pattern: "[0-9]{4}-[0-9]{2}(-[0-9]{2})?\\.\\.[0-9]{4}-[0-9]{2}(-[0-9]{2})?")
        return names.map { long in
            var text = long
            let ns = text as NSString
            for m in period.matches(in: text, range: NSRange(location: 0, length: ns.length)).reversed() {
                let label = ns.substring(with: m.range)
                let p = periods[label] ?? "p\(periods.count + 1)"
                periods[label] = p
                text = (text as NSString).replacingCharacters(in: m.range, with: p)
            }
            var s = ""
            for c in text.lowercased().unicodeScalars {
                let ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9")
                if ok { s.unicodeScalars.append(c) } else if !s.hasSuffix("_") { s += "_" }
            }
            while s.hasSuffix("_") && s.count > 1 { s.removeLast() }
            if s.isEmpty || s == "_" { s = "field" }
            if let f = s.first, f.isNumber || f == "_" { s = "f" + s }
            if s.count > maxLength { for (a, b) in abbreviations { s = s.replacingAll(a, with: b) } }
            if s.count > maxLength { s = String(s.prefix(maxLength)) }
            var name = s, k = 2
            while taken.contains(name) { name = String(s.prefix(maxLength - 2 - (k >= 10 ? 1 : 0))) + "_\(k)"; k += 1 }
            taken.insert(name)
            return name
        }
    }
}

extension String {
    fileprivate func replacingAll(_ a: String, with b: String) -> String {
        var out = "", rest = Substring(self)
        while let r = rest.range(of: a) { out += rest[..<r.lowerBound]; out += b; rest = rest[r.upperBound...] }
        return out + rest
    }
}
