import CHotspotSys
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An output folder written as a whole. Files go to a staging folder beside the target, in the same filesystem
/// (`.NAME.hotspot-staging-PID`); `commit()` swaps it in with one atomic `renameat2(RENAME_EXCHANGE)` (or a plain
/// rename when the target is new) and removes the old contents. Until then the previous outputs are untouched: a
/// run that fails, is interrupted (SIGINT/SIGTERM remove the staging folder; see `Signals`) or is killed leaves
/// them as they were, and files of an earlier run that this run does not write do not survive a commit. Two runs
/// into the same folder each swap in a complete set; the last to finish wins. Staging folders of runs that died
/// (their PID is gone) are swept when the next run starts.
public final class StagedFolder: Sendable {
    /// The folder the outputs end up in (absolute, symbolic links resolved).
    public let target: String
    /// Where they are written meanwhile.
    public let staging: String

    /// Tells apart the staging folders of one process.
    private static let counter = Atomic<Int>(0)

    /// The files a folder must hold for hotspot to replace it: outputs of an earlier run.
    public static let marker = "metadata.json"

    public init(target path: String) throws {
        var t = URL(fileURLWithPath: path).standardizedFileURL.path
        if let real = realpath(t, nil) { t = String(cString: real); free(real) }
        target = t
        let parent = (t as NSString).deletingLastPathComponent, name = (t as NSString).lastPathComponent
        staging = (parent as NSString).appendingPathComponent(".\(name).hotspot-staging-\(getpid())-\(StagedFolder.counter.add(1, ordering: .relaxed).newValue)")
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotWrite(path, "cannot create its parent folder \(parent)")
        }
        try StagedFolder.checkReplaceable(t, shownAs: path)
        StagedFolder.sweep(parent: parent, name: name)
        try? FileManager.default.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else {
            throw OutputError.cannotWrite(path, "cannot create a staging folder in \(parent): \(String(cString: strerror(errno)))")
        }
        Signals.track(staging)
    }

    /// Refuses to replace a file, or a folder holding anything but an earlier run's outputs.
    static func checkReplaceable(_ t: String, shownAs path: String) throws {
        var st = stat()
        guard lstat(t, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw OutputError.cannotWrite(path, "it exists and is not a folder") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: t)) ?? []
        guard !entries.isEmpty else { return }
        let meta = (t as NSString).appendingPathComponent(marker)
        if let d = FileManager.default.contents(atPath: meta),
           let root = (try? JSONSerialization.jsonObject(with: d)) as? [String: Any], root["tool"] as? String == "hotspot" { return }
        throw OutputError.cannotWrite(path, "the folder holds files that hotspot did not write (it has no hotspot \(marker)); "
            + "--out replaces the whole folder, so give a new or empty one")
    }

    /// Removes staging folders and files in `parent` whose process is gone (killed with SIGKILL, power loss): those
    /// beside `name`, and any other output's there (a weekly run killed while staging one week's folder left it beside
    /// that week's; the next run of any week sweeps it; issue 21). A live process's staging is never touched.
    static func sweep(parent: String, name: String) {
        let marker = ".hotspot-staging-"
        for e in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let r = e.range(of: marker) else { continue }
            guard let pid = Int32(e[r.upperBound...].prefix { $0 != "-" && $0 != "." }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (parent as NSString).appendingPathComponent(e))
            }
        }
    }

    /// Swaps the staging folder in as the target; the previous contents are removed.
    /// With `confirm` (the other part of a multi-part output, e.g. a database transaction's commit), the previous
    /// contents are kept aside until it returns: when it throws, they are swapped back in and the new ones removed,
    /// so that the folder and that other part change together or not at all (issue 21).
    public func commit(confirm: (() throws -> Void)? = nil) throws {
        let previous = try swapIn()
        do { try confirm?() } catch {
            restore(previous)
            Signals.untrack(staging)
            throw error
        }
        if let previous { try? FileManager.default.removeItem(atPath: previous); Signals.untrack(previous) }
        Signals.untrack(staging)
    }

    /// Moves the staging folder to the target; returns where the previous outputs now are (nil when there were none).
    private func swapIn() throws -> String? {
        guard rename(staging, target) != 0 else { return nil }
        let e = errno
        guard e == EEXIST || e == ENOTEMPTY || e == EISDIR else {
            throw OutputError.cannotWrite(target, "cannot move the finished outputs in: \(String(cString: strerror(e)))")
        }
        try StagedFolder.checkReplaceable(target, shownAs: target)
        if hotspot_exchange(staging, target) == 0 { return staging }
        // Filesystems without RENAME_EXCHANGE: move the old folder aside, then the new one in (the old one back when
        // that fails: never no folder at all).
        let old = staging + ".old"
        guard rename(target, old) == 0 else {
            throw OutputError.cannotWrite(target, "cannot swap the finished outputs in: \(String(cString: strerror(errno)))")
        }
        guard rename(staging, target) == 0 else {
            let e = errno
            _ = rename(old, target)
            throw OutputError.cannotWrite(target, "cannot swap the finished outputs in: \(String(cString: strerror(e)))")
        }
        Signals.track(old)
        return old
    }

    /// Undoes `swapIn`: the previous outputs (at `previous`) back as the target, or no target when there were none.
    private func restore(_ previous: String?) {
        guard let previous else {
            if rename(target, staging) == 0 { try? FileManager.default.removeItem(atPath: staging) }
            return
        }
        if hotspot_exchange(previous, target) == 0 {
            try? FileManager.default.removeItem(atPath: previous)
        } else if rename(target, staging + ".new") == 0 {
            if rename(previous, target) == 0 { try? FileManager.default.removeItem(atPath: staging + ".new") }
            else { _ = rename(staging + ".new", target) }
        }
        Signals.untrack(previous)
    }

    /// Removes the staging folder (the run failed); the target is untouched.
    public func abandon() {
        try? FileManager.default.removeItem(atPath: staging)
        Signals.untrack(staging)
    }
}

