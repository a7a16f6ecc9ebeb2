import Foundation
import HotspotCore
import Synchronization

/// Draws `PhaseProgress` events on stderr, only when it is a terminal (a log file gets no progress lines): one line per
/// phase, redrawn at most four times a second with the share done, the rate and the time left, then closed with
/// the time taken. Phases shorter than a second leave no line (`HOTSPOT_PROGRESS_AFTER=S` sets that delay in
/// seconds; the test suite uses 0 to see a short phase drawn).
final class ProgressView: Sendable {
    private let after = ProcessInfo.processInfo.environment["HOTSPOT_PROGRESS_AFTER"].flatMap(Double.init).map { max(0, $0) } ?? 1
    private struct Phase { var name: String, total: Double, unit: String, start: ContinuousClock.Instant, lastDraw: ContinuousClock.Instant, drawn: Bool }
    private let state = Mutex<[Phase]>([])
    private let clock = ContinuousClock()

    static func install(quiet: Bool) {
        guard !quiet, isatty(2) != 0 else { PhaseProgress.install(nil); return }
        let view = ProgressView()
        PhaseProgress.install { view.handle($0) }
    }

    func handle(_ e: PhaseProgress.Event) {
        let now = clock.now
        let line: String? = state.withLock { stack in
            switch e {
            case let .begin(phase, total, unit):
                stack.append(Phase(name: phase, total: total, unit: unit, start: now, lastDraw: now, drawn: false))
                return nil
            case .advance(let done):
                guard var p = stack.popLast() else { return nil }
                defer { stack.append(p) }
                let elapsed = seconds(now - p.start)
                guard elapsed >= after, seconds(now - p.lastDraw) >= 0.25 || !p.drawn else { return nil }
                p.lastDraw = now; p.drawn = true
                let rate = done / max(elapsed, 1e-9)
                var s = "\r\u{1B}[K\(p.name): "
                if p.total > 0 {
                    s += "\(Int(min(100, done * 100 / p.total)))%, \(Self.amount(rate, p.unit))/s"
                    if rate > 0 { s += ", \(Self.duration(max(0, p.total - done) / rate)) left" }
                } else { s += "\(Self.amount(done, p.unit)), \(Self.amount(rate, p.unit))/s" }
                return s
            case .end:
                guard let p = stack.popLast() else { return nil }
                let elapsed = seconds(now - p.start)
                guard elapsed >= after || p.drawn else { return nil }
                return "\r\u{1B}[K\(p.name): done in \(Self.duration(elapsed))"
                    + (p.total > 0 ? " (\(Self.amount(p.total / max(elapsed, 1e-9), p.unit))/s)" : "") + "\n"
            }
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

    static func amount(_ v: Double, _ unit: String) -> String {
        if unit == "B" { return v >= 1e9 ? String(format: "%.2f GB", v / 1e9) : String(format: "%.1f MB", v / 1e6) }
        if v >= 1e6 { return String(format: "%.2f M %@", v / 1e6, unit) }
        if v >= 1e3 { return String(format: "%.1f k %@", v / 1e3, unit) }
        return String(format: "%.0f %@", v, unit)
    }

    static func duration(_ s: Double) -> String {
        s >= 90 ? "\(Int(s / 60)) min \(Int(s.truncatingRemainder(dividingBy: 60))) s" : String(format: "%.1f s", s)
    }
}
