import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

struct Areas: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count incidents per area (ward, LSOA, …), with rates per 1,000 residents.",
        discussion: """
            Writes, per layer NAME: areas-NAME.geojson (RFC 7946), areas-NAME.gpkg (GeoPackage, EPSG:27700), \
            areas-NAME.qml (its QGIS style), areas-NAME.fields.csv (full field names) and areas-NAME.csv; with --map, \
            map-NAME.svg/.pdf/.png; plus map.html + map-data.js + leaflet/ (the web map), quarantine.csv and \
            metadata.json. Example:
              hotspot areas Geodata/demo/incidents.csv --areas \\
                wards=Geodata/demo/wards.geojson \\
                --population wards=Geodata/demo/wards_population.csv --out hotspot-out
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var mapOptions: MapCLIOptions

    func validate() throws {
        if areas.layers.isEmpty { throw ValidationError("give at least one layer, e.g. --areas wards=wards.geojson") }
    }

    func run() throws {
        try runJob {
            var p = request(input, areas, output, map: mapOptions)
            p.products.areas = .init(map: mapOptions.options)
            try p.checkOutput()
            ProgressView.install(quiet: input.quiet)
            let r = try AreasJob.run(p, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            for w in r.warnings { note("warning: \(w)") }
            for c in r.layers {
                note("\(c.layer): \(c.rows.count) areas, \(c.rows.reduce(0) { $0 + $1.count }) incidents attributed\(c.weightedColumn == "harm" ? " (harm \(Fmt.number(c.rows.reduce(0) { $0 + $1.weighted })))" : ""), \(c.unassigned) outside every area", quiet: input.quiet)
            }
            note("wrote \(r.written.joined(separator: ", ")) in \(output.out)", quiet: input.quiet)
        }
    }
}
