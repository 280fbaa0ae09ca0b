import CompactdCore

/// Every decision of the daemon's loop, and nothing else: given what happened and what time it
/// is, which actions to take. No I/O, no clock of its own, no processes: `DaemonService` feeds
/// it events and carries out the actions it returns (postgres-nio's `ConnectionStateMachine`
/// shape), and the tests drive it with invented instants.
///
/// The loop's work is split in two so that nothing slow holds up what must be quick:
/// - **planning** (`.enqueue`): plan what fell due and write it to the outbox. Quick, done by the
///   loop itself, after every wake that may have brought work.
/// - **delivery** (`.startDelivery`): claim and send what the outbox holds. As slow as the
///   receivers; it runs beside the loop, which meanwhile answers reloads, plans newly due notices,
///   and reports READY without waiting for it.
///
/// The watchdog is fed whenever the loop settles after an event (it turned, so it is not hung),
/// unless a delivery runs and has made no progress for longer than any transfer may take: then
/// the delivery is what hangs, and systemd should replace the process.
public struct DaemonLoopStateMachine: Sendable {
    public enum Action: Sendable, Equatable {
        /// Open the state store and put back deliveries a crash left claimed.
        case openStore
        /// Plan and write what fell due to the outbox; first put back rows left claimed by a
        /// delivery whose outcomes could not be recorded, when `recoverFirst`.
        case enqueue(recoverFirst: Bool)
        /// Start claiming and sending what is due, beside the loop.
        case startDelivery
        /// Re-read the configuration (the old one stays when the new one is refused).
        case reload
        /// READY=1: the first time the loop has a store (or knows it has none for now).
        case ready
        /// STATUS= after a change worth saying.
        case reportStatus
        /// The store failed: log it, say "degraded" in STATUS, retry after `retryInSeconds`.
        case reportDegraded(reason: String, retryInSeconds: Int64)
        /// The store works again after it had failed.
        case reportRecovered
        case pingWatchdog
        /// Wake at this wall-clock time (replaces any earlier arming).
        case arm(Instant)
        /// Nothing to do for a while: give back pages (`IdlePageRelease`).
        case releaseIdlePages
        /// Stopping and nothing is in flight: the loop ends.
        case finish
    }

    public enum Wake: Sendable, Equatable {
        /// The armed time came. `earliestRetry` is the store's next attempt due, looked up by
        /// the caller (a retry requeued by `compactctl retry` whose poke was lost).
        case timer(earliestRetry: Instant?)
        /// Something asked for a new pass: an acknowledgment, a retry, an operator.
        case poked
        /// The wall clock was set: what is due may have changed.
        case clockChanged
    }

    public enum Event: Sendable, Equatable {
        case started
        case storeOpened
        /// A store operation failed. `rowsMayBeClaimed`: rows claimed for sending may have no
        /// recorded outcome and must be put back before the next claim.
        case storageFailed(reason: String, rowsMayBeClaimed: Bool)
        /// Planning finished: the next planned notice after now, and the store's next attempt
        /// due (which may be now or past: then delivery starts).
        case enqueued(nextPlanned: Instant?, nextAttempt: Instant?)
        /// A delivery run ended with every claimed row recorded (or a storage error).
        /// `attempted`: how many deliveries it attempted (none: what is due is not claimable,
        /// e.g. its channel is disabled, and delivering again at once would only spin).
        case deliveryFinished(attempted: Int, nextAttempt: Instant?, storageError: String?)
        case wake(Wake)
        case reloadRequested
        case stopRequested
    }

    /// What the caller observed when the event happened.
    public struct Observation: Sendable, Equatable {
        public var now: Instant
        /// The last progress of the running delivery (a claim, a finished transfer, a committed
        /// write); nil when none runs.
        public var deliveryProgressAt: Instant?

        public init(now: Instant, deliveryProgressAt: Instant? = nil) {
            self.now = now
            self.deliveryProgressAt = deliveryProgressAt
        }
    }

    public struct Settings: Sendable, Equatable {
        /// Half of `WatchdogSec=`, in microseconds; nil without a watchdog.
        public var watchdogHalfIntervalMicroseconds: Int64?
        /// A running delivery with no progress for this long is stuck: the longest a transfer
        /// may take (connect and total timeouts) and a margin for the store's writes.
        public var deliveryStallMicroseconds: Int64
        /// Give back idle pages when the next work is at least this far away; nil never.
        public var idlePageReleaseSeconds: Int64?

        public init(watchdogHalfIntervalMicroseconds: Int64?, deliveryStallMicroseconds: Int64, idlePageReleaseSeconds: Int64?) {
            self.watchdogHalfIntervalMicroseconds = watchdogHalfIntervalMicroseconds
            self.deliveryStallMicroseconds = deliveryStallMicroseconds
            self.idlePageReleaseSeconds = idlePageReleaseSeconds
        }
    }

    struct Degraded: Sendable, Equatable {
        var reason: String
        var failures: Int
        var retryAt: Instant
    }

    /// Replaced at a reload (the timeouts may change).
    public var settings: Settings
    private(set) var storeOpen = false
    private(set) var readySent = false
    private(set) var delivering = false
    /// Planning found work due while a delivery ran: deliver again when it ends.
    private(set) var deliverAgain = false
    /// Rows may be left claimed without an outcome: recover before the next claim.
    private(set) var needsRecovery = false
    private(set) var degraded: Degraded?
    private(set) var stopping = false
    private(set) var finished = false
    /// When the next planned notice or retry falls due: timer wakes before it are the watchdog's.
    private(set) var workDue: Instant?

    public init(settings: Settings) {
        self.settings = settings
    }

