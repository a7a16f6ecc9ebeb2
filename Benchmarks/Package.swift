// swift-tools-version:6.1
// Benchmarks for hotspot, kept in their own package so that the main build and CI stay light.
// Run: tools/bench (or: swift package --package-path Benchmarks benchmark)
import PackageDescription

let package = Package(
    name: "HotspotBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "hotspot", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotspotBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HotspotCore", package: "hotspot"),
                .product(name: "HotspotGeo", package: "hotspot"),
                .product(name: "HotspotIO", package: "hotspot"),
                .product(name: "HotspotReports", package: "hotspot"),
            ],
            path: "Benchmarks/HotspotBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A million grid cells through the layer writers (issue 26): swift run -c release --package-path Benchmarks WriterBench
        .executableTarget(
            name: "WriterBench",
            dependencies: [
                .product(name: "HotspotCore", package: "hotspot"),
                .product(name: "HotspotGeo", package: "hotspot"),
                .product(name: "HotspotIO", package: "hotspot"),
            ],
            path: "Benchmarks/WriterBench"
        ),
    ]
)
