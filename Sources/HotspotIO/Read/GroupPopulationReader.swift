import Foundation
import HotspotCore

/// Residents by ethnic group per area (`hotspot stops --population-by-group NAME=FILE`): a CSV whose first column
/// is the area id and which has the columns White, Black, Asian, Mixed and Other (the Census 2011 ethnic group
/// totals, as in lbl_ethnicity_wd22.csv and lbl_ethnicity_lsoa11.csv; other columns are ignored).
public enum GroupPopulationReader {
    /// The largest count of residents accepted for one group of one area.
    public static let maxResidents = 1e10
    public static let groups = ["White", "Black", "Asian", "Mixed", "Other"]

    /// id → residents per group, in `groups` order.
    public static func read(_ path: String) throws -> [String: [Double]] {
        let text = try InputFile.text(path, limit: 64 << 20)
        var rows: [[String]] = []
        var scanner = CSVScanner()
        var data = Data(text.utf8)
        data.append(10)
        data.withUnsafeBytes { raw in
            scanner.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in rows.append((0..<rec.count).map { rec.string($0) ?? "" }) }
        }
        guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw InputError.unusable("\(path): empty population-by-group file")
        }
        let cols = groups.map { header.firstIndex(of: $0) }
        let missing = zip(groups, cols).filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty else {
            throw InputError.unusable("\(path): a population-by-group file needs the columns White, Black, Asian, Mixed and Other (missing: \(missing.joined(separator: ", ")))")
        }
        var out: [String: [Double]] = [:]
        for (n, r) in rows.dropFirst().enumerated() where !(r.count == 1 && r[0].isEmpty) {
            let v = cols.map { c in c! < r.count ? Double(r[c!].trimmingCharacters(in: .whitespaces)) : nil }
            // At most 10 billion residents per group: more than the world's population, so a value beyond it is an
            // error in the file, and sums and rates of these counts stay finite.
            guard let id = r.first, !id.isEmpty, v.allSatisfy({ $0 != nil && $0!.isFinite && $0! >= 0 && $0! <= Self.maxResidents }) else {
                throw InputError.unusable("\(path) row \(n + 1): an area id and five counts from 0 to 10 billion are needed")
            }
            guard out[id] == nil else { throw InputError.unusable("\(path) row \(n + 1): area '\(id.prefix(40))' is given twice") }
            out[id] = v.map { $0! }
        }
        return out
    }
}