    public var isDegraded: Bool { degraded != nil }
    public var isDelivering: Bool { delivering }

    /// Waits between attempts while the state store fails: 1 s doubling to 10 s. A local
    /// database is cheap to retry, and the sooner the fault is seen gone the better.
    public static func storageRetryDelay(failures: Int) -> Int64 { min(10, Int64(1) << min(max(failures - 1, 0), 4)) }

    /// A day: with nothing planned, the plan is still redone daily.
    static let idleReplanSeconds: Int64 = 86_400

    public mutating func handle(_ event: Event, _ observed: Observation) -> [Action] {
        guard !finished else { return [] }
        let now = observed.now
        switch event {
        case .started:
            return [.openStore]

        case .storeOpened:
            storeOpen = true
            return recovered() + [.enqueue(recoverFirst: false)]

        case .storageFailed(let reason, let rowsMayBeClaimed):
            if rowsMayBeClaimed { needsRecovery = true }
            let failures = (degraded?.failures ?? 0) + 1
            let delay = Self.storageRetryDelay(failures: failures)
            degraded = Degraded(reason: reason, failures: failures, retryAt: now.adding(seconds: delay))
            if stopping && !delivering { return finish() }
            var actions: [Action] = [.reportDegraded(reason: reason, retryInSeconds: delay)]
            // READY even so: systemd should neither time the start out nor restart compactd
            // into the same fault. Retrying is progress, so the watchdog is fed.
            if !readySent {
                readySent = true
                actions.append(.ready)
            }
            return actions + settle(observed)

        case .enqueued(let nextPlanned, let nextAttempt):
            needsRecovery = false
            var actions = recovered()
            workDue = Self.earliest(nextPlanned, nextAttempt.flatMap { $0 > now ? $0 : nil }) ?? now.adding(seconds: Self.idleReplanSeconds)
            if !readySent {
                readySent = true
                actions.append(.ready)
            } else {
                actions.append(.reportStatus)
            }
            if stopping { return actions + (delivering ? [] : finish()) }
            if let nextAttempt, nextAttempt <= now {
                if delivering { deliverAgain = true } else {
                    delivering = true
                    actions.append(.startDelivery)
                }
            }
            return actions + settle(observed) + idleRelease(now)

        case .deliveryFinished(let attempted, let nextAttempt, let storageError):
            delivering = false
            if stopping { return finish() }
            if let storageError {
                deliverAgain = false
                return handle(.storageFailed(reason: storageError, rowsMayBeClaimed: true), observed)
            }
            if deliverAgain || (attempted > 0 && nextAttempt.map { $0 <= now } ?? false) {
                // More fell due meanwhile: plan again (cheap) and deliver it.
                deliverAgain = false
                return [.enqueue(recoverFirst: needsRecovery)]
            }
            if let nextAttempt, nextAttempt > now { workDue = Self.earliest(workDue, nextAttempt) }
            return [.reportStatus] + settle(observed) + idleRelease(now)

        case .wake(let wake):
            if stopping { return [] }
            if let degraded {
                // Waiting out a store failure: only the retry time (or an operator) ends the wait.
                if case .timer = wake, now < degraded.retryAt { return settle(observed) }
                return [storeOpen ? .enqueue(recoverFirst: needsRecovery) : .openStore]
            }
            guard storeOpen else { return [] }
            if case .timer(let earliestRetry) = wake, let workDue, now < workDue, earliestRetry.map({ $0 >= workDue }) ?? true {
                // A wake for the watchdog's sake: the loop turns, nothing is due, no plan needed.
                return settle(observed)
            }
            return [.enqueue(recoverFirst: needsRecovery)]

        case .reloadRequested:
            if stopping { return [.reload] }
            guard storeOpen, degraded == nil else { return [.reload, .reportStatus] }
            return [.reload, .enqueue(recoverFirst: needsRecovery)]

        case .stopRequested:
            stopping = true
            // A running delivery sees the stop itself, finishes its transfers, and reports.
            return delivering ? [] : finish()
        }
    }

    private mutating func finish() -> [Action] {
        finished = true
        return [.finish]
    }

    private mutating func recovered() -> [Action] {
        guard degraded != nil else { return [] }
        degraded = nil
        return [.reportRecovered]
    }

    /// The loop turned: feed the watchdog (unless a delivery is stuck) and arm the timer for
    /// the next thing due, or sooner for the watchdog's half interval.
    private func settle(_ observed: Observation) -> [Action] {
        let now = observed.now
        var wake = Self.earliest(workDue, degraded?.retryAt) ?? now.adding(seconds: Self.idleReplanSeconds)
        var actions: [Action] = []
        if let half = settings.watchdogHalfIntervalMicroseconds {
            wake = min(wake, now.adding(microseconds: half))
            if !deliveryStalled(observed) { actions.append(.pingWatchdog) }
        }
        actions.append(.arm(wake))
        return actions
    }

    /// A delivery runs and nothing came of it for longer than any transfer may take.
    public func deliveryStalled(_ observed: Observation) -> Bool {
        guard delivering, let progress = observed.deliveryProgressAt else { return false }
        return observed.now.microsecondsSinceEpoch - progress.microsecondsSinceEpoch > settings.deliveryStallMicroseconds
    }

    private func idleRelease(_ now: Instant) -> [Action] {
        guard let threshold = settings.idlePageReleaseSeconds, !delivering, degraded == nil, let workDue,
              workDue.secondsSinceEpoch - now.secondsSinceEpoch >= threshold else { return [] }
        return [.releaseIdlePages]
    }

    static func earliest(_ a: Instant?, _ b: Instant?) -> Instant? {
        switch (a, b) {
        case (let a?, let b?): min(a, b)
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
    }
}
