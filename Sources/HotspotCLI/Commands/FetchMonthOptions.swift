import ArgumentParser
import Foundation
import HotspotIO

/// The force and months every police.uk fetch takes (`fetch policeuk`, `fetch api`), checked once.
struct FetchMonthOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The force, as police.uk names its files and its API its ids, e.g. metropolitan, city-of-london, west-yorkshire.", valueName: "name"))
    var force: String

    @Option(help: ArgumentHelp("First month, YYYY-MM.", valueName: "month"))
    var from: String

    @Option(help: ArgumentHelp("Last month, YYYY-MM (default: --from).", valueName: "month"))
    var to: String?

    /// The months from `--from` to `--to` (valid after `validate()`).
    var months: ClosedRange<YearMonth> { YearMonth(from)!...YearMonth(to ?? from)! }
    /// The same months as `YYYY-MM` texts, in order.
    var monthNames: [String] { (months.lowerBound.index...months.upperBound.index).map { "\(YearMonth(index: $0))" } }

    func validate() throws {
        guard let a = YearMonth(from) else { throw ValidationError("--from \(from): give a month as YYYY-MM, e.g. --from 2022-03") }
        guard let b = YearMonth(to ?? from) else { throw ValidationError("--to \(to ?? ""): give a month as YYYY-MM, e.g. --to 2022-09") }
        guard a <= b else { throw ValidationError("--from \(from) is after --to \(to ?? from): give the first month first") }
        let now = YearMonth(String(ISO8601DateFormatter().string(from: Date()).prefix(7)))!
        guard b < now else {
            throw ValidationError("\(to == nil ? "--from" : "--to") \(to ?? from): a month not yet over (it is \(now) now); police.uk publishes a month's data a month or two after it ends")
        }
        guard b.index - a.index < 600 else { throw ValidationError("--from \(from) --to \(to ?? from): more than 50 years; check the years") }
        guard !force.isEmpty, force.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("--force \(force): give the force as police.uk names it, lower case with '-', e.g. metropolitan or west-yorkshire")
        }
    }
}
