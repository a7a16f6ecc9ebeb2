// swift-tools-version:6.1
import PackageDescription

// Layers, bottom to top (data flows one way: read → validate → project → attribute/bin → analyse → export):
//   CProj, CGEOS      – system-library shims for PROJ and GEOS (reentrant `_r` API only); CGDAL for OGR vector
//                       sources and GeoTIFF; CZlib for .csv.gz input;
//                       CSQLite for GeoPackage output; CHotspotSys for renameat2 (atomic folder swap) and mallopt
//   HotspotCore       – pure Swift analysis: columnar incidents, grids, binning, KDE, Gi*, FDR, Mann-Kendall
//   HotspotGeo        – PROJ/GEOS behind small owning types: projection, geometry, area index
//   HotspotIO         – readers (police.uk, stop and search, generic CSV, GeoJSON), quarantine, writers, metadata
//   HotspotCartography – maps, styles, context layers, charts, pages, the web map (what is drawn)
//   HotspotReports    – the jobs users run (inspect, area counts, grid counts, demo) and their output sets
//   HotspotCLI        – the commands (swift-argument-parser), thin; hotspot – its main
//   HotspotServe      – `hotspot serve`: OGC API – Features (Hummingbird) over an output folder's layers
//   hotspot-fuzz      – libFuzzer target / corpus replayer for the CSV reader, GeoJSON reader and option parsing
let package = Package(
    name: "hotspot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hotspot", targets: ["hotspot"]),
        .library(name: "HotspotCore", targets: ["HotspotCore"]),
        .library(name: "HotspotGeo", targets: ["HotspotGeo"]),
        .library(name: "HotspotIO", targets: ["HotspotIO"]),
        .library(name: "HotspotReports", targets: ["HotspotReports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(name: "CProj", pkgConfig: "proj",
                       providers: [.apt(["libproj-dev", "proj-data"])]),
        .systemLibrary(name: "CGEOS", pkgConfig: "geos",
                       providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CHotspotSys"),
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-gnutls-dev"])]),
        .target(name: "HotspotCore", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "HotspotGeo", dependencies: ["HotspotCore", "CProj", "CGEOS", "CGDAL"]),
        .target(name: "HotspotIO", dependencies: [
            "HotspotCore", "HotspotGeo", "CZlib", "CSQLite", "CHotspotSys", "CCurl",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Maps, charts and pages (SVG documents, label placement, QGIS styles, the web map): above IO, below the jobs.
        .target(name: "HotspotCartography", dependencies: ["HotspotCore", "HotspotGeo", "HotspotIO"]),
        .target(name: "HotspotReports", dependencies: ["HotspotCore", "HotspotGeo", "HotspotIO", "HotspotCartography", .product(name: "Yams", package: "Yams")]),
        .target(name: "HotspotCLI", dependencies: [
            "HotspotCore", "HotspotGeo", "HotspotIO", "HotspotCartography", "HotspotReports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `hotspot serve`: OGC API – Features over an output folder, on Hummingbird. Kept out of HotspotCLI so the
        // fuzz target (which links HotspotCLI, built with -sanitize=fuzzer) never builds Hummingbird.
        .target(name: "HotspotServe", dependencies: [
            "HotspotCore", "HotspotGeo", "HotspotIO", "HotspotCartography", "CGDAL", "CSQLite",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        .executableTarget(name: "hotspot", dependencies: [
            "HotspotCLI", "HotspotIO", "HotspotServe", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Coverage-guided fuzzing (tools/fuzz): built with -sanitize=fuzzer it is a libFuzzer target; built
        // normally it replays the files it is given (the committed seed corpus, in tools/test).
        .executableTarget(name: "hotspot-fuzz", dependencies: ["HotspotIO", "HotspotReports", "HotspotCLI"]),
        .executableTarget(name: "hotspot-demodata", dependencies: ["HotspotCore", "HotspotGeo", "HotspotIO"]),
        .testTarget(name: "HotspotReportsTests", dependencies: ["HotspotReports", "HotspotCartography", "HotspotTestSupport"]),
        .target(name: "HotspotTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HotspotCoreTests", dependencies: ["HotspotCore"]),
        .testTarget(name: "HotspotGeoTests", dependencies: ["HotspotGeo", "HotspotTestSupport"]),
        .testTarget(name: "HotspotIOTests", dependencies: ["HotspotIO", "HotspotTestSupport"]),
        .testTarget(name: "HotspotCartographyTests", dependencies: ["HotspotCartography", "HotspotTestSupport"]),
        .testTarget(name: "HotspotServeTests", dependencies: [
            "HotspotServe", "HotspotCore", "HotspotGeo", "HotspotIO", "HotspotTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
