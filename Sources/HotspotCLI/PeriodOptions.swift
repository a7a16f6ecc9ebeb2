import ArgumentParser
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotReports

/// Periods to compare (compare, profile).
struct PeriodOptions: ParsableArguments {
    @Option(name: .customLong("period"), help: ArgumentHelp("A period, YYYY-MM..YYYY-MM (inclusive) or YYYY-MM-DD..YYYY-MM-DD; repeat, in order.", valueName: "from..to"),
            transform: parsed(Period.init(parsing:), Period.hint))
    var periods: [Period] = []

    func validate() throws {
        if periods.count < 2 { throw ValidationError("give at least two periods, e.g. --period 2019-03..2019-09 --period 2020-03..2020-09") }
        let ps = periods
        for k in 1..<ps.count where ps[k].first <= ps[k - 1].last { throw ValidationError("periods must be in order and must not overlap (\(ps[k - 1].name), \(ps[k].name))") }
    }
}
