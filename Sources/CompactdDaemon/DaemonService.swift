import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdStore
import CompactdSystemd
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// compactd as a long-running systemd service, one `Service` in a `ServiceGroup`:
///
/// plan, enqueue what is due, deliver, then sleep on a wall-clock timerfd until the earliest of
/// the next planned notice and the next retry; wake early on a poke, a clock jump, SIGHUP or a
/// reload request on the control socket. It reports READY/STATUS/RELOADING/STOPPING to systemd
/// and pings the watchdog only after a pass of the loop really ran.
///
/// When the state store fails (cannot be opened, read-only, disk full, locked by another
/// process) it stays up, says "degraded" in STATUS, and retries with a growing delay: exiting
/// would only make systemd restart it into the same fault. Nothing is lost meanwhile: what fell
/// due is still planned, what was claimed but not recorded is recovered and resent under the
/// same identity.
public final class DaemonService: Service, Sendable {
    let configPath: String
    let openStore: @Sendable () throws(StateStoreError) -> any StateStore
    let engine: CurlEngine
    let logger: Logger
    let notifier: SystemdNotifier
    let controlSocketPath: String?
    let hangForTest: Bool
    let faultHook: (@Sendable (FaultPoint) -> Void)?
    /// Idle pages are given back when the next work is at least this many seconds away; nil
    /// never (`COMPACTD_IDLE_PAGE_RELEASE`).
    let idlePageReleaseSeconds: Int64?
    let startedAt = Instant.now
    private let state: Mutex<State>

    struct State {
        var active: ActiveConfiguration
        var store: (any StateStore)?
        var lastReloadError: String?
        var nextWake: Instant?
        /// When the next pass has work: the next planned notice or retry, or a day on (so the
        /// plan is redone at least daily). Timer wakes before it are the watchdog's.
        var workDue: Instant?
        /// Why the daemon is degraded (the last state store failure), until a pass succeeds.
        var degraded: String?
        /// Outcomes could not be recorded: their rows are still `sending` and must be put back
        /// before the next claim.
        var needsRecovery = false
        /// Consecutive failed passes, for the retry delay.
        var failures = 0
    }

    /// Waits between attempts while the state store fails: 1 s doubling to 10 s. A local
    /// database is cheap to retry, and the sooner the fault is seen gone the better.
    static func storageRetryDelay(failures: Int) -> Int64 { min(10, Int64(1) << min(max(failures - 1, 0), 4)) }

    public init(
        active: ActiveConfiguration, configPath: String, openStore: @escaping @Sendable () throws(StateStoreError) -> any StateStore,
        engine: CurlEngine, logger: Logger,
        notifier: SystemdNotifier = SystemdNotifier(), controlSocketPath: String?, hangForTest: Bool = false,
        idlePageReleaseSeconds: Int64? = DaemonService.defaultIdlePageReleaseSeconds,
        faultHook: (@Sendable (FaultPoint) -> Void)? = nil
    ) {
        self.idlePageReleaseSeconds = idlePageReleaseSeconds
        self.configPath = configPath
        self.openStore = openStore
        self.engine = engine
        self.logger = logger
        self.notifier = notifier
        self.controlSocketPath = controlSocketPath
        self.hangForTest = hangForTest
        self.faultHook = faultHook
        self.state = Mutex(State(active: active))
    }

    func dispatcher(store: any StateStore) -> Dispatcher {
        let active = state.withLock { $0.active }
        return Dispatcher(configuration: active.configuration, store: store, engine: engine, templates: active.templates, logger: logger, faultHook: faultHook)
    }

