import Synchronization

/// Progress of long phases (read, project, attribute, KDE, cube), reported as events to one sink that the
/// command-line tool installs when stderr is a terminal; without a sink, reporting costs one lock per event.
/// Phases report `advance` at most a few hundred times each, never per point.
public enum PhaseProgress {
    public enum Event: Sendable {
        /// A phase starts: its name, the amount of work (0 when unknown) and the unit of that amount.
        case begin(phase: String, total: Double, unit: String)
        /// Work done so far in the current phase.
        case advance(Double)
        /// The current phase is finished.
        case end
    }
    public typealias Sink = @Sendable (Event) -> Void

    private static let sink = Mutex<Sink?>(nil)

    public static func install(_ s: Sink?) { sink.withLock { $0 = s } }
    public static func send(_ e: Event) { if let s = sink.withLock({ $0 }) { s(e) } }

    /// Runs `body` as a phase of `total` units (begin, end); `body` may send `.advance` events.
    public static func phase<T>(_ name: String, total: Double, unit: String, _ body: () throws -> T) rethrows -> T {
        send(.begin(phase: name, total: total, unit: unit))
        defer { send(.end) }
        return try body()
    }
}
