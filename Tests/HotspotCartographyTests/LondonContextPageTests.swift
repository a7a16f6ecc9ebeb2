import HotspotCore
import Testing
@testable import HotspotCartography

/// The "<borough> in London" page: the bar chart ranks as the tables do (ties share a rank), and rare categories'
/// small rates keep two significant digits.
@Suite struct LondonContextPageTests {
    func page(_ rates: [Double?]) -> LondonContextPage {
        let b = rates.enumerated().map { LondonContextPage.Borough(name: "B\($0.offset)", shape: nil, rate: $0.element, chosen: $0.offset == 2) }
        return LondonContextPage(title: "t", subtitle: "s", note: "n", attribution: [], boroughs: b, londonRate: 0.0001, rateLabel: "r",
                                 months: ["2024-01", "2024-02"], series: [("B2", [100, 50])], table: [])
    }

    @Test func tiesShareARankAndSmallRatesKeepTheirDigits() {
        let svg = page([0.003, 0, 0, 0, nil]).svg()
        #expect(svg.contains(">1. B0</text>") && svg.contains(">2. B1</text>") && svg.contains(" font-weight=\"bold\">2. B2</text>") && svg.contains(">2. B3</text>"))
        #expect(svg.contains(">0.0030</text>") && svg.contains(">London 0.0001</text>") && !svg.contains(". B4<"))
        let common = page([2.5, 1.25, 3, 2]).svg()
        #expect(common.contains(">1. B2</text>") && common.contains(">2.50</text>") && common.contains(">London 0.00</text>"))
    }
}
