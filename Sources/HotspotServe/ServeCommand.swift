import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `hotspot serve FOLDER`: the layers of an output folder as OGC API – Features, for QGIS, GDAL and browsers.
public struct ServeCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve every layer of an output folder as OGC API – Features (QGIS, GDAL, browsers), read-only.",
        discussion: """
            Publishes every *.geojson and every table of every *.gpkg under FOLDER (sub-folders too) as a collection, \
            and the folder's other files (map.html, PNG and PDF maps) as they are. Nothing outside FOLDER is served, \
            and only GET and HEAD are answered. Weekly output sets are served as they are replaced: a new week appears \
            without a restart, and a request never sees half of an old layer and half of a new one.

            Collection ids are the layer's path under FOLDER without its extension, '/' becoming '.': \
            layers/latest/wards.geojson → layers.latest.wards; a GeoPackage table adds '.' and the table: \
            layers/2025-W41/layers-2025-W41.gpkg table wards_2025_W41 → layers.2025-W41.layers-2025-W41.wards_2025_W41. \
            A GeoPackage beside a GeoJSON of the same name (wards.geojson, wards.gpkg) is served once, as the GeoJSON.

            Endpoints: / (landing page), /conformance, /api (OpenAPI 3.0), /collections, /collections/ID, \
            /collections/ID/items (bbox, bbox-crs, limit (default 10, above 10,000 lowered to 10,000), offset, \
            datetime on layers with a date field, crs), /collections/ID/items/FID. Coordinates are longitude/latitude \
            (CRS84) unless crs=http://www.opengis.net/def/crs/EPSG/0/27700 asks for British National Grid. \
            Add f=html (or open it in a browser) for pages, f=json for JSON.

            It listens on 127.0.0.1 (this machine only) unless --bind says otherwise; there is no authentication, so \
            --bind 0.0.0.0 shares the layers with everyone who can reach this machine. The first line on standard \
            output is the address, e.g.
              hotspot serve: http://127.0.0.1:8080/ (31 collections from hotspot-out)
            Ctrl-C (or SIGTERM) stops it.

            Examples:
              hotspot serve hotspot-out
              hotspot serve hotspot-out --port 0          (any free port; read the address from the first line)
              hotspot serve weekly --bind 0.0.0.0 --port 8081
            In QGIS: Layer › Add Layer › Add WFS / OGC API – Features Layer, new connection, URL http://127.0.0.1:8080.

            Exit codes: 0 stopped by Ctrl-C/SIGTERM; 64 usage error; 66 FOLDER missing; 73 cannot listen (port in use).
            """)

    @Argument(help: ArgumentHelp("The output folder whose layers to serve.", valueName: "folder"))
    public var folder: String

    @Option(parsing: .unconditional, help: ArgumentHelp("The TCP port to listen on (0: any free port).", valueName: "n"))
    public var port: Int = 8080

    @Option(help: ArgumentHelp("The address to listen on: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface; there is no authentication).", valueName: "address"))
    public var bind: String = "127.0.0.1"

    public func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port \(port) is not a TCP port: give 1 to 65535, or 0 for any free port")
        }
        var a4 = in_addr(), a6 = in6_addr()
        guard inet_pton(AF_INET, bind, &a4) == 1 || inet_pton(AF_INET6, bind, &a6) == 1 else {
            throw ValidationError("--bind \(bind) is not an IP address: give 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every interface)")
        }
        var st = stat()
        guard stat(folder, &st) == 0 else { Self.fail("\(folder): no such folder; give an output folder, e.g. hotspot serve hotspot-out", 66) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ValidationError("\(folder) is a file: give the output folder that holds it") }
    }

    static func fail(_ message: String, _ code: Int32) -> Never {
        FileHandle.standardError.write(Data("hotspot: error: \(message)\n".utf8))
        Foundation.exit(code)
    }

    public func run() async throws {
        let service: FeatureService
        do { service = try FeatureService(folder: folder) } catch { Self.fail("\(error)", 66) }
        let count = service.catalogue.rescan().entries.count
        let host = bind.contains(":") ? "[\(bind)]" : bind
        var logger = Logger(label: "hotspot-serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["HOTSPOT_SERVE_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        let folderText = folder
        let app = Application(
            router: ServeApp.router(service, fallbackBase: "http://\(host):\(port)"),
            server: HTTP1ClosingChannel.builder(),
            configuration: .init(address: .hostname(bind, port: port), serverName: "hotspot"),
            onServerRunning: { channel in
                let p = channel.localAddress?.port ?? 0
                FileHandle.standardOutput.write(Data("hotspot serve: http://\(host):\(p)/ (\(count) collections from \(folderText))\n".utf8))
            },
            logger: logger)
        do {
            try await app.runService()
        } catch let e as IOError where e.errnoCode == EADDRINUSE {
            Self.fail("port \(port) is in use: choose another with --port (or --port 0 for any free port)", 73)
        } catch let e as IOError {
            Self.fail("cannot listen on \(bind) port \(port): \(e.description); choose another with --port or --bind", 73)
        }
    }
}
