import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a fetch folder for the life of this value (`flock` on the folder itself, so nothing is left
/// in it): two `hotspot fetch` runs into one folder would each rewrite `manifest.json` from their own copy and lose
/// the other's entries, and work on the same `.part` files. The second run is refused at once, naming the folder.
public final class FolderLock {
    private let fd: Int32

    /// Locks `folder` (which must exist). Throws `OutputError.cannotWrite` when another process holds it.
    public init(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError.cannotWrite(folder, "cannot open the folder (\(String(cString: strerror(errno))))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            close(fd)
            throw OutputError.cannotWrite(folder, busy
                ? "another hotspot fetch is writing into this folder; wait for it to finish, then run again (or fetch into another folder)"
                : "cannot lock the folder (\(String(cString: strerror(errno))))")
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
