import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Minimal structured data parallelism for the core: split `0..<n` into contiguous chunks, map each chunk on its
/// own core, return the results in chunk order (so reductions are deterministic).
public enum Parallel {
    private static let _workers: Int = {
        #if canImport(Glibc)
        // HOTSPOT_THREADS=N caps the workers (1: one thread, e.g. for reproducible fuzzing).
        if let v = getenv("HOTSPOT_THREADS").flatMap({ Int(String(cString: $0)) }), v >= 1 { return v }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 2
        #endif
    }()
    /// Worker count: the active processor count (2 on the reference machine).
    public static var workers: Int { _workers }

    /// Contiguous ranges covering `0..<n`, at most one per worker, none smaller than `minimum` (except a lone one).
    public static func chunks(_ n: Int, minimum: Int = 4096) -> [Range<Int>] {
        let k = max(1, min(workers, n / max(1, minimum)))
        let size = (n + k - 1) / k
        return (0..<k).map { i in (i * size)..<min(n, (i + 1) * size) }.filter { !$0.isEmpty || n == 0 }
    }
}

/// Maps `body` over `chunks`, one chunk per concurrent iteration; results come back in chunk order.
public func parallelMap<T: Sendable>(chunks: [Range<Int>], _ body: @Sendable (Range<Int>) -> T) -> [T] {
    if chunks.count <= 1 { return chunks.map(body) }
    let box = ResultSlots<T>(count: chunks.count)
    DispatchQueue.concurrentPerform(iterations: chunks.count) { i in
        box.set(i, body(chunks[i]))
    }
    return box.values
}

/// Write-once result slots guarded by a lock, one per chunk.
final class ResultSlots<T: Sendable>: Sendable {
    private let storage: Mutex<[T?]>
    init(count: Int) { storage = Mutex([T?](repeating: nil, count: count)) }
    func set(_ i: Int, _ v: T) { storage.withLock { $0[i] = v } }
    var values: [T] { storage.withLock { $0.map { $0! } } }
}
