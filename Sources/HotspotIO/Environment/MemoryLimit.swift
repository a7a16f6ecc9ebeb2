import CHotspotSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How much more memory this process may take, from the limits users and schedulers set: the address-space limit
/// (`ulimit -v`, RLIMIT_AS) less the address space mapped now (/proc/self/statm), and a cgroup v2 `memory.max` less
/// its `memory.current`. Work whose estimated peak does not fit is refused up front with the figures and what to
/// change (exit 69), rather than dying in an allocation or a C library's NULL (issue 21).
public enum MemoryLimit {
    /// The memory left and the limit it comes from ("ulimit -v" or "the cgroup's memory.max").
    public struct Headroom: Sendable, Equatable {
        public var bytes: Int, source: String
        public init(bytes: Int, source: String) { self.bytes = bytes; self.source = source }
    }

    /// What a command needs beyond what is mapped when it starts, before any data: PROJ's database and GDAL's drivers
    /// opened, worker threads' stacks and the readers' buffers. Measured on the demo (`areas`, 2 cores): it runs with
    /// 42 MB of address space left at the start and PROJ fails with 14 MB; 24 MB plus 4 MB per core.
    public static var startNeed: Int { (24 + 4 * ProcessInfo.processInfo.activeProcessorCount) << 20 }

    /// Under an address-space limit (`ulimit -v`), glibc's allocator would reserve 64 MB of address space for each
    /// thread's own arena (up to 8 per core: about 1 GB on 2 cores, mapped but never used), so that an allocation
    /// failed at a point no estimate could foresee. Call once, before any worker thread: with a limit in force, every
    /// thread allocates from the main arena (mallopt M_ARENA_MAX = 1; glibc's mallopt(3)); without one, nothing changes.
    public static func constrainAllocator() {
        var r = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &r) == 0, r.rlim_cur != rlim_t.max else { return }
        _ = hotspot_arena_max(1)
    }

    /// The smallest headroom of the limits in force, or nil when none limits this process.
    public static func headroom() -> Headroom? {
        var found: [Headroom] = []
        var r = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &r) == 0, r.rlim_cur != rlim_t.max, r.rlim_cur < UInt64(Int.max) {
            found.append(Headroom(bytes: max(0, Int(r.rlim_cur) - mappedBytes()), source: "ulimit -v"))
        }
        // The page cache counts in a cgroup's usage but is given back under pressure: only the rest is taken.
        if let max = cgroupValue(v2: "memory.max", v1: "memory.limit_in_bytes"), let usage = cgroupValue(v2: "memory.current", v1: "memory.usage_in_bytes") {
            let cache = cgroupStat(v2: "file", v1: "total_cache") ?? 0
            found.append(Headroom(bytes: Swift.max(0, max - (usage - cache)), source: "the cgroup's memory limit"))
        }
        return found.min { $0.bytes < $1.bytes }
    }

    /// The refusal for work needing `need` bytes more, given `headroom`; nil when it fits or nothing limits.
    public static func refusal(need: Int, for what: String, headroom: Headroom?, fix: String? = nil) -> String? {
        guard let h = headroom, need > h.bytes else { return nil }
        return "not enough memory for \(what): it needs about \(mb(need)) more, and this process may take only \(mb(h.bytes)) more (\(h.source)); "
            + "raise the limit (e.g. ulimit -v unlimited, or a larger memory limit for the job)" + (fix.map { ", or \($0)" } ?? "")
    }

    /// Throws `MemoryError` when work needing `need` bytes more would not fit the limits in force.
    public static func check(need: Int, for what: String, fix: String? = nil) throws {
        if let m = refusal(need: need, for: what, headroom: headroom(), fix: fix) { throw MemoryError(description: m) }
    }

    /// "512 MB", "1.5 GB".
    public static func mb(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) : "\(max(0, bytes) >> 20) MB"
    }

    /// The process's mapped address space (VmSize), from /proc/self/statm's first field (pages).
    static func mappedBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A field of the memory cgroup's `memory.stat` (bytes).
    static func cgroupStat(v2: String, v1: String) -> Int? {
        guard let path = cgroupPath(v2: "memory.stat", v1: "memory.stat"), let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, f[0] == v1 || f[0] == v2 { return Int(f[1]) }
        }
        return nil
    }

    /// A number from this process's memory cgroup: v1 (`N:memory:PATH`, /sys/fs/cgroup/memory/PATH/`v1`) when it has
    /// one, else v2 (`0::PATH`, /sys/fs/cgroup/PATH/`v2`); `max` and unreadable files give nil.
    static func cgroupValue(v2: String, v1: String) -> Int? {
        guard let path = cgroupPath(v2: v2, v1: v1), let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The file `v1` of the cgroup v1 memory controller's folder when the process has one, else `v2` of its cgroup v2.
    static func cgroupPath(v2: String, v1: String) -> String? {
        guard let lines = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n") else { return nil }
        if let l = lines.first(where: { $0.split(separator: ":", maxSplits: 2).dropFirst().first.map { $0.split(separator: ",").contains("memory") } ?? false }) {
            return "/sys/fs/cgroup/memory" + (l.split(separator: ":", maxSplits: 2).last.map(String.init) ?? "") + "/" + v1
        }
        if let l = lines.first(where: { $0.hasPrefix("0::") }) { return "/sys/fs/cgroup" + l.dropFirst(3) + "/" + v2 }
        return nil
    }
}

/// Work that would not fit the memory the process may use (exit 69).
public struct MemoryError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
