// Benchmarks of the hot paths at 10^4…10^7 incidents (HOTSPOT_BENCH_SIZES to change), on synthetic police.uk data
// in the Lewisham extent. Inputs are generated once into $TMPDIR/hotspot-bench/ (the 10^7 CSV is ~1.3 GB).
// Figures and the machine are recorded in Benchmarks/README.md.
import Benchmark
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotReports

let sizes: [Int] = (ProcessInfo.processInfo.environment["HOTSPOT_BENCH_SIZES"] ?? "10000,100000,1000000,10000000")
    .split(separator: ",").compactMap { Int($0) }
let dataDir = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/hotspot-bench"
let shared = ProcessInfo.processInfo.environment["HOTSPOT_SHARED"] ?? "../shared"

/// Deterministic synthetic incidents in BNG (Lewisham box), snapped to a 20 m lattice like police.uk map points.
func bngPoints(_ n: Int, snap: Bool = true, seed: UInt64 = 42) -> ([Double], [Double]) {
    var rng = SplitMix64(seed: seed)
    var x = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        let u = Double(rng.next() >> 11) / Double(1 << 53), v = Double(rng.next() >> 11) / Double(1 << 53)
        x[i] = 533_000 + 9000 * u; y[i] = 168_000 + 12_000 * v
        if snap { x[i] = (x[i] / 20).rounded() * 20; y[i] = (y[i] / 20).rounded() * 20 }
    }
    return (x, y)
}

/// A police.uk street-level CSV of n rows (written once).
func policeCSV(_ n: Int) throws -> String {
    let path = "\(dataDir)/police-\(n).csv"
    if FileManager.default.fileExists(atPath: path) { return path }
    try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
    var (x, y) = bngPoints(n)
    _ = try Projection(from: 27700, to: 4326).transform(x: &x, y: &y)
    let types = ["Burglary", "Anti-social behaviour", "Violence and sexual offences", "Vehicle crime", "Criminal damage and arson"]
    FileManager.default.createFile(atPath: path + ".tmp", contents: nil)
    let fh = FileHandle(forWritingAtPath: path + ".tmp")!
    var buf = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
    var rng = SplitMix64(seed: 7)
    for i in 0..<n {
        let t = types[Int(rng.next() % 5)]
        let id = t == "Anti-social behaviour" ? "" : String(rng.next(), radix: 16) + String(rng.next(), radix: 16)
        buf += "\(id),2024-\(i % 12 < 9 ? "0" : "")\(i % 12 + 1),Metropolitan Police Service,Metropolitan Police Service,"
        buf += "\(Fmt.fixed(x[i], 6)),\(Fmt.fixed(y[i], 6)),On or near High Street,E01003189,Lewisham 034A,\(t),Under investigation,\n"
        if buf.utf8.count > 1 << 22 { fh.write(Data(buf.utf8)); buf = "" }
    }
    fh.write(Data(buf.utf8)); try fh.close()
    try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    return path
}

func wardsLayer() throws -> [Area] {
    let real = shared + "/geodata/lewisham/lbl_wd22_proposed_bng.geojson"
    let path = FileManager.default.fileExists(atPath: real) ? real : "../Geodata/demo/wards.geojson"
    return try Pipeline.loadLayer(LayerSpec(name: "wards", path: path)).areas
}

/// A coverage of k × k jittered quadrilaterals over England and Wales (450 × 550 km, EPSG:27700), each edge cut
/// into 18 pieces by points shared with the neighbouring cell (~70 vertices a cell, like an LSOA): k = 188 gives
/// 35,344 cells, the number of LSOAs in England and Wales.
func nationalCells(_ k: Int = 188) -> [Area] {
    var rng = SplitMix64(seed: 35)
    func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) - 0.5 }
    let w = 450_000 / Double(k), h = 550_000 / Double(k), pieces = 18
    var vx = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k + 1), vy = vx
    for i in 0...k { for j in 0...k {
        let edge = i == 0 || j == 0 || i == k || j == k
        vx[i][j] = 100_000 + Double(i) * w + (edge ? 0 : 0.6 * w * u()); vy[i][j] = 50_000 + Double(j) * h + (edge ? 0 : 0.6 * h * u())
    } }
    func line(_ a: (Int, Int), _ b: (Int, Int)) -> [XY] {
        (0..<pieces).map { t in
            let f = Double(t) / Double(pieces)
            return XY(vx[a.0][a.1] + (vx[b.0][b.1] - vx[a.0][a.1]) * f, vy[a.0][a.1] + (vy[b.0][b.1] - vy[a.0][a.1]) * f)
        }
    }
    // Each edge is computed from its lower/left end by both cells that share it, so their vertices are identical.
    func ring(_ i: Int, _ j: Int) -> [XY] {
        let bottom = line((i, j), (i + 1, j)), right = line((i + 1, j), (i + 1, j + 1))
        let top = line((i, j + 1), (i + 1, j + 1)), left = line((i, j), (i, j + 1))
        let tr = XY(vx[i + 1][j + 1], vy[i + 1][j + 1])
        return bottom + right + [tr] + top.dropFirst().reversed() + [top[0]] + left.dropFirst().reversed() + [bottom[0]]
    }
    var out: [Area] = []
    for j in 0..<k { for i in 0..<k {
        out.append(Area(id: String(format: "X%06d", j * k + i), name: "", geometry: MultiPolygon([Polygon(exterior: ring(i, j), holes: [])])))
    } }
    return out
}