/// SIGINT and SIGTERM: remove every staging folder and temporary file, then exit 130 or 143 (128 + signal).
public enum Signals {
    private static let paths = Mutex<Set<String>>([])

    static func track(_ p: String) { _ = paths.withLock { $0.insert(p) } }
    static func untrack(_ p: String) { _ = paths.withLock { $0.remove(p) } }

    /// Removes whatever is still being written (staging folders, temporary files).
    public static func cleanUp() {
        let ps = paths.withLock { s -> Set<String> in let c = s; s.removeAll(); return c }
        for p in ps { try? FileManager.default.removeItem(atPath: p) }
    }

    /// Installs the handlers: call once, first thing, before any other thread starts. SIGINT and SIGTERM are
    /// blocked in every thread and taken by one waiting thread (`sigwait`), which cleans up and exits.
    public static func install() {
        // A background job of a non-interactive shell starts with SIGINT ignored; an explicit signal still stops it.
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let waiter = Thread {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGINT)
            sigaddset(&set, SIGTERM)
            var sig: Int32 = 0
            while sigwait(&set, &sig) != 0 {}
            cleanUp()
            FileHandle.standardError.write(Data("\nhotspot: interrupted; the output folder was left as it was\n".utf8))
            exit(128 + sig)
        }
        waiter.start()
    }
}

/// Checks made before a run reads anything: the output folder can be replaced, and no input lies inside it (each
/// run replaces the folder as a whole, so an input there would be lost).
public enum OutputGuard {
    public static func check(out: String, inputs: [String]) throws {
        let target = resolved(out)
        for i in inputs {
            let r = resolved(i)
            if r == target || r.hasPrefix(target + "/") {
                throw OutputError.cannotWrite(out, "the input \(i) is inside it, and each run replaces the output folder as a whole; move the input or choose another --out")
            }
        }
        try StagedFolder.checkReplaceable(target, shownAs: out)
    }

    /// Refuses an output file that is one of the inputs.
    public static func checkFile(_ output: String, inputs: [String]) throws {
        var o = stat()
        guard stat(output, &o) == 0 else { return }
        for i in inputs {
            var s = stat()
            if stat(i, &s) == 0 && s.st_dev == o.st_dev && s.st_ino == o.st_ino {
                throw OutputError.cannotWrite(output, "it is the input \(i); choose another file name")
            }
        }
    }

    /// Absolute path with symbolic links resolved as far as the path exists.
    static func resolved(_ p: String) -> String {
        var url = URL(fileURLWithPath: p).standardizedFileURL
        var tail: [String] = []
        while url.path != "/" {
            if let r = realpath(url.path, nil) {
                defer { free(r) }
                return ([String(cString: r)] + tail.reversed()).joined(separator: "/")
            }
            tail.append(url.lastPathComponent)
            url.deleteLastPathComponent()
        }
        return "/" + tail.reversed().joined(separator: "/")
    }
}
