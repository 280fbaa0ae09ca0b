#ifndef COMPACTD_CSYSTEMD_SHIM_H
#define COMPACTD_CSYSTEMD_SHIM_H

#include <sys/socket.h>
#include <sys/types.h>

// libsystemd's notify, watchdog and journal entry points. sd_notify, sd_watchdog_enabled and
// sd_journal_sendv are not variadic and are used directly; sd_journal_print is variadic, so a
// typed wrapper passes one preformatted message.
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

// The wall-clock timer the daemon sleeps on, as systemd's timers do: CLOCK_REALTIME, absolute,
// cancelled (read fails with ECANCELED) when the clock is set. Their flags are macros Swift
// does not import, so typed helpers wrap them.
// glibc's malloc_trim, which the Glibc module does not import: gives the free pages of every
// malloc arena back to the kernel (see HeapTrim).
#include <malloc.h>

static inline int compactd_malloc_trim(void) {
    return malloc_trim(0);
}

#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <time.h>

static inline int compactd_timerfd_create_realtime(void) {
    return timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
}

static inline int compactd_timerfd_arm_absolute(int fd, long seconds, long nanoseconds) {
    struct itimerspec spec = { { 0, 0 }, { seconds, nanoseconds } };
    return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL);
}

static inline int compactd_eventfd_create(void) {
    return eventfd(0, EFD_CLOEXEC);
}

static inline int compactd_sd_journal_print(int priority, const char *message) {
    return sd_journal_print(priority, "%s", message);
}

// The control socket: accept with FD_CLOEXEC set atomically, and the kernel's word on who the
// peer is (pid, uid, gid as the socket's user namespace sees them). accept4(2) and struct ucred
// are declared by glibc only under _GNU_SOURCE, which would change other headers' definitions
// under Swift's Glibc module (fd_set's members): declared here instead, with the kernel's layout.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

struct compactd_ucred {
    int pid;
    unsigned int uid;
    unsigned int gid;
};

static inline int compactd_accept_cloexec(int listener) {
    return accept4(listener, (struct sockaddr *)0, (socklen_t *)0, SOCK_CLOEXEC);
}

static inline int compactd_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid) {
    struct compactd_ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}

#endif
