#if canImport(Glibc)
import Glibc
#endif

/// SIGABRT as systemd's watchdog means it: end the process now.
///
/// When `WatchdogSec=` runs out, systemd sends SIGABRT (`WatchdogSignal=`) and waits
/// `TimeoutAbortSec=` before SIGKILL. The Swift runtime catches SIGABRT for its backtracer,
/// which under the unit cannot even start (`MemoryDenyWriteExecute=yes`), and the hung process
/// then lingered for the whole abort timeout (45 s) before systemd could replace it. With the
/// default action restored the kernel ends it at once and dumps core, which systemd-coredump
/// keeps (`coredumpctl info compactd`) where it is installed.
public enum AbortSignal {
    /// Restores SIGABRT's default action (terminate with a core dump). Call first thing in main.
    public static func restoreDefaultAction() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGABRT, &action, nil)
    }
}
