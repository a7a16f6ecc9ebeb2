import Foundation
import HotspotCore
import HotspotTestSupport
import Testing
@testable import HotspotGeo

@Suite struct ProjectionTests {
    struct Row { var lon, lat, helmertE, helmertN, ostnE, ostnN: Double }
    static func rows() throws -> [Row] {
        let text = try String(contentsOfFile: Paths.fixture("lsoa11_centroids_4326_to_27700.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { l in
            let f = l.split(separator: ",").map(String.init)
            return Row(lon: Double(f[1])!, lat: Double(f[2])!, helmertE: Double(f[5])!, helmertN: Double(f[6])!,
                       ostnE: Double(f[7])!, ostnN: Double(f[8])!)
        }
    }

    /// 169 ONS LSOA centroids: PROJ's default operation (Helmert, no OSTN15 grid) within 1 mm of pyproj.
    /// The fixture's figures are rounded to 4 decimals, so the tolerance is 1 mm.
    @Test func helmertMatchesPyproj() throws {
        let rows = try Self.rows()
        #expect(rows.count == 169)
        var x = rows.map(\.lon), y = rows.map(\.lat)
        let p = try Projection(from: 4326, to: 27700)
        let info = try p.transform(x: &x, y: &y)
        #expect(info.failed == 0)
        #expect(info.operation.contains("OSGB36 to WGS 84 (6)"), "\(info.operation)")
        #expect(info.accuracyMetres == 2)
        for (i, r) in rows.enumerated() {
            #expect(abs(x[i] - r.helmertE) <= 0.001 && abs(y[i] - r.helmertN) <= 0.001, "row \(i): \(x[i]),\(y[i])")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: Paths.sharedFile("grids/uk_os_OSTN15_NTv2_OSGBtoETRS.tif")),
                   "OSTN15 grid not found in ../shared/grids"))
    func ostn15WhenTheGridIsOnTheSearchPath() throws {
        let rows = try Self.rows()
        var x = rows.map(\.lon), y = rows.map(\.lat)
        let p = try Projection(from: 4326, to: 27700, gridDirectories: [Paths.sharedFile("grids")])
        let info = try p.transform(x: &x, y: &y)
        #expect(info.definition.contains("OSTN15"), "\(info.definition)")  // EPSG names it "OSGB36 to WGS 84 (9)"
        for (i, r) in rows.enumerated() {
            #expect(abs(x[i] - r.ostnE) <= 0.001 && abs(y[i] - r.ostnN) <= 0.001, "row \(i)")
        }
    }

    @Test func distinctPointsAreProjectedOnce() throws {
        var x = [Double](repeating: -0.0106, count: 1000) + [0.01], y = [Double](repeating: 51.4615, count: 1000) + [51.45]
        let info = try Projection(from: 4326, to: 27700).transform(x: &x, y: &y)
        #expect(info.distinctPoints == 2 && info.points == 1001)
        // The peer harness's check value: (51.4615 N, −0.0106 E) → E 538300.51, N 175490.52.
        #expect(abs(x[0] - 538300.51) < 0.01 && abs(y[0] - 175490.52) < 0.01)
        #expect(x[999] == x[0])
    }

    @Test func roundTripAndFailures() throws {
        var x = [537000.0, 1e12], y = [175000.0, 1e12]
        let info = try Projection(from: 27700, to: 4326).transform(x: &x, y: &y)
        #expect(info.failed == 1 && x[1].isNaN)
        var bx = [x[0]], by = [y[0]]
        _ = try Projection(from: 4326, to: 27700).transform(x: &bx, y: &by)
        // The Helmert inverse is not an exact inverse: the round trip closes to well under a millimetre.
        #expect(abs(bx[0] - 537000) < 1e-3 && abs(by[0] - 175000) < 1e-3)
    }

    @Test func unknownEPSGIsAClearError() {
        #expect(throws: GeoError.self) { try Projection(from: 4326, to: 999_999) }
    }
}
