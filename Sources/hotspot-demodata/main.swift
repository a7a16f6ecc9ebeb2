// Generates the embedded, clearly synthetic demo data in Geodata/demo (deterministic: same seed, same bytes).
// Usage: swift run hotspot-demodata [output-folder]   (default Geodata/demo)
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// SplitMix64: a small, fast, well-mixed deterministic generator.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
        let l = exp(-lambda); var k = 0; var p = 1.0
        repeat { k += 1; p *= uniform() } while p > l
        return k - 1
    }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(next() % UInt64(xs.count))] }
}

let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Geodata/demo"
let seed = CommandLine.arguments.count > 2 ? UInt64(CommandLine.arguments[2])! : 3
var rng = SplitMix64(state: seed)

// --- Geometry: a 9 km × 12 km borough in the real Lewisham extent, 12 wards of 3 km, 108 LSOAs of 1 km. -----------
let E0 = 533_000.0, E1 = 542_000.0, N0 = 168_000.0, N1 = 180_000.0, amp = 150.0
/// Ward boundaries (every 3 km, interior only) wiggle; LSOA-only lines are straight. Wiggles vanish at every
/// multiple of 1.5 km, so ward corners stay where the lines cross.
func isWardLine(_ v: Double, _ lo: Double, _ hi: Double) -> Bool {
    v > lo && v < hi && (v - lo).truncatingRemainder(dividingBy: 3000) == 0
}
func wx(_ X: Double, _ y: Double) -> Double { isWardLine(X, E0, E1) ? amp * sin(.pi * (y - N0) / 1500) : 0 }
func wy(_ Y: Double, _ x: Double) -> Double { isWardLine(Y, N0, N1) ? amp * sin(.pi * (x - E0) / 1500) : 0 }
func corner(_ X: Double, _ Y: Double) -> XY { XY(X + wx(X, Y), Y + wy(Y, X)) }
/// A cell bounded by lines X0..X1, Y0..Y1, vertices every 100 m along each line, counter-clockwise.
func cell(_ X0: Double, _ X1: Double, _ Y0: Double, _ Y1: Double) -> Polygon {
    let a = corner(X0, Y0), b = corner(X1, Y0), c = corner(X1, Y1), d = corner(X0, Y1)
    var r: [XY] = [a]
    // Intermediate vertices every 100 m, strictly between the corners (which a wiggling crossing line shifts).
    var x = (a.x / 100).rounded(.down) * 100 + 100; while x < b.x - 1 { r.append(XY(x, Y0 + wy(Y0, x))); x += 100 }
    r.append(b)
    var y = (b.y / 100).rounded(.down) * 100 + 100; while y < c.y - 1 { r.append(XY(X1 + wx(X1, y), y)); y += 100 }
    r.append(c)
    x = (c.x / 100).rounded(.up) * 100 - 100; while x > d.x + 1 { r.append(XY(x, Y1 + wy(Y1, x))); x -= 100 }
    r.append(d)
    y = (d.y / 100).rounded(.up) * 100 - 100; while y > a.y + 1 { r.append(XY(X0 + wx(X0, y), y)); y -= 100 }
    r.append(a)
    return Polygon(exterior: r)
}

let wardNames = ["Northbrook", "Riverside", "Kingsmead", "Hollowfield", "Market Cross", "St Aldhelm",
                 "Greenacre", "Ashdown", "Millpond", "Southwood", "Beacon Hill", "Fairlawn"]
struct Unit { var code: String; var name: String; var poly: Polygon; var pop: Int }
var wards: [Unit] = [], lsoas: [Unit] = []
for j in 0..<4 { for i in 0..<3 {
    let k = j * 3 + i
    wards.append(Unit(code: String(format: "E0590%04d", k + 1), name: wardNames[k],
                      poly: cell(E0 + Double(i) * 3000, E0 + Double(i + 1) * 3000, N0 + Double(j) * 3000, N0 + Double(j + 1) * 3000), pop: 0))
}}
for j in 0..<12 { for i in 0..<9 {
    let w = (j / 3) * 3 + i / 3
    let seq = (j % 3) * 3 + i % 3
    let pop = 1200 + Int(rng.next() % 800)
    lsoas.append(Unit(code: String(format: "E0190%04d", j * 9 + i + 1),
                      name: String(format: "Demo %03d%@", w + 1, String(UnicodeScalar(UInt8(65 + seq)))),
                      poly: cell(E0 + Double(i) * 1000, E0 + Double(i + 1) * 1000, N0 + Double(j) * 1000, N0 + Double(j + 1) * 1000), pop: pop))
    wards[w].pop += pop
}}

