import CompactdCore
import CompactdDaemon
import Testing

/// The daemon loop's decisions, driven with invented instants: no process, no timer, no store.
@Suite("daemon loop state machine")
struct DaemonLoopStateMachineTests {
    typealias Machine = DaemonLoopStateMachine
    /// 2026-07-01T12:00:00Z.
    static let t0 = Instant(secondsSinceEpoch: 1_782_907_200)
    static func at(_ seconds: Int64) -> Machine.Observation { .init(now: t0.adding(seconds: seconds)) }
    static func at(_ seconds: Int64, progress: Int64) -> Machine.Observation {
        .init(now: t0.adding(seconds: seconds), deliveryProgressAt: t0.adding(seconds: progress))
    }
    static func instant(_ seconds: Int64) -> Instant { t0.adding(seconds: seconds) }

    /// A 60 s watchdog (pinged every 30 s), deliveries stuck after 100 s without progress, idle
    /// pages given back 300 s before the next work.
    static func machine(watchdog: Bool = true) -> Machine {
        Machine(settings: .init(watchdogHalfIntervalMicroseconds: watchdog ? 30_000_000 : nil, deliveryStallMicroseconds: 100_000_000, idlePageReleaseSeconds: 300))
    }

    /// A machine that opened its store and planned: the next notice in an hour, nothing due.
    static func running() -> Machine {
        var m = machine()
        _ = m.handle(.started, at(0))
        _ = m.handle(.storeOpened, at(0))
        _ = m.handle(.enqueued(nextPlanned: instant(3600), nextAttempt: nil), at(0))
        return m
    }

