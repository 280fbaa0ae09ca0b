import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd the truth about the service through `sd_notify`: READY, STATUS, RELOADING,
/// STOPPING and WATCHDOG. Outside systemd (no `$NOTIFY_SOCKET`) every call does nothing.
public struct SystemdNotifier: Sendable {
    public init() {}

    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.oneLine(status))") }

    public func status(_ text: String) { send("STATUS=\(Self.oneLine(text))") }

    /// RELOADING=1 with the CLOCK_MONOTONIC time, as systemd 253+ expects; 252 ignores it.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=reloading the configuration")
    }

    public func stopping() { send("STOPPING=1\nSTATUS=stopping") }

    public func watchdog() { send("WATCHDOG=1") }

    /// The watchdog interval systemd asked for (`WatchdogSec=`), in microseconds, or nil.
    public var watchdogIntervalMicroseconds: UInt64? {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0 && usec > 0 ? usec : nil
    }

    private func send(_ state: String) { _ = sd_notify(0, state) }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }.prefix(400))
    }
}
