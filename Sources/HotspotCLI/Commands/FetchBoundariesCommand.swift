import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// `hotspot fetch boundaries`: ONS ward and LSOA boundaries of one local authority from the Open Geography portal's
/// ArcGIS REST feature services, as GeoPackages in EPSG:27700, with the LSOA → ward lookup as CSV.
struct FetchBoundariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Download ONS ward and LSOA boundaries of a local authority as GeoPackage (EPSG:27700).",
        discussion: """
            Asks the ONS Open Geography portal's ArcGIS REST feature services (page by page, at most each layer's \
            maxRecordCount features a page) for the wards and LSOAs of one local authority, and writes them in the \
            output folder as GeoPackages in British National Grid (EPSG:27700), with the LSOA → ward lookup as CSV, \
            a SOURCES.md (service, layer, date, the ONS licence line) and manifest.json. A second run asks each \
            layer's description only and downloads nothing that has not changed. Example:
              hotspot fetch boundaries --wards 2024 --lsoa 2021 --within E09000023 \\
                --out data/
            writes data/wards-2024.gpkg (WD24CD, WD24NM, LAD24CD), data/lsoa-2021.gpkg (LSOA21CD, LSOA21NM) and \
            data/lsoa21-ward24-lookup.csv (--lsoa11-lookup adds lsoa11-lsoa21-lookup.csv). Service names change when \
            ONS publishes new versions: --wards-service and the like take another. See docs/reference/fetch-boundaries.md.
            """)

    @Option(help: ArgumentHelp("The wards of December YEAR (service Wards_December_YEAR_Boundaries_UK_BFC).", valueName: "year"))
    var wards: Int?
    @Option(help: ArgumentHelp("The LSOAs of the YEAR census: 2021 (service Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BFC_V10), chosen through the LSOA → ward → local authority lookup.", valueName: "year"))
    var lsoa: Int?
    @Option(help: ArgumentHelp("The local authority's ONS code (e.g. E09000023, Lewisham).", valueName: "code"))
    var within: String
    @Option(help: ArgumentHelp("The folder the files, SOURCES.md and manifest.json go into.", valueName: "dir"))
    var out: String
    @Option(help: ArgumentHelp("The ArcGIS REST services root (the ONS Open Geography portal's by default).", valueName: "url"))
    var serviceBase: String = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
    @Option(help: ArgumentHelp("Another ward service name (when ONS publishes a new version).", valueName: "name"))
    var wardsService: String?
    @Option(help: ArgumentHelp("Another LSOA boundary service name.", valueName: "name"))
    var lsoaService: String?
    @Option(help: ArgumentHelp("Another LSOA → ward → local authority lookup service name.", valueName: "name"))
    var lookupService: String?
    @Flag(help: "Also the ONS LSOA 2011 → 2021 lookup of the authority (exact fit, with the change indicator) as lsoa11-lsoa21-lookup.csv.")
    var lsoa11Lookup = false
    @Option(help: ArgumentHelp("Another LSOA 2011 → 2021 lookup service name.", valueName: "name"))
    var lsoa11LookupService: String = "LSOA11_LSOA21_LAD22_EW_LU_v5"
    @Flag(help: "Use what the output folder already holds; no network. Fails if a file asked for is not there.")
    var offline = false
    @Flag(help: "Print nothing but warnings and errors.")
    var quiet = false

    func validate() throws {
        if wards == nil && lsoa == nil && !lsoa11Lookup { throw ValidationError("give --wards YEAR, --lsoa 2021, --lsoa11-lookup or several") }
        if let w = wards, !(2019...2099).contains(w) { throw ValidationError("--wards \(w): give the year of the December wards, 2019 or later (e.g. 2024)") }
        if let l = lsoa, l != 2021 { throw ValidationError("--lsoa \(l): only 2021 LSOAs are fetched (2011 LSOAs: translate with the ONS LSOA 2011 → 2021 lookup)") }
        if within.range(of: #"^[EWSN][0-9]{8}$"#, options: .regularExpression) == nil {
            throw ValidationError("--within '\(within)': give a local authority's ONS code, a letter and 8 digits (e.g. E09000023 for Lewisham)")
        }
        if !(serviceBase.hasPrefix("http://") || serviceBase.hasPrefix("https://")) {
            throw ValidationError("--service-base '\(serviceBase)': give an http:// or https:// URL")
        }
    }

    func run() throws {
        try fetchJob {
            let fetcher = try BoundaryFetcher(base: serviceBase, within: within, out: out, offline: offline, settings: fetchHTTPSettings()) { note($0, quiet: quiet) }
            let year = wards ?? 2024
            let yy = String(format: "%02d", year % 100)
            if let w = wards {
                try fetcher.wards(year: w, service: wardsService ?? "Wards_December_\(w)_Boundaries_UK_BFC")
            }
            if lsoa != nil {
                try fetcher.lsoa2021(service: lsoaService ?? "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BFC_V10",
                                     lookup: lookupService ?? "LSOA21_WD\(yy)_LAD\(yy)_EW_LU", wardYear: yy)
            }
            if lsoa11Lookup { try fetcher.table("lsoa11-lsoa21-lookup.csv", service: lsoa11LookupService, where: "LAD22CD = '\(within)'") }
            try fetcher.finish()
        }
    }
}