// --- Incidents: background + static hotspots + five planted space-time patterns. ------------------------------------
let months = (0..<36).map { CivilDate.monthOrdinal(year: 2023, month: 1) + $0 }  // 2023-01 … 2025-12
let T = months.count
struct Pattern { var name: String; var category: String; var e: Double; var n: Double; var sigma: Double; var rate: (Int) -> Double; var note: String }
let patterns: [Pattern] = [
    Pattern(name: "new", category: "New Hot Spot", e: 535_500, n: 171_500, sigma: 120,
            rate: { $0 == T - 1 ? 30 : 0 }, note: "none until the final month, then 30 (new within the last six months)"),
    Pattern(name: "intensifying", category: "Intensifying Hot Spot", e: 540_500, n: 174_500, sigma: 120,
            rate: { 4 + 20 * Double($0) / Double(T - 1) }, note: "rises linearly from 4 to 24 a month"),
    Pattern(name: "persistent", category: "Persistent Hot Spot", e: 536_500, n: 177_500, sigma: 120,
            rate: { _ in 15 }, note: "15 a month throughout"),
    Pattern(name: "diminishing", category: "Diminishing Hot Spot", e: 538_500, n: 171_500, sigma: 120,
            rate: { 24 - 18 * Double($0) / Double(T - 1) }, note: "falls linearly from 24 to 6 a month"),
    Pattern(name: "sporadic", category: "Sporadic Hot Spot", e: 540_500, n: 169_500, sigma: 120,
            rate: { ($0 % 3 == 2) ? 14 : 0 }, note: "14 in every third month (counted from the first), none otherwise"),
    Pattern(name: "static_town_centre", category: "Persistent Hot Spot", e: 537_500, n: 175_500, sigma: 200,
            rate: { _ in 20 }, note: "a town-centre cluster, 20 a month throughout"),
]
let types: [(String, Double)] = [("Anti-social behaviour", 0.28), ("Violence and sexual offences", 0.24),
    ("Criminal damage and arson", 0.09), ("Burglary", 0.08), ("Vehicle crime", 0.08), ("Other theft", 0.08),
    ("Shoplifting", 0.05), ("Public order", 0.04), ("Drugs", 0.03), ("Robbery", 0.03)]
let outcomes = ["Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
                "Status update unavailable", "Awaiting court outcome", "Offender given a caution"]
func crimeType(_ rng: inout SplitMix64) -> String {
    var u = rng.uniform()
    for (t, p) in types { if u < p { return t }; u -= p }
    return types.last!.0
}
/// police.uk publishes anonymised "snap points": we snap to a 25 m lattice so that coordinates repeat.
func snap(_ v: Double) -> Double { (v / 25).rounded() * 25 }

struct Row { var month: Int; var e: Double; var n: Double; var type: String }
var rows: [Row] = []
for (t, m) in months.enumerated() {
    for _ in 0..<rng.poisson(140) {
        rows.append(Row(month: m, e: snap(E0 + rng.uniform() * (E1 - E0)), n: snap(N0 + rng.uniform() * (N1 - N0)), type: crimeType(&rng)))
    }
    for p in patterns {
        for _ in 0..<rng.poisson(p.rate(t)) {
            let e = min(E1 - 1, max(E0, p.e + p.sigma * rng.normal())), n = min(N1 - 1, max(N0, p.n + p.sigma * rng.normal()))
            rows.append(Row(month: m, e: snap(e), n: snap(n), type: crimeType(&rng)))
        }
    }
}

// Project to lon/lat (one batch call), write police.uk street-level CSV.
var xs = rows.map(\.e), ys = rows.map(\.n)
let proj = try Projection(from: 27700, to: 4326)
let info = try proj.transform(x: &xs, y: &ys)
var csv = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
let force = "Demo Police Service"
let streets = ["High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Lane", "Queens Road", "Victoria Road", "The Parade"]
for (i, r) in rows.enumerated() {
    let col = min(8, max(0, Int((r.e - E0) / 1000))), rowI = min(11, max(0, Int((r.n - N0) / 1000)))
    let l = lsoas[rowI * 9 + col]
    let asb = r.type == "Anti-social behaviour"
    let id = asb ? "" : String(format: "%016llx", rng.next())
    let outcome = asb ? "" : rng.pick(outcomes)
    csv += "\(id),\(CivilDate.monthLabel(r.month)),\(force),\(force),\(Fmt.fixed(xs[i], 6)),\(Fmt.fixed(ys[i], 6)),"
    csv += "On or near \(rng.pick(streets)),\(l.code),\(l.name),\(r.type),\(outcome),\n"
    // Real files carry rows without a location and repeated rows: a few of each, so the demo shows the quarantine.
    if i % 500 == 7 {
        csv += "\(String(format: "%016llx", rng.next())),\(CivilDate.monthLabel(r.month)),\(force),\(force),,,No location,,,\(r.type),\(rng.pick(outcomes)),\n"
    }
}