func label(_ n: Int) -> String { n >= 1_000_000 ? "\(n / 1_000_000)M" : "\(n / 1000)k" }

var config: Benchmark.Configuration {
    .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
          maxDuration: .seconds(20), maxIterations: 5)
}

let benchmarks: @Sendable () -> Void = {
    for n in sizes {
        Benchmark("ingest police.uk CSV \(label(n))", configuration: config) { b in
            let path = try policeCSV(n)
            b.startMeasurement()
            let r = try IncidentReader.read(files: [path])
            b.stopMeasurement()
            blackHole(r.table.count)
        }
        for (kind, snap) in [("all distinct", false), ("police.uk repeats", true)] {
            Benchmark("project 4326→27700 \(kind) \(label(n))", configuration: config) { b in
                var (x, y) = bngPoints(n, snap: snap)
                _ = try Projection(from: 27700, to: 4326).transform(x: &x, y: &y)
                let p = try Projection(from: 4326, to: 27700)
                b.startMeasurement()
                let info = try p.transform(x: &x, y: &y)
                b.stopMeasurement()
                blackHole(info)
            }
        }
        Benchmark("attribute to wards \(label(n))", configuration: config) { b in
            let (x, y) = bngPoints(n, snap: false)
            let index = try AreaIndex(areas: try wardsLayer())
            b.startMeasurement()
            let a = index.assign(x: x, y: y)
            b.stopMeasurement()
            blackHole(a)
        }
        Benchmark("bin 100 m grid \(label(n))", configuration: config) { b in
            let (x, y) = bngPoints(n, snap: false)
            let grid = SquareGrid(x0: 533_000, y0: 168_000, cellSize: 100, ncols: 90, nrows: 120)
            b.startMeasurement()
            let c = binPoints(x: x, y: y, grid: grid)
            b.stopMeasurement()
            blackHole(c)
        }
    }
    let grid100 = SquareGrid(x0: 532_000, y0: 168_000, cellSize: 100, ncols: 100, nrows: 120)
    let grid25 = SquareGrid(x0: 532_000, y0: 168_000, cellSize: 25, ncols: 400, nrows: 480)
    Benchmark("kde exact quartic c100 h400 1M", configuration: config) { b in
        let (x, y) = bngPoints(1_000_000, snap: false)
        b.startMeasurement()
        blackHole(kernelDensity(x: x, y: y, grid: grid100, parameters: KDEParameters(bandwidth: 400, mode: .exact)))
    }
    Benchmark("kde exact quartic c25 h400 1M", configuration: config) { b in
        let (x, y) = bngPoints(1_000_000, snap: false)
        b.startMeasurement()
        blackHole(kernelDensity(x: x, y: y, grid: grid25, parameters: KDEParameters(bandwidth: 400, mode: .exact)))
    }
    Benchmark("kde binned quartic c100 h400 1M", configuration: config) { b in
        let (x, y) = bngPoints(1_000_000, snap: false)
        b.startMeasurement()
        blackHole(kernelDensity(x: x, y: y, grid: grid100, parameters: KDEParameters(bandwidth: 400, mode: .binned)))
    }
    Benchmark("kde binned quartic c100 h400 10M", configuration: config) { b in
        let (x, y) = bngPoints(10_000_000, snap: false)
        b.startMeasurement()
        blackHole(kernelDensity(x: x, y: y, grid: grid100, parameters: KDEParameters(bandwidth: 400, mode: .binned)))
    }
    // Neighbourhoods on the 35,344 polygons of a national layer (issue 12).
    let national = nationalCells()
    for rule in [ContiguityRule.queen, .rook] {
        Benchmark("contiguity \(rule.rawValue) 35k polygons", configuration: config) { b in
            b.startMeasurement()
            blackHole(try Contiguity.neighbourhood(national, rule: rule))
        }
    }
    Benchmark("knn 8 on 35k polygon centroids", configuration: config) { b in
        let (cx, cy) = try Contiguity.centroids(national)
        b.startMeasurement()
        blackHole(Neighbourhood.kNearest(x: cx, y: cy, k: 8))
    }
    // Issue 22: the Knox near-repeat table of `hotspot nearrepeat` (100 m × 5, 7 days × 4, 999 permutations) on 10,000
    // incidents in the Lewisham extent over a year; Benchmarks/knox_peer.py times pointpats on the same incidents.
    Benchmark("knox 10k incidents 999 permutations", configuration: config) { b in
        let (x, y) = bngPoints(10_000, snap: false)
        var rng = SplitMix64(seed: 9)
        let day = (0..<10_000).map { _ in Int32(19_000 + Int(rng.next() % 365)) }
        let bands = KnoxBands(distance: 100, spatialBands: 5, days: 7, temporalBands: 4)
        b.startMeasurement()
        let k = knoxTest(x: x, y: y, day: day, bands: bands, permutations: 999)
        b.stopMeasurement()
        blackHole(k.observed)
    }
    Benchmark("gistar 1M cells queen", configuration: config) { b in
        let g = SquareGrid(x0: 0, y0: 0, cellSize: 10, ncols: 1000, nrows: 1000)
        var rng = SplitMix64(seed: 1)
        let v = (0..<g.cellCount).map { _ in Double(rng.next() % 7) }
        b.startMeasurement()
        blackHole(giStar(grid: g, values: v, radius: 10 * 2.0.squareRoot()))
    }
    // Local Moran's I (issue 22): 100 × 100 cells, queen, 999 permutations; the values are those of
    // Benchmarks/moran_peer.py (esda on the same lattice): (k·7919 mod 13), + 10 in the block rows/cols 40..<60.
    Benchmark("local moran 10k cells queen 999 permutations", configuration: config) { b in
        let nr = 100, nc = 100
        let v = (0..<(nr * nc)).map { k in Double((k * 7919) % 13 + ((40..<60).contains(k / nc) && (40..<60).contains(k % nc) ? 10 : 0)) }
        let lists = (0..<(nr * nc)).map { k -> [Int] in
            let r = k / nc, c = k % nc
            return (-1...1).flatMap { dr in (-1...1).compactMap { dc -> Int? in
                let rr = r + dr, cc = c + dc
                return rr >= 0 && rr < nr && cc >= 0 && cc < nc ? rr * nc + cc : nil } }
        }
        let nb = Neighbourhood(lists: lists)
        b.startMeasurement()
        blackHole(localMoran(values: v, neighbourhood: nb, permutations: 999, seed: 1))
        blackHole(globalMoran(values: v, neighbourhood: nb, permutations: 999, seed: 1))
    }
    // Incremental spatial autocorrelation (issue 22, `hotspot optimized`): the same 100 × 100 lattice and values as the
    // Local Moran benchmark, 100 m cells, bands found as `hotspot optimized` finds them (from 100 m by 100 m, 10 bands:
    // up to ~314 neighbours a cell), Global Moran's I with z at each; Benchmarks/isa_peer.py runs esda on the same.
    Benchmark("incremental spatial autocorrelation 10k cells 10 bands", configuration: config) { b in
        let nr = 100, nc = 100
        let v = (0..<(nr * nc)).map { k in Double((k * 7919) % 13 + ((40..<60).contains(k / nc) && (40..<60).contains(k % nc) ? 10 : 0)) }
        let x = (0..<(nr * nc)).map { Double($0 % nc) * 100 + 50 }, y = (0..<(nr * nc)).map { Double($0 / nc) * 100 + 50 }
        b.startMeasurement()
        blackHole(OptimizedJob.findScale(x: x, y: y, values: v, bands: 10))
    }
    Benchmark("emerging 100k cells x 36 steps (space-time Gi*, 2 MK, classify)", configuration: config) { b in
        let g = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 400, nrows: 250)
        var rng = SplitMix64(seed: 2)
        let counts = (0..<36).map { _ in (0..<g.cellCount).map { _ in Double(rng.next() % 5) } }
        let cube = SpaceTimeCube(steps: TimeSteps(length: .months(1), days: [0], count: 36), counts: counts)
        b.startMeasurement()
        let st = spaceTimeGiStar(grid: g, cube: cube, radius: 100 * 2.0.squareRoot(), window: 1)
        let r = classifyEmerging(z: st.z, p: st.p, counts: cube.counts)
        b.stopMeasurement()
        blackHole(r)
    }
}
