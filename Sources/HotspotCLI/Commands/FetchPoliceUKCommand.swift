import ArgumentParser
import Foundation
import HotspotIO

/// `hotspot fetch policeuk`: a force's months out of police.uk's archives, only the bytes they need.
struct FetchPoliceUK: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policeuk",
        abstract: "Fetch a force's police.uk months (street, stop and search, outcomes) out of the monthly archives.",
        discussion: """
        police.uk's archive YYYY-MM.zip (about 1.7 GB) holds the 36 months up to YYYY-MM for every force. Only its \
        central directory and the chosen force's files are read: from a URL by HTTP byte ranges (a force-month costs \
        megabytes, not the archive), from a file directly. Each month comes from the newest archive holding it \
        (--vintage first: the oldest, as first published). Files land as DIR/YYYY-MM-FORCE-KIND.csv, byte-identical \
        to the archive's, recorded in DIR/manifest.json; a second run fetches only what changed and names the months \
        whose rows changed; a cut or killed fetch resumes. Months no archive holds yet come from the police.uk API \
        with --area FILE (street crimes inside the area, 15 requests a second at most). Docs: docs/reference/fetch.md. \
        Examples:
          hotspot fetch policeuk --archive 2022-09.zip --force metropolitan \\
            --from 2022-03 --to 2022-09 --out data
          hotspot fetch policeuk --force metropolitan --from 2025-01 --to 2026-10 \\
            --area wards.geojson --out data
        """)

    @Option(name: .customLong("archive"), help: ArgumentHelp("A police.uk archive, a file or an http(s) URL, e.g. https://data.police.uk/data/archive/2022-09.zip (repeatable). Without it, the archives --archive-base lists.", valueName: "file-or-url"))
    var archives: [String] = []

    @Option(name: .customLong("archive-base"), help: ArgumentHelp("Where police.uk's archives are listed (the page linking to YYYY-MM.zip files), when no --archive is given.", valueName: "url"))
    var archiveBase = "https://data.police.uk/data/archive/"

    @OptionGroup var period: FetchMonthOptions

    @Option(help: ArgumentHelp("What to fetch, comma-separated: street, stop-and-search, outcomes.", valueName: "list"))
    var kinds = "street"

    @Option(help: ArgumentHelp("Which archive a month comes from when several hold it: newest (the force's latest re-supply, default) or first (as first published).", valueName: "newest|first"))
    var vintage = "newest"

    @Option(help: ArgumentHelp("Months no archive holds yet (police.uk publishes an archive a month or two late) come from the police.uk API: its street crimes inside this area (a polygon layer: GeoJSON, GeoPackage, Shapefile), e.g. the borough's wards. Without it such months are an error.", valueName: "file"))
    var area: String?

    @Option(name: .customLong("api-base"), help: ArgumentHelp("The police.uk API's root, for --area.", valueName: "url"))
    var apiBase: String = PoliceAPIFetcher.defaultBase

    @Option(help: ArgumentHelp("The fetch folder (created if needed): the CSV files and manifest.json.", valueName: "folder"))
    var out: String

    @Flag(help: "Fetch nothing: check that the folder holds every file asked for (exit 66 naming what is missing).")
    var offline = false

    @Flag(help: "No progress or summary messages on stderr (warnings and errors still print).")
    var quiet = false

    var kindList: [String] { kinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        let known = PoliceUKArchive.kinds
        guard !kindList.isEmpty, kindList.allSatisfy(known.contains) else {
            throw ValidationError("--kinds \(kinds): give a comma-separated list of \(known.joined(separator: ", "))")
        }
        guard ["newest", "first"].contains(vintage) else { throw ValidationError("--vintage \(vintage): give newest or first") }
        if offline && !archives.isEmpty { throw ValidationError("--offline reads the fetch folder only: leave out --archive") }
        if offline && area != nil { throw ValidationError("--offline reads the fetch folder only: leave out --area") }
    }

    func run() throws {
        try fetchJob {
            // The area is checked before anything is fetched.
            if let area { _ = try PoliceAPIMonths.area(area) }
            let request = PoliceUKFetch.Request(archives: archives, archiveBase: archiveBase, force: period.force, months: period.months,
                                                kinds: kindList, newest: vintage == "newest", out: out, offline: offline,
                                                apiTakesUncovered: area != nil)
            var job = PoliceUKFetch(request: request, settings: fetchHTTPSettings()) { note("hotspot: \($0)", quiet: quiet) }
            let outcome = try job.run()
            report(outcome)
            if let area, !outcome.apiMonths.isEmpty { try fetchFromAPI(outcome.apiMonths, area: area) }
        }
    }

    func report(_ outcome: PoliceUKFetch.Outcome) {
        for n in outcome.notes { note("note: \(n)", quiet: quiet) }
        for line in outcome.resupplied { note("re-supplied: \(line)") }
        note(FetchPoliceUK.summary(outcome, out: out), quiet: quiet)
    }

    /// The months no archive holds, from the police.uk API inside `--area` (street crimes only: the API's
    /// stop and search is by force, not by polygon, and it has no outcomes file).
    func fetchFromAPI(_ months: [YearMonth], area: String) throws {
        let names = months.map { "\($0)" }
        note("hotspot: \(names.count == 1 ? names[0] : "\(names.first!) … \(names.last!)"): in no archive yet; asking the police.uk API for the street crimes inside \(area)", quiet: quiet)
        if kindList.contains(where: { $0 != "street" }) {
            note("note: the police.uk API months give street crimes only (no \(kindList.filter { $0 != "street" }.joined(separator: ", ")) file for them)", quiet: quiet)
        }
        let request = PoliceAPIMonths.Request(area: area, force: period.force, months: names, out: out, apiBase: apiBase)
        let o = try PoliceAPIMonths(request: request, settings: fetchHTTPSettings()) { note("hotspot: \($0)", quiet: quiet) }.run()
        if !o.unchanged.isEmpty { note("hotspot: API months already fetched for this area: \(o.unchanged.joined(separator: ", "))", quiet: quiet) }
    }

    /// `fetched 7 files, 0 unchanged, in data; 412 KB received (0.34 % of the 120.7 MB archive)`.
    static func summary(_ o: PoliceUKFetch.Outcome, out: String) -> String {
        var s = "fetched \(o.written.count) file\(o.written.count == 1 ? "" : "s"), \(o.unchanged.count) unchanged, in \(out)"
        if o.archiveBytes > 0 {
            let moved = o.bytesReceived + o.bytesReadLocally
            let share = String(format: "%.2f", Double(moved) / Double(o.archiveBytes) * 100)
            s += "; \(o.bytesReceived) bytes received, \(o.bytesReadLocally) bytes read locally (\(share) % of \(PoliceUKFetch.bytes(o.archiveBytes)) of archives)"
        } else {
            s += "; \(o.bytesReceived) bytes received"
        }
        return s
    }
}
