import ArgumentParser
import HotspotCore
import HotspotCartography
import HotspotReports

/// `hotspot stops`' one-page summary: formats, periods (a page each) and the place in its title.
struct StopsPageOptions: ParsableArguments {
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Formats of the one-page summary: svg and pdf (default: stops-summary.svg and .pdf), png, or none.", valueName: "format"))
    var pages: [String] = ["svg", "pdf"]
    @Option(name: .customLong("period"), help: ArgumentHelp("A summary page for this period, YYYY-MM..YYYY-MM (repeatable: a page each, stops-summary-FROM_TO, and one PDF of them all; default: one page for the analysed window).", valueName: "from..to"),
            transform: { s in guard let p = Period(parsing: s) else { throw ValidationError("--period \(s): use YYYY-MM..YYYY-MM, e.g. --period 2018-03..2018-05") }; return p })
    var periods: [Period] = []
    @Option(help: ArgumentHelp("The place named in the summary page's title (default: the boundary file's name).", valueName: "name"))
    var place: String?

    func check() throws {
        for f in pages where f != "none" && MapRaster.Format(rawValue: f) == nil {
            throw ValidationError("--pages takes svg, png, pdf or none (e.g. --pages svg png), not '\(f)'")
        }
        if pages.contains("none") && pages.count > 1 { throw ValidationError("--pages none takes no other format") }
    }

    func apply(to r: inout Project.StopsRequest) {
        r.pages = pages.compactMap(MapRaster.Format.init(rawValue:)); r.periods = periods; r.place = place
    }
}
