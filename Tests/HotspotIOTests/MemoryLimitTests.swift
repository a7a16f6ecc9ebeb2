import Foundation
import Testing
@testable import HotspotIO

/// Work that cannot fit the memory the process may use is refused up front with the figures (issue 21).
@Suite struct MemoryLimitTests {
    @Test func workThatFitsOrNoLimitIsNotRefused() {
        #expect(MemoryLimit.refusal(need: 100 << 20, for: "x", headroom: nil) == nil)
        #expect(MemoryLimit.refusal(need: 100 << 20, for: "x", headroom: .init(bytes: 100 << 20, source: "ulimit -v")) == nil)
    }

    @Test func workThatDoesNotFitIsRefusedWithTheFiguresTheLimitAndTheFix() throws {
        let m = try #require(MemoryLimit.refusal(need: 3 << 30, for: "a grid of 9 cells", headroom: .init(bytes: 271 << 20, source: "ulimit -v"),
                                                 fix: "a larger --cell"))
        #expect(m == "not enough memory for a grid of 9 cells: it needs about 3.0 GB more, and this process may take only 271 MB more (ulimit -v); raise the limit (e.g. ulimit -v unlimited, or a larger memory limit for the job), or a larger --cell")
    }

    /// This process's own limits: none is set where the tests run, or the headroom is what is left under them.
    @Test func theHeadroomIsReadFromThisProcess() {
        var r = rlimit()
        getrlimit(Int32(RLIMIT_AS.rawValue), &r)
        if let h = MemoryLimit.headroom(), h.source == "ulimit -v" { #expect(h.bytes < Int(r.rlim_cur)) }
        #expect(MemoryLimit.mappedBytes() > 1 << 20)
    }
}
