import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct AccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "How well last period's hotspots predicted this period: hit rate, PAI, Recapture Rate Index.",
        discussion: """
            PAI = (n/N)/(a/A) (Chainey et al. 2008); RRI = (n₂/n₁)/(N₂/N₁) (Levine 2008), with --earlier. \
            Example (hot cells of an earlier kde run against later incidents):
              hotspot accuracy later.csv --hotspots out/kde/hotspots.geojson \\
                --earlier earlier.csv --boundary borough.geojson
              hotspot accuracy later.csv --hotspots out/emerging/emerging.geojson \\
                --where "category=New Hot Spot"
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("The hotspot product: hotspots.geojson, density.geojson, emerging.geojson, a .gpkg, or any polygon source OGR reads (Shapefile, FlatGeobuf, MapInfo, file.gpkg:layer, a PostGIS table as PG:… tables=…).", valueName: "file"))
    var hotspots: String
    @Option(name: .customLong("where"), help: ArgumentHelp("Keep features whose property equals a value, e.g. hot=1 or 'category=New Hot Spot'.", valueName: "property=value"),
            transform: parsed(AccuracyJob.propertyEquals, "give property=value, e.g. --where hot=1"))
    var whereClause: PropertyEquals?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Incident files of the period the product was made from (for the RRI).", valueName: "file"))
    var earlier: [String] = []
    @Option(help: ArgumentHelp("Study-area boundary (its area is A in the PAI; default: the later incidents' extent).", valueName: "file"))
    var boundary: String?

    func run() throws {
        try runJob {
            let wp = whereClause.map { ($0.property, $0.value) }
            var p = request(input, nil, output)
            p.boundary = boundary.map { LayerSpec(name: "boundary", path: $0) }
            p.products.accuracy = .init(hotspots: hotspots, whereProperty: wp, earlier: earlier)
            try p.checkOutput()
            let r = try AccuracyJob.run(p, command: commandLine)
            let a = r.accuracy
            note("\(r.selected) hotspot feature(s), \(Fmt.fixed(a.areaM2 / 1e6, 3)) km² of \(Fmt.fixed(a.studyAreaM2 / 1e6, 3)) km²: captured \(a.captured) of \(a.total) later incidents, hit rate \(Fmt.fixed(a.hitRate * 100, 1))%, PAI \(Fmt.fixed(a.pai, 2))" + (a.rri.map { ", RRI \(Fmt.fixed($0, 2))" } ?? ""), quiet: input.quiet)
            note("wrote \(r.written.joined(separator: ", ")) in \(output.out)", quiet: input.quiet)
        }
    }
}