    @Test("start: open the store, plan, READY before any delivery ends, then deliver beside the loop")
    func startIsReadyBeforeDelivering() {
        var m = Self.machine()
        #expect(m.handle(.started, Self.at(0)) == [.openStore])
        #expect(m.handle(.storeOpened, Self.at(0)) == [.enqueue(recoverFirst: false)])
        let actions = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(-5)), Self.at(1))
        #expect(actions == [.ready, .startDelivery, .pingWatchdog, .arm(Self.instant(31))])
    }

    @Test("a reload while a delivery runs is carried out at once, and planning follows")
    func reloadDuringDelivery() {
        var m = Self.running()
        _ = m.handle(.wake(.timer(earliestRetry: nil)), Self.at(3600))
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(7200), nextAttempt: Self.instant(3600)), Self.at(3600)).contains(.startDelivery))
        #expect(m.isDelivering)
        #expect(m.handle(.reloadRequested, Self.at(3601)) == [.reload, .enqueue(recoverFirst: false)])
    }

    @Test("a notice falling due during a slow delivery is planned at once and delivered after it")
    func newlyDueDuringDelivery() {
        var m = Self.running()
        _ = m.handle(.wake(.poked), Self.at(10))
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(9)), Self.at(10)).contains(.startDelivery))
        // The hour comes while the first delivery still runs: planned now, not after it.
        #expect(m.handle(.wake(.timer(earliestRetry: Self.instant(9))), Self.at(3600, progress: 3590)) == [.enqueue(recoverFirst: false)])
        let planned = m.handle(.enqueued(nextPlanned: Self.instant(7200), nextAttempt: Self.instant(9)), Self.at(3600, progress: 3590))
        #expect(!planned.contains(.startDelivery), "one delivery run at a time")
        #expect(planned.contains(.pingWatchdog))
        // When it ends, what fell due meanwhile is delivered.
        #expect(m.handle(.deliveryFinished(attempted: 3, nextAttempt: Self.instant(3600), storageError: nil), Self.at(3700)) == [.enqueue(recoverFirst: false)])
    }

    @Test("the watchdog is fed while a delivery progresses, and not once it is stuck")
    func watchdogFollowsDeliveryProgress() {
        var m = Self.running()
        _ = m.handle(.wake(.poked), Self.at(0))
        _ = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(0)), Self.at(0))
        #expect(m.handle(.wake(.timer(earliestRetry: Self.instant(0))), Self.at(30, progress: 25)).contains(.enqueue(recoverFirst: false)))
        // A slow delivery: the last transfer ended 90 s ago, under the 100 s limit.
        let slow = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(0)), Self.at(120, progress: 30))
        #expect(slow.contains(.pingWatchdog))
        // Nothing for 101 s: stuck. The loop still arms its timer but feeds no watchdog.
        let stuck = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(0)), Self.at(131, progress: 30))
        #expect(!stuck.contains(.pingWatchdog))
        #expect(stuck.contains(.arm(Self.instant(161))))
        // Progress again: fed again.
        #expect(m.handle(.wake(.poked), Self.at(140, progress: 139)) == [.enqueue(recoverFirst: false)])
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(0)), Self.at(140, progress: 139)).contains(.pingWatchdog))
    }

    @Test("a timer wake before any work is due only feeds the watchdog and re-arms")
    func watchdogOnlyWake() {
        var m = Self.running()
        #expect(m.handle(.wake(.timer(earliestRetry: nil)), Self.at(30)) == [.pingWatchdog, .arm(Self.instant(60))])
        #expect(m.handle(.wake(.timer(earliestRetry: Self.instant(3600))), Self.at(3580)) == [.pingWatchdog, .arm(Self.instant(3600))])
        // A retry requeued without a poke: planned and delivered now.
        #expect(m.handle(.wake(.timer(earliestRetry: Self.instant(40))), Self.at(60)) == [.enqueue(recoverFirst: false)])
        // Without a watchdog the timer is armed for the work only.
        var quiet = Self.machine(watchdog: false)
        _ = quiet.handle(.started, Self.at(0))
        _ = quiet.handle(.storeOpened, Self.at(0))
        #expect(quiet.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: nil), Self.at(0)) == [.ready, .arm(Self.instant(3600)), .releaseIdlePages])
    }

    @Test("the store failing at start: READY with degraded, retries 1, 2, 4, 8, 10, 10 s apart, then recovers")
    func storageBackoff() {
        var m = Self.machine()
        _ = m.handle(.started, Self.at(0))
        #expect(m.handle(.storageFailed(reason: "read-only", rowsMayBeClaimed: false), Self.at(0))
            == [.reportDegraded(reason: "read-only", retryInSeconds: 1), .ready, .pingWatchdog, .arm(Self.instant(1))])
        var retryAt: Int64 = 1
        for expected: Int64 in [2, 4, 8, 10, 10] {
            // A watchdog wake before the retry time only feeds the watchdog.
            #expect(m.handle(.wake(.timer(earliestRetry: nil)), Self.at(retryAt - 1)).first == .pingWatchdog)
            #expect(m.handle(.wake(.timer(earliestRetry: nil)), Self.at(retryAt)) == [.openStore])
            let failed = m.handle(.storageFailed(reason: "read-only", rowsMayBeClaimed: false), Self.at(retryAt))
            #expect(failed.first == .reportDegraded(reason: "read-only", retryInSeconds: expected))
            #expect(!failed.contains(.ready), "READY once")
            retryAt += expected
        }
        let now = retryAt - 5
        // An operator's poke tries at once.
        #expect(m.handle(.wake(.poked), Self.at(now + 1)) == [.openStore])
        #expect(m.handle(.storeOpened, Self.at(now + 1)) == [.reportRecovered, .enqueue(recoverFirst: false)])
        #expect(!m.isDegraded)
    }

    @Test("outcomes not recorded: degraded, and the rows are put back before the next claim")
    func recordingFailureRecovers() {
        var m = Self.running()
        _ = m.handle(.wake(.poked), Self.at(10))
        _ = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(10)), Self.at(10))
        let failed = m.handle(.deliveryFinished(attempted: 4, nextAttempt: nil, storageError: "disk full"), Self.at(20))
        #expect(failed.first == .reportDegraded(reason: "disk full", retryInSeconds: 1))
        #expect(m.handle(.wake(.timer(earliestRetry: nil)), Self.at(21)) == [.enqueue(recoverFirst: true)])
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(10)), Self.at(21)).starts(with: [.reportRecovered, .reportStatus, .startDelivery]))
        #expect(m.handle(.wake(.poked), Self.at(22)) == [.enqueue(recoverFirst: false)])
    }

    @Test("stopping waits for the running delivery, then finishes")
    func stopDuringDelivery() {
        var m = Self.running()
        _ = m.handle(.wake(.poked), Self.at(10))
        _ = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(10)), Self.at(10))
        #expect(m.handle(.stopRequested, Self.at(11)) == [])
        #expect(m.handle(.wake(.poked), Self.at(12)) == [])
        #expect(m.handle(.deliveryFinished(attempted: 1, nextAttempt: Self.instant(10), storageError: nil), Self.at(13)) == [.finish])
        #expect(m.handle(.wake(.poked), Self.at(14)) == [])
        var idle = Self.running()
        #expect(idle.handle(.stopRequested, Self.at(11)) == [.finish])
    }

    @Test("a delivery that could attempt nothing is not restarted at once (no spin on unclaimable rows)")
    func noSpinOnUnclaimableRows() {
        var m = Self.running()
        _ = m.handle(.wake(.poked), Self.at(10))
        _ = m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(-100)), Self.at(10))
        let actions = m.handle(.deliveryFinished(attempted: 0, nextAttempt: Self.instant(-100), storageError: nil), Self.at(10))
        #expect(actions == [.reportStatus, .pingWatchdog, .arm(Self.instant(40)), .releaseIdlePages])
        _ = m.handle(.wake(.poked), Self.at(10))
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(3600), nextAttempt: Self.instant(-100)), Self.at(10)).contains(.startDelivery))
        let retried = m.handle(.deliveryFinished(attempted: 2, nextAttempt: Self.instant(5), storageError: nil), Self.at(10))
        #expect(retried == [.enqueue(recoverFirst: false)])
    }

    @Test("idle pages are given back only when the next work is at least the threshold away")
    func idlePageRelease() {
        var m = Self.running()
        _ = m.handle(.wake(.poked), Self.at(0))
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(299), nextAttempt: nil), Self.at(0)).last == .arm(Self.instant(30)))
        _ = m.handle(.wake(.poked), Self.at(0))
        #expect(m.handle(.enqueued(nextPlanned: Self.instant(300), nextAttempt: nil), Self.at(0)).last == .releaseIdlePages)
    }
}
