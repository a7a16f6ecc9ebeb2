import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotReports

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise incident files: rows, months, crime types, extent, quarantine reasons.",
        discussion: "Nothing is written unless --quarantine is given. Example:\n  hotspot inspect Geodata/demo/incidents.csv")
    @OptionGroup var input: InputOptions
    @Option(help: ArgumentHelp("Write the rejected rows to this CSV.", valueName: "file"))
    var quarantine: String?
    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try runJob {
            if let q = quarantine { try OutputGuard.checkFile(q, inputs: input.files) }
            var p = Project(files: input.files, out: "")
            p.read = input.readOptions; p.gridDirectories = input.gridDirectories; p.sourceTable = input.sourceTable
            // Files: read and validated, projected only as far as the extent needs (or from the incident store).
            ProgressView.install(quiet: input.quiet)
            let report = p.sourceTable == nil
                ? InspectReport(try Pipeline.inspectIncidents(files: p.files, options: p.read, gridDirectories: p.gridDirectories))
                : InspectReport(try p.loadInputs(layers: false).incidents)
            let inc = report.incidents
            print(json ? report.json : report.text)
            for w in inc.warnings { note("warning: \(w)", quiet: input.quiet) }
            if let q = quarantine { try AtomicFile.write(Pipeline.quarantineCSV(inc.quarantine), to: q) }
        }
    }
}

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
            for w in r.warnings { note("warning: \(w)", quiet: input.quiet) }
            for c in r.layers {
                note("\(c.layer): \(c.rows.count) areas, \(c.rows.reduce(0) { $0 + $1.count }) incidents attributed, \(c.unassigned) outside every area", quiet: input.quiet)
            }
            note("wrote \(r.written.joined(separator: ", ")) in \(output.out)", quiet: input.quiet)
        }
    }
}

