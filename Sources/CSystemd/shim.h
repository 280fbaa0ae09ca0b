#ifndef COMPACTD_CSYSTEMD_SHIM_H
#define COMPACTD_CSYSTEMD_SHIM_H

// libsystemd's notify, watchdog and journal entry points. sd_notify, sd_watchdog_enabled and
// sd_journal_sendv are not variadic and are used directly; sd_journal_print is variadic, so a
// typed wrapper passes one preformatted message.
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

static inline int compactd_sd_journal_print(int priority, const char *message) {
    return sd_journal_print(priority, "%s", message);
}

#endif
