import Foundation
import HotspotIO
import Testing
@testable import HotspotCartography

@Suite struct PackDocumentTests {
    @Test func packDocumentEscapesAndMarksNumbers() {
        var t = Table(columns: ["zone", "incidents"])
        t.rows = [[.string("<Area & co>"), .int(12)]]
        let doc = PackDocument(title: "T <1>", subtitle: "s", cover: [], sections: [
            .init(id: "a", title: "One", blocks: [.text("n = " + PackDocument.num("12", "exhibits/x.csv")), .table(t, exhibit: "exhibits/x.csv", caption: "c")]),
            .init(id: "b", title: "Two", blocks: [.placeholder(title: "Consultation", prompt: "who")]),
        ], footer: ["f"])
        let h = doc.html()
        #expect(h.contains("<title>T &lt;1&gt;</title>") && h.contains("<td>&lt;Area &amp; co&gt;</td>") && h.contains("<td class=\"num\">12</td>"))
        #expect(h.contains("<span class=\"n\" data-exhibit=\"exhibits/x.csv\">12</span>"))
        #expect(h.contains("<h2>2. Two</h2>") && h.contains("To be completed by officers:"))
        #expect(!h.contains("http://") && !h.contains("https://"))
    }
}
