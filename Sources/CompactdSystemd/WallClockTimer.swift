#if canImport(Glibc)
import Glibc
#endif
import CSystemd
import CompactdCore
import Foundation
import Synchronization

/// Sleeps until a wall-clock time the way systemd's own timers do: a CLOCK_REALTIME timerfd
/// armed with TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, which also reports when the clock is
/// set; and an eventfd to be woken early. One thread blocks in poll(2) on both and hands the
/// events to the loop, so the loop wakes only when there is work: no polling.
public final class WallClockTimer: Sendable {
    private let timerFD: Int32
    private let eventFD: Int32
    private let continuation: AsyncStream<WakeupEvent>.Continuation
    public let events: AsyncStream<WakeupEvent>
    private let closed = ClosedFlag()

    /// Set once the timer is closed; read by its thread.
    final class ClosedFlag: Sendable {
        let value = Mutex(false)
    }

    public init() {
        timerFD = compactd_timerfd_create_realtime()
        eventFD = compactd_eventfd_create()
        (events, continuation) = AsyncStream.makeStream(of: WakeupEvent.self, bufferingPolicy: .bufferingNewest(16))
        NamedThread.start("compactd-timer") { [timerFD, eventFD, continuation, closed] in
            Self.pollLoop(timerFD: timerFD, eventFD: eventFD, continuation: continuation, closed: closed)
        }
    }

    /// Wakes at `instant` (wall clock). Replaces any earlier arming.
    public func arm(at instant: Instant) {
        // An absolute time in the past fires at once; zero would disarm, so never pass zero.
        let seconds = max(instant.secondsSinceEpoch, 0)
        let nanoseconds = seconds == 0 ? 1 : Int(instant.microsecondOfSecond * 1000)
        _ = compactd_timerfd_arm_absolute(timerFD, Int(seconds), nanoseconds)
    }

    /// Wakes the loop now.
    public func poke() {
        var one: UInt64 = 1
        _ = write(eventFD, &one, 8)
    }

    public func close() {
        let already = closed.value.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        if !already { poke() }
    }

    private static func pollLoop(timerFD: Int32, eventFD: Int32, continuation: AsyncStream<WakeupEvent>.Continuation, closed: ClosedFlag) {
        var fds = [pollfd(fd: timerFD, events: Int16(POLLIN), revents: 0), pollfd(fd: eventFD, events: Int16(POLLIN), revents: 0)]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let n = poll(&fds, 2, -1)
            if n < 0 && errno == EINTR { continue }
            if closed.value.withLock({ $0 }) { break }
            var value: UInt64 = 0
            if fds[0].revents & Int16(POLLIN) != 0 {
                if read(timerFD, &value, 8) < 0 && errno == ECANCELED {
                    continuation.yield(.clockChanged)
                } else {
                    continuation.yield(.timer)
                }
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                _ = read(eventFD, &value, 8)
                continuation.yield(.poked)
            }
        }
        continuation.finish()
        Glibc.close(timerFD)
        Glibc.close(eventFD)
    }
}
