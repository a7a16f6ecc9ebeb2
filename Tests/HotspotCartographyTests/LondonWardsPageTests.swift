import HotspotCore
import Testing
@testable import HotspotCartography

/// The wards page's table: a long ward name is cut with an ellipsis to its column, a short one is kept whole.
@Suite struct LondonWardsPageTests {
    @Test func longWardNamesAreCutToTheirColumn() {
        let long = "London Bridge & West Bermondsey"
        let cut = LondonWardsPage.fit(long, width: 30, size: 2.3, bold: false)
        #expect(cut.hasSuffix("…") && cut.count < long.count && FontMetrics.width(cut, size: 2.3) <= 30)
        #expect(LondonWardsPage.fit("Deptford", width: 30, size: 2.3, bold: false) == "Deptford")
    }
}
