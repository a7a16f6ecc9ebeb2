import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// `hotspot fetch api`: street-level crimes of months not yet in an archive, from the police.uk API by polygon,
/// written in the archive's street-CSV layout. (`hotspot fetch policeuk --area FILE` uses the same `PoliceAPIFetcher`.)
struct FetchAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Download street-level crimes inside an area from the police.uk API, month by month.",
        discussion: """
            Asks data.police.uk's crimes-street/all-crime for each month with the area's boundary (grown and \
            simplified by 10 m, sent by POST when long), at most 15 requests a second with bursts of 30, waiting on \
            HTTP 429, splitting the area when the API answers 503 (more than 10,000 crimes); keeps the crimes inside \
            the exact area and writes DIR/YYYY-MM-FORCE-street.csv in police.uk's street CSV layout (LSOA columns \
            empty: the API gives none). A second run fetches nothing already in manifest.json for the same area \
            (--refetch fetches again). Example:
              hotspot fetch api --area lewisham.geojson --force metropolitan \\
                --from 2025-01 --to 2025-03 --out data/
            See docs/reference/fetch-api.md.
            """)

    @Option(help: ArgumentHelp("The area: a polygon layer (GeoJSON, GeoPackage, Shapefile); all its polygons together.", valueName: "file"))
    var area: String
    @OptionGroup var period: FetchMonthOptions
    @Option(help: ArgumentHelp("The folder the CSVs and manifest.json go into.", valueName: "dir"))
    var out: String
    @Option(help: ArgumentHelp("The API's root.", valueName: "url"))
    var apiBase: String = PoliceAPIFetcher.defaultBase
    @Option(help: ArgumentHelp("Requests per second on average (police.uk allows 15).", valueName: "n"))
    var rate: Double = 15
    @Option(help: ArgumentHelp("Requests in a burst (police.uk allows 30).", valueName: "n"))
    var burst: Double = 30
    @Flag(help: "Fetch months again even when the folder has them.")
    var refetch = false
    @Flag(help: "Print nothing but warnings and errors.")
    var quiet = false

    func validate() throws {
        if !(rate > 0 && rate <= 15) { throw ValidationError("--rate \(rate): give 0 < rate ≤ 15 (police.uk's limit)") }
        if !(burst >= 1 && burst <= 30) { throw ValidationError("--burst \(burst): give 1 to 30 (police.uk's limit)") }
    }

    func run() throws {
        try fetchJob {
            let request = PoliceAPIMonths.Request(area: area, force: period.force, months: period.monthNames, out: out,
                                                  apiBase: apiBase, rate: rate, burst: burst, refetch: refetch)
            let outcome = try PoliceAPIMonths(request: request, settings: fetchHTTPSettings()) { note($0, quiet: quiet) }.run()
            if !outcome.unchanged.isEmpty { note("unchanged: \(outcome.unchanged.joined(separator: ", ")) (already fetched for this area; --refetch fetches again)", quiet: quiet) }
            if !outcome.written.isEmpty { note("wrote \(outcome.written.joined(separator: ", ")) and manifest.json in \(out)", quiet: quiet) }
        }
    }
}