struct Grid: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count incidents per square grid cell (BNG-anchored).",
        discussion: """
            Cells are half-open [x0, x0+c) × [y0, y0+c), anchored at multiples of the cell size in EPSG:27700, row 0 \
            in the south, ids E{easting}N{northing} of the south-west corner (stable across runs). Writes grid.geojson, grid.csv, quarantine.csv and metadata.json. Example:
              hotspot grid Geodata/demo/incidents.csv --boundary \\
                Geodata/demo/boundary.geojson --clip --cell 250
            """)
    @OptionGroup var input: InputOptions
    @OptionGroup var areas: AreaOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var mapOptions: MapCLIOptions

    func validate() throws {
        if mapOptions.map && grid.hex != nil { throw ValidationError("--map draws square grids; hexagon maps are not available yet: drop --hex or --map") }
    }

    func run() throws {
        try runJob {
            var req = request(input, areas, output, map: mapOptions)
            req.products.grid = grid.gridRequest(map: mapOptions.options)
            try req.checkOutput()
            if let orientation = grid.hex {
                ProgressView.install(quiet: input.quiet)
                let (inc, p, written) = try GridJob.runHex(req, command: commandLine)
                note(summaryLine(inc), quiet: input.quiet)
                note("grid: \(p.cells.count) \(orientation.rawValue)-top hexagons, \(Fmt.number(p.grid.size)) m across flats (\(p.cellSizeSource)), \(p.counts.outside) incidents outside", quiet: input.quiet)
                note("wrote \(written.joined(separator: ", ")) in \(output.out)", quiet: input.quiet)
                return
            }
            ProgressView.install(quiet: input.quiet)
            let r = try GridJob.run(req, command: commandLine)
            note(summaryLine(r.incidents), quiet: input.quiet)
            let g = r.product.choice.grid
            note("grid: \(g.ncols) × \(g.nrows) cells of \(Fmt.number(g.cellSize)) m (\(r.product.choice.cellSizeSource)), origin E \(Fmt.number(g.x0)) N \(Fmt.number(g.y0)), \(r.product.cells.count) cells written, \(r.product.counts.outside) incidents outside the grid", quiet: input.quiet)
            reportEnd(warnings: r.warnings, written: r.written, out: output.out, quiet: input.quiet)
        }
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job on the demo data shipped with hotspot and write every output.",
        discussion: """
            The demo data are synthetic (see Geodata/README.md). They are found from any folder: --data FOLDER, else \
            $HOTSPOT_DEMO_DATA, else Geodata/demo under the current folder, else share/hotspot/demo beside the \
            executable's folder (an installed package), else the source tree hotspot was built from. Example:
              hotspot demo --out hotspot-out
            """)
    @Option(help: ArgumentHelp("Folder holding the demo data (default: found as above).", valueName: "folder"))
    var data: String?
    @OptionGroup var output: OutputOptions
    @Flag(help: "No progress messages on stderr.")
    var quiet = false

    func run() throws {
        try runJob {
            let data = try DemoData.locate(self.data)
            let demoFiles = ((try? FileManager.default.contentsOfDirectory(atPath: data)) ?? []).map { (data as NSString).appendingPathComponent($0) }
            try OutputGuard.check(out: output.out, inputs: demoFiles)
            let files = try DemoJob.run(dataDirectory: data, out: output.out, database: output.database.map { Project.Database(url: $0, schema: output.schema) },
                                       command: commandLine) { note($0, quiet: quiet) }
            note("wrote \(files.joined(separator: ", ")) in \(output.out)", quiet: quiet)
        }
    }
}

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Redraw the maps of an existing output folder (title, paper, focus, formats) without recomputing.",
        discussion: """
            Reads the folder's GeoPackages and metadata.json (kde, gistar, emerging, grid or areas on square cells \
            or areas), reloads the boundary, area and context layers the run used, and writes map.svg/.pdf/.png \
            (areas: map-NAME.*) into the folder, which is rewritten as a whole; its other files are kept. Without \
            options the maps are drawn as the run drew them (metadata.json "maps": paper, focus, zoom, points, \
            context layers, basemap), byte for byte; each option given overrides that. Example:
              hotspot map out/kde --title "Burglary, Lewisham" --paper a3 \\
                --focus "Rushey Green" --zoom focus
            """)
    @Argument(help: ArgumentHelp("An output folder written by kde, gistar, emerging, grid or areas.", valueName: "folder"))
    var folder: String
    @OptionGroup var mapOptions: MapCLIOptions
    @Option(name: .customLong("grid-dir"), help: "Folder holding PROJ transformation grids (as for the original run).")
    var gridDirectories: [String] = []
    @Flag(help: "No messages on stderr.")
    var quiet = false

    func run() throws {
        try runJob {
            let r = try MapRedrawJob.run(folder: folder, overrides: mapOptions.overrides, gridDirectories: gridDirectories)
            reportEnd(warnings: r.warnings, written: r.written, out: folder, quiet: quiet)
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a project file: read and project the incidents once, write every product it names.",
        discussion: """
            The project file (YAML, comments allowed) names the inputs, boundary, area layers with their populations, \
            focus areas and the products with their parameters; `hotspot init` writes a commented example. Unknown \
            keys, wrong values and missing files stop the run before anything is written, with the file, line and \
            key. Example:
              hotspot init hotspot.yaml && hotspot run hotspot.yaml
            """)
    @Argument(help: ArgumentHelp("The project file.", valueName: "project.yaml"))
    var project: String
    @Flag(help: "No progress messages on stderr.")
    var quiet = false
    @Flag(help: "Read the files afresh, neither using nor filling the incident store (see `hotspot store`).")
    var noStore = false

    func run() throws {
        try runJob {
            var p = try Project.load(project)
            if noStore { p.read.useStore = false }
            guard !p.products.names.isEmpty else {
                throw Project.ProjectError(file: project, line: 1, key: "products", message: "no products to run: add a products section (areas, grid, kde, gistar, emerging, compare, pspo); a project for hotspot weekly alone needs none")
            }
            ProgressView.install(quiet: quiet)
            let (inc, names, warnings) = try ProjectJob.run(p, command: commandLine, log: { note($0, quiet: quiet) })
            note(summaryLine(inc), quiet: quiet)
            reportEnd(warnings: warnings, written: Project.Products.written(names), out: p.out, quiet: quiet)
        }
    }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented example project file for the demo data.",
        discussion: "The demo data are found as for hotspot demo (from any folder). Example:\n  hotspot init hotspot.yaml && hotspot run hotspot.yaml")
    @Argument(help: ArgumentHelp("The project file to write (refused if it exists).", valueName: "file"))
    var file: String = "hotspot.yaml"
    @Option(help: ArgumentHelp("Folder of the demo data, as seen from the project file (default: found as for hotspot demo).", valueName: "folder"))
    var data: String?

    func run() throws {
        try runJob {
            guard !FileManager.default.fileExists(atPath: file) else { throw OutputError.cannotWrite(file, "it exists; choose another name or remove it") }
            let data = try self.data ?? DemoData.asSeenFrom(file: file, DemoData.locate(nil))
            try AtomicFile.write(ProjectJob.example(data: data), to: file)
            note("wrote \(file): edit it, then run: hotspot run \(file)")
        }
    }
}

