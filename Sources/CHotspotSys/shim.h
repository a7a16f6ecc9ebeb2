// Linux system calls that Swift's Glibc module does not expose.
#ifndef HOTSPOT_SYS_SHIM_H
#define HOTSPOT_SYS_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <malloc.h>
#include <sys/syscall.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/// Atomically exchanges two paths (renameat2 with RENAME_EXCHANGE, Linux ≥ 3.15); -1 and errno on failure
/// (EINVAL or ENOSYS where the filesystem or kernel cannot do it).
static inline int hotspot_exchange(const char *a, const char *b) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// Limits glibc's allocator to `n` arenas (mallopt M_ARENA_MAX); 1 on success, 0 when glibc refused.
static inline int hotspot_arena_max(int n) {
    return mallopt(M_ARENA_MAX, n);
}
#endif