// Polygon layers: wards and LSOAs in WGS84 (RFC 7946), the borough boundary in WGS84 too.
/// A layer in WGS84 (RFC 7946), or with `bng`, in EPSG:27700 with a legacy `crs` member, as many council files are.
func layer(_ name: String, _ units: [Unit], idKey: String, nameKey: String, proj: Projection, bng: Bool = false) throws -> String {
    let geoms = bng ? units.map { MultiPolygon([$0.poly]) } : try proj.transform(units.map { MultiPolygon([$0.poly]) })
    var t = Table(columns: [idKey, nameKey])
    t.rows = units.map { [.string($0.code), .string($0.name)] }
    let fc = GeoJSONWriter.featureCollection(name: name, geometries: geoms, properties: t, idColumn: idKey, decimals: bng ? 2 : 6)
    guard bng else { return fc }
    return fc.replacingOccurrences(of: "\"features\":[", with: "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},\"features\":[")
}
let boundary = Unit(code: "E0990001", name: "Demo borough (synthetic)", poly: cell(E0, E1, N0, N1), pop: wards.reduce(0) { $0 + $1.pop })

try AtomicFile.write(csv, to: "\(out)/incidents.csv")
try AtomicFile.write(try layer("demo_wards", wards, idKey: "WD22CD", nameKey: "WD22NM", proj: proj, bng: true), to: "\(out)/wards.geojson")
try AtomicFile.write(try layer("demo_lsoa", lsoas, idKey: "LSOA11CD", nameKey: "LSOA11NM", proj: proj), to: "\(out)/lsoa.geojson")
try AtomicFile.write(try layer("demo_boundary", [boundary], idKey: "code", nameKey: "name", proj: proj, bng: true), to: "\(out)/boundary.geojson")
try AtomicFile.write("WD22CD,WD22NM,usual_residents\n" + wards.map { "\($0.code),\($0.name),\($0.pop)\n" }.joined(), to: "\(out)/wards_population.csv")
try AtomicFile.write("LSOA11CD,LSOA11NM,usual_residents\n" + lsoas.map { "\($0.code),\($0.name),\($0.pop)\n" }.joined(), to: "\(out)/lsoa_population.csv")
// Synthetic residents by ethnic group per ward (census KS201's headline groups), for the PSPO pack's equality table:
// each ward's residents split by one of four fixed mixes (White, Mixed, Asian, Black, Other), rounded, the
// remainder to White.
let mixes: [[Double]] = [[0.46, 0.07, 0.12, 0.27, 0.08], [0.52, 0.06, 0.10, 0.24, 0.08], [0.41, 0.08, 0.14, 0.29, 0.08], [0.58, 0.05, 0.09, 0.21, 0.07]]
try AtomicFile.write("WD22CD,All categories: Ethnic group,White,Mixed,Asian,Black,Other\n" + wards.enumerated().map { k, w in
    var v = mixes[k % 4].map { Int((Double(w.pop) * $0).rounded(.toNearestOrEven)) }
    v[0] += w.pop - v.reduce(0, +)
    return "\(w.code),\(w.pop)," + v.map(String.init).joined(separator: ",") + "\n"
}.joined(), to: "\(out)/wards_ethnicity.csv")

// Truth: planted centres in BNG and lon/lat.
var cx = patterns.map(\.e), cy = patterns.map(\.n)
_ = try proj.transform(x: &cx, y: &cy)
var truth = "{\n  \"synthetic\": true,\n  \"seed\": \(seed),\n  \"months\": [\"\(CivilDate.monthLabel(months.first!))\", \"\(CivilDate.monthLabel(months.last!))\"],\n  \"background_per_month\": 140,\n  \"patterns\": [\n"
truth += patterns.enumerated().map { i, p in
    "    {\"name\": \"\(p.name)\", \"intended_category\": \"\(p.category)\", \"easting\": \(Int(p.e)), \"northing\": \(Int(p.n)), \"lon\": \(Fmt.fixed(cx[i], 6)), \"lat\": \(Fmt.fixed(cy[i], 6)), \"sigma_m\": \(Int(p.sigma)), \"monthly_rate\": \"\(p.note)\"}"
}.joined(separator: ",\n")
truth += "\n  ],\n  \"projection\": \(Fmt.jsonString(info.operation))\n}\n"
try AtomicFile.write(truth, to: "\(out)/truth.json")
print("wrote \(rows.count) incidents, \(wards.count) wards, \(lsoas.count) LSOAs to \(out)")
