#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Instant {
    /// The wall clock now (CLOCK_REALTIME). Only the edges call this; the core takes "now" as
    /// an argument so tests can fix it.
    public static var now: Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(secondsSinceEpoch: Int64(ts.tv_sec), microseconds: Int64(ts.tv_nsec / 1000))
    }
}