struct WeeklyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weekly",
        abstract: "The neighbourhood team's weekly (or monthly) layers: incidents, wards, hotspots, Gi*, emerging, manifest.",
        discussion: """
            Builds OUT/layers/PERIOD/ from a project file (its inputs, boundary and ward layer; OUT is its 'out'): \
            incidents-PERIOD.geojson, wards-PERIOD, hotspots-PERIOD, gistar-PERIOD, emerging-PERIOD (GeoJSON + \
            GeoPackage + QGIS style each), layers-PERIOD.gpkg, map-PERIOD.* and manifest.json; the newest period built \
            is also in OUT/layers/latest/ under fixed names (wards.geojson, layers.gpkg…): point QGIS at it once.
            Hotspot ids and status (new/continuing/ended) are tracked from the data, so any build order gives the same \
            layers; ward colours are fixed from a baseline (weekly: baseline: FROM..TO; default the data's first 52 \
            weeks). police.uk's data are monthly: build months with --monthly (windows in months: 3- and 12-month \
            averages, 12 monthly emerging steps). Examples:
              hotspot weekly project.yaml --week 2026-W47
              hotspot weekly project.yaml --since-last
              hotspot weekly project.yaml --monthly --week 2018-09
            """)
    @Argument(help: ArgumentHelp("The project file.", valueName: "project.yaml"))
    var project: String
    @Option(help: ArgumentHelp("The ISO week to build, e.g. 2026-W47 (with --monthly, the month: 2018-09).", valueName: "YYYY-Www"))
    var week: String?
    @Flag(help: "Calendar months instead of ISO weeks (police.uk's monthly data): --week then takes YYYY-MM.")
    var monthly = false
    @Flag(help: "Build the newest complete week (month) in the data.")
    var latest = false
    @Flag(help: "Build every period after the newest one already built, up to the newest complete one.")
    var sinceLast = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Blank counts from 1 to K−1 in the ward and grid layers (for publication); 0 = none.", valueName: "K"))
    var suppressBelow: Int = 0
    @Flag(help: "Do not draw the week's map (map-WEEK.svg/.pdf/.png).")
    var noMap = false
    @Flag(help: "No messages on stderr.")
    var quiet = false
    @Flag(help: "Read the files afresh, neither using nor filling the incident store (see `hotspot store`).")
    var noStore = false

    func validate() throws {
        guard [week != nil, latest, sinceLast].filter({ $0 }).count == 1 else { throw ValidationError("give one of --week YYYY-Www, --latest or --since-last") }
        if let w = week, unit.start(w) == nil {
            throw ValidationError(monthly ? "--week '\(w)' is not a month: with --monthly use YYYY-MM, e.g. 2025-10" : "--week '\(w)' is not an ISO week: use YYYY-Www, e.g. 2026-W47")
        }
        try check(suppressBelow, "--suppress-below", in: 0...1000, example: "3")
    }

    var unit: WeeklyJob.Unit { monthly ? .month : .week }

    func run() throws {
        try runJob {
            var p = try Project.load(project)
            if noStore { p.read.useStore = false }
            var o = p.weekly
            if suppressBelow > 0 { o.suppressBelow = suppressBelow }
            if noMap { o.map = nil }
            o.unit = unit
            var weeks: [String]
            if let week { weeks = [week] } else {
                let newest = try WeeklyJob.latestWeek(p, unit: unit)
                weeks = [newest]
                if sinceLast, let target = unit.start(newest) {
                    let layers = (p.out as NSString).appendingPathComponent("layers")
                    let built = ((try? FileManager.default.contentsOfDirectory(atPath: layers)) ?? []).compactMap(unit.start).max()
                    if let b = built {
                        weeks = []
                        var d = unit.shift(b, 1)
                        while d <= target { weeks.append(unit.label(d)); d = unit.shift(d, 1) }
                        if weeks.isEmpty { note("nothing to build: \(unit.label(b)) is the newest complete period", quiet: quiet) }
                    }
                }
            }
            for w in weeks {
                let r = try WeeklyJob.run(p, week: w, options: o, command: commandLine)
                for x in r.warnings { note("warning: \(x)", quiet: quiet) }
                note("\(r.week): " + r.features.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + " → \(r.folder)", quiet: quiet)
            }
        }
    }
}

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Show or clear the incident store (the columns of files already read, so no command parses them twice).",
        discussion: """
            Every command that reads incident files keeps what it read and projected (accepted rows as columns, the \
            quarantine, each file's SHA-256) in the store; the next command on the same files with the same format \
            options starts from there instead of parsing and projecting again. An entry is used only while every \
            input file keeps its size, modification time and inode, and for the same hotspot executable and PROJ \
            version; it never changes a result. It lives in $HOTSPOT_STORE, else $XDG_CACHE_HOME/hotspot/incidents, \
            else ~/.cache/hotspot/incidents, and holds at most 8 GB (HOTSPOT_STORE_MAX_GB; the entries used longest \
            ago go first); HOTSPOT_STORE=off or --no-store on a command turns it off. For a store \
            shared between analysts, load the incidents into PostGIS and read them with --from-db. Examples:
              hotspot store
              hotspot store --clear
            """)
    @Flag(help: "Remove every entry.")
    var clear = false

    func run() throws {
        try runJob {
            guard let store = IncidentStore.default else {
                print("the incident store is off (HOTSPOT_STORE=off, or no home folder)")
                return
            }
            if clear {
                let (n, failed) = store.clear()
                print("removed \(n) entr\(n == 1 ? "y" : "ies") from \(store.directory)")
                if let f = failed.first {
                    throw OutputError.cannotWrite(f.path, "\(failed.count) entr\(failed.count == 1 ? "y" : "ies") could not be removed (\(f.reason)): make the folder writable, or remove \(store.directory) yourself")
                }
                return
            }
            let e = store.entries()
            print("incident store: \(store.directory)")
            /// Bytes as MB (decimal, one place), as disks are sold.
            func mb(_ n: Int) -> String { Fmt.fixed(Double(n) / 1e6, 1) + " MB" }
            print("entries: \(e.count), \(mb(e.reduce(0) { $0 + $1.bytes })) (at most \(mb(store.capacity)): the entries used longest ago go first)")
            for x in e {
                let what = store.describe(x.path).map { d in ": \(d.incidents) incidents from \(d.files.joined(separator: ", "))" } ?? ""
                print("  \((x.path as NSString).lastPathComponent) \(mb(x.bytes))\(what)")
            }
        }
    }
}