    public func run() async throws {
        let timer = WallClockTimer()
        defer { timer.close() }
        var control: ControlSocket?
        if let controlSocketPath {
            do {
                control = try ControlSocket(path: controlSocketPath)
            } catch {
                logger.warning("control socket unavailable", metadata: ["error": "\(error)"])
            }
        }
        defer { control?.close() }
        let (triggers, continuation) = AsyncStream.makeStream(of: DaemonTrigger.self, bufferingPolicy: .unbounded)
        let stopping = StopFlag()

        try await withThrowingTaskGroup(of: Void.self) { group in
            // Every source of work feeds one stream, so the loop below is the only place that acts.
            group.addTask {
                for await event in timer.events { continuation.yield(.wakeup(event)) }
            }
            if let control {
                group.addTask {
                    for await request in control.requests {
                        switch request.command {
                        case "reload": continuation.yield(.reload(reply: request.reply))
                        case "poke":
                            continuation.yield(.wakeup(.poked))
                            request.reply("ok")
                        case "status":
                            request.reply("ok since=\(self.startedAt.rfc3339UTC) \(await self.statusLine())")
                        default: request.reply("error unknown command '\(request.command)'; expected reload, poke or status")
                        }
                    }
                }
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) { continuation.yield(.reload(reply: nil)) }
            }

            try await withGracefulShutdownHandler {
                try await self.loop(triggers: triggers, timer: timer, stopping: stopping)
            } onGracefulShutdown: {
                stopping.set()
                self.notifier.stopping()
                self.logger.notice("stopping")
                continuation.yield(.wakeup(.poked))
            }
            continuation.finish()
            control?.close()
            timer.close()
            group.cancelAll()
        }
    }

    /// The loop proper; `run(triggers:)` in spirit: tests could feed it triggers directly.
    func loop(triggers: AsyncStream<DaemonTrigger>, timer: WallClockTimer, stopping: StopFlag) async throws {
        var triggers = triggers.makeAsyncIterator()
        guard let store = await openStoreRetrying(triggers: &triggers, timer: timer, stopping: stopping) else { return }
        await pass(store: store, timer: timer, stopping: stopping)
        notifier.ready(status: await statusLine())
        logger.notice("ready", metadata: ["config": "\(configPath)"])
        if hangForTest {
            // Test-only: a hung loop. The watchdog must kill the process; nothing pings it.
            while true { sleep(3600) }
        }
        releasePagesIfIdle()
        while let trigger = await triggers.next() {
            if stopping.isSet { break }
            switch trigger {
            case .wakeup(let event):
                if event == .timer, await watchdogOnlyWake(store: store, timer: timer) { continue }
            case .reload(let reply):
                reload(reply: reply)
            }
            if stopping.isSet { break }
            await pass(store: store, timer: timer, stopping: stopping)
            notifier.status(await statusLine())
            releasePagesIfIdle()
        }
    }

    /// A timer wake before any work is due is the watchdog's. Taking it proves the loop still
    /// turns (a hung pass never gets here), so it pings and re-arms without a pass: re-planning
    /// a year ahead every half watchdog interval would only touch pages and CPU for nothing.
    /// The one thing that can change unannounced is checked: a retry requeued by `compactctl
    /// retry` whose poke did not reach the control socket. Acknowledgments and snoozes need no
    /// check, the claim re-reads them. False when a pass is needed.
    func watchdogOnlyWake(store: any StateStore, timer: WallClockTimer) async -> Bool {
        guard notifier.watchdogIntervalMicroseconds != nil else { return false }
        let (workDue, healthy) = state.withLock { ($0.workDue, $0.degraded == nil && !$0.needsRecovery) }
        let now = Instant.now
        guard healthy, let workDue, now < workDue else { return false }
        do {
            if let retry = try await store.nextAttemptDue(), retry < workDue { return false }
        } catch {
            return false
        }
        arm(timer, for: workDue, now: now)
        return true
    }

    /// Five minutes: shorter idle spells are not worth reading the pages back for.
    public static let defaultIdlePageReleaseSeconds: Int64 = 300

    /// After a pass that leaves nothing to do for a while, gives back the pages it touched
    /// (`IdlePageRelease`): compactd waits hours between reminders, holding start-up and
    /// delivery code it will not run again until then.
    func releasePagesIfIdle() {
        guard let threshold = idlePageReleaseSeconds else { return }
        let (workDue, degraded) = state.withLock { ($0.workDue, $0.degraded) }
        guard degraded == nil, let workDue, workDue.secondsSinceEpoch - Instant.now.secondsSinceEpoch >= threshold else { return }
        let outcome = IdlePageRelease.release()
        logger.debug("idle pages released", metadata: [
            "mappings": "\(outcome.mappings)", "mappings_resident_kib": "\(outcome.residentBeforeKiB)", "rss_before_kib": "\(outcome.processBeforeKiB)",
            "rss_after_kib": "\(outcome.processAfterKiB)", "supported": "\(outcome.supported)",
        ])
    }

    /// Opens the state store and puts back deliveries a crash interrupted. Until both work it
    /// reports READY with a degraded STATUS (so systemd neither times the start out nor restarts
    /// it into the same fault), keeps the watchdog fed (retrying is progress), answers reloads
    /// and stops, and tries again after a growing delay. Nil when stopped first.
    func openStoreRetrying(triggers: inout AsyncStream<DaemonTrigger>.Iterator, timer: WallClockTimer, stopping: StopFlag) async -> (any StateStore)? {
        var announced = false
        while !stopping.isSet {
            do throws(StateStoreError) {
                let store = try openStore()
                let recovered = try await store.recoverInterrupted(now: Instant.now)
                if recovered > 0 { logger.warning("recovered interrupted deliveries", metadata: ["count": "\(recovered)"]) }
                state.withLock { $0.store = store }
                storageRecovered()
                return store
            } catch {
                storageFailed(error.description, timer: timer, firstReport: !announced)
                announced = true
                guard let trigger = await triggers.next() else { return nil }
                if case .reload(let reply) = trigger { reload(reply: reply) }
            }
        }
        return nil
    }

    /// Arms the timer for `wake`, or sooner for the watchdog's half interval, and feeds the
    /// watchdog. Called only where the loop has just made progress (a pass, a retry of the
    /// store, a watchdog-only wake it took), never from a free-running timer.
    private func arm(_ timer: WallClockTimer, for wake: Instant, now: Instant = Instant.now) {
        var wake = wake
        if let interval = notifier.watchdogIntervalMicroseconds {
            wake = min(wake, now.adding(microseconds: Int64(interval / 2)))
            notifier.watchdog()
        }
        timer.arm(at: wake)
    }

    /// One pass, then arm the timer for the next thing due (or the watchdog's half interval).
    func pass(store: any StateStore, timer: WallClockTimer, stopping: StopFlag) async {
        let dispatcher = dispatcher(store: store)
        // Planned notices are looked for from the pass's start, not its end: one falling due
        // while the pass delivered must wake the next pass at once, not be skipped.
        let passStart = Instant.now
        let summary: DispatchSummary
        do {
            if state.withLock({ $0.needsRecovery }) {
                let recovered = try await store.recoverInterrupted(now: Instant.now)
                state.withLock { $0.needsRecovery = false }
                if recovered > 0 { logger.warning("recovered interrupted deliveries", metadata: ["count": "\(recovered)"]) }
            }
            summary = try await dispatcher.runPass(shouldStop: { stopping.isSet })
        } catch {
            // Storage trouble: say so, keep running, try again soon. Nothing is lost: what was
            // not recorded is still in the outbox or still planned.
            storageFailed(error.description, timer: timer)
            return
        }
        if summary.storageErrors > 0 {
            state.withLock { $0.needsRecovery = true }
            storageFailed(summary.lastStorageError ?? "state store error", timer: timer)
            return
        }
        storageRecovered()
        let now = Instant.now
        let planned = nextPlanned(after: passStart, configuration: dispatcher.configuration, state: (try? await store.plannerState()) ?? .empty)
        let workDue = [summary.nextAttemptAt, planned].compactMap { $0 }.min() ?? now.adding(seconds: 86_400)
        state.withLock {
            $0.nextWake = planned
            $0.workDue = workDue
        }
        arm(timer, for: workDue, now: now)
    }

    /// The state store failed (opening it, or during a pass): degraded, logged, retried after a
    /// growing delay. The first report at start is READY, so systemd neither times the start
    /// out nor restarts compactd into the same fault.
    private func storageFailed(_ reason: String, timer: WallClockTimer, firstReport: Bool = false) {
        let failures = state.withLock {
            $0.failures += 1
            $0.degraded = reason
            return $0.failures
        }
        let delay = Self.storageRetryDelay(failures: failures)
        logger.error("state store unavailable", metadata: ["error": "\(reason)", "retry_in_s": "\(delay)"])
        let status = "degraded: \(reason); retrying in \(delay) s"
        if firstReport { notifier.ready(status: status) } else { notifier.status(status) }
        arm(timer, for: Instant.now.adding(seconds: delay))
    }

    /// The state store works: no longer degraded (said once, when it was).
    private func storageRecovered() {
        let wasDegraded = state.withLock { state in
            defer {
                state.degraded = nil
                state.failures = 0
            }
            return state.degraded != nil
        }
        if wasDegraded { logger.notice("state store available again") }
    }

    /// The next planned notice, looking a day ahead, then a week, a month, a year.
    func nextPlanned(after now: Instant, configuration: Configuration, state: PlannerState) -> Instant? {
        let planner = Planner(configuration: configuration)
        for days: Int64 in [1, 7, 31, 400] {
            if let first = planner.plan(from: now.adding(microseconds: 1), to: now.adding(seconds: days * 86_400), state: state).first {
                return first.sendAt
            }
        }
        return nil
    }

    /// Re-reads and validates the whole configuration; on failure the old one stays.
    func reload(reply: (@Sendable (String) -> Void)?) {
        notifier.reloading()
        do {
            let active = try ActiveConfiguration.load(path: configPath)
            state.withLock {
                $0.active = active
                $0.lastReloadError = nil
            }
            logger.notice("reloaded", metadata: ["config": "\(configPath)", "compacts": "\(active.configuration.compacts.count)"])
            reply?("ok reloaded \(configPath)")
        } catch {
            state.withLock { $0.lastReloadError = error.summary }
            logger.error("reload failed", metadata: ["error": "\(error.summary)", "config": "\(configPath)"])
            reply?("error \(error.summary)")
        }
        notifier.ready(status: "reloaded")
    }

    /// The one-line truth for STATUS=.
    func statusLine() async -> String {
        let (active, store, reloadError, nextWake, degraded) = state.withLock { ($0.active, $0.store, $0.lastReloadError, $0.nextWake, $0.degraded) }
        let c = active.configuration
        var parts = ["\(c.compacts.count) compacts"]
        if let degraded { parts.insert("degraded: \(degraded)", at: 0) }
        if let summaries = try? await store?.channelSummaries() {
            let pending = summaries.reduce(0) { $0 + $1.count(.pending) }
            let dead = summaries.reduce(0) { $0 + $1.count(.dead) }
            parts.append("queue \(pending)")
            parts.append("dead letters \(dead)")
        }
        if let disabled = try? await store?.disabledChannels(), !disabled.isEmpty {
            parts.append("disabled channels \(disabled.map(\.channel).joined(separator: ","))")
        }
        parts.append(nextWake.map { "next reminder \(TimestampFormat.short($0, in: c.timeZone))" } ?? "no reminder planned")
        if let reloadError { parts.append("last reload failed: \(reloadError)") }
        return parts.joined(separator: "; ")
    }
}

/// Set once a graceful stop began.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
