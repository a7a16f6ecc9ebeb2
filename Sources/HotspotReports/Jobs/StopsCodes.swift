import HotspotCore
import HotspotIO

/// How `hotspot stops` reads police.uk's outcome and ethnicity texts. Every text outside these lists is counted
/// under its own spelling, listed in metadata.json and left out of find rates and ratios (never merged).
public enum StopsCodes {
    /// Outcomes that mean nothing was found or done ("no further action"), police.uk spellings of 2016 onwards and
    /// before.
    public static let noFurtherAction: Set<String> = ["A no further action disposal", "Nothing found - no further action"]
    /// Every other known outcome (a find or an action: arrest, summons, caution, community resolution, penalty
    /// notice, drugs warning), old and new spellings. A blank outcome is "not recorded".
    public static let actions: Set<String> = [
        "Arrest", "Suspect arrested", "Summons / charged by post", "Suspect summonsed to court",
        "Caution (simple or conditional)", "Offender cautioned", "Community resolution", "Local resolution",
        "Penalty Notice for Disorder", "Offender given penalty notice", "Khat or Cannabis warning",
        "Offender given drugs possession warning", "Article found - Detailed outcome unavailable"]

    /// The census's five groups, in table order; the reference group of ratios is White.
    public static let groups = ["White", "Black", "Asian", "Mixed", "Other"]

    /// Officer-defined ethnicity → census group index: White, Black, Asian, Other map to themselves (police.uk's
    /// officer-defined values have no Mixed; a value Mixed maps to Mixed); blank → `.notRecorded`; any other text → `.unknown`.
    public static func officer(_ s: String) -> Ethnicity {
        if s.isEmpty { return .notRecorded }
        if let g = groups.firstIndex(of: s) { return .group(g) }
        return .unknown
    }

    /// Self-defined ethnicity (the 2011 census's 18 categories, "Group - category") → census group by its prefix:
    /// "White - …", "Black/African/Caribbean/Black British - …", "Asian/Asian British - …", "Mixed/Multiple ethnic
    /// groups - …", "Other ethnic group - …"; "Other ethnic group - Not stated" and blank → `.notRecorded`; any
    /// other text → `.unknown`.
    public static func selfDefined(_ s: String) -> Ethnicity {
        if s.isEmpty || s == "Other ethnic group - Not stated" { return .notRecorded }
        let prefixes = ["White - ", "Black/African/Caribbean/Black British - ", "Asian/Asian British - ",
                        "Mixed/Multiple ethnic groups - ", "Other ethnic group - "]
        if let g = prefixes.firstIndex(where: { s.hasPrefix($0) }) { return .group(g) }
        return .unknown
    }

    public enum Ethnicity: Equatable { case group(Int), notRecorded, unknown }

    /// Outcome classes for find rates: nil = left out (blank or unknown spelling); true = an outcome other than
    /// no further action.
    public static func found(_ outcome: String) -> Bool? {
        if noFurtherAction.contains(outcome) { return false }
        if actions.contains(outcome) { return true }
        return nil
    }

    /// "Outcome linked to object of search": True/False (any case) → Bool, anything else (blank) → nil.
    public static func linked(_ s: String) -> Bool? {
        switch s.lowercased() { case "true": return true; case "false": return false; default: return nil }
    }

    /// The texts of `column` outside its known list (outcomes, ethnicities), with their counts, sorted.
    public static func unknownSpellings(_ t: StopSearchTable, rows: [Int]) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        let checks: [(String, (String) -> Bool)] = [
            ("Outcome", { $0.isEmpty || found($0) != nil }),
            ("Officer-defined ethnicity", { officer($0) != .unknown }),
            ("Self-defined ethnicity", { selfDefined($0) != .unknown }),
            ("Outcome linked to object of search", { $0.isEmpty || linked($0) != nil })]
        for (name, known) in checks {
            let c = t.column(name)
            for i in rows where !known(c.text(i)) { out[name, default: [:]][c.text(i), default: 0] += 1 }
        }
        return out
    }
}
