import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdStore
import CompactdSystemd
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import UnixSignals

/// compactd as a long-running systemd service, one `Service` in a `ServiceGroup`.
///
/// Every source of work (the wall-clock timer, pokes and reloads on the control socket, SIGHUP,
/// the end of a delivery run, the stop) feeds one stream of triggers; `DaemonLoopStateMachine`
/// decides what each means, and this type only carries the decisions out: open the store, plan
/// and write what fell due, start a delivery run beside the loop, reload, tell systemd
/// (READY/STATUS/RELOADING/STOPPING/WATCHDOG), arm the timer. Deliveries never hold the loop:
/// READY, reloads and newly due notices do not wait for a slow receiver.
///
/// When the state store fails (cannot be opened, read-only, disk full, locked by another
/// process) it stays up, says "degraded" in STATUS, and retries with a growing delay: exiting
/// would only make systemd restart it into the same fault. Nothing is lost meanwhile: what fell
/// due is still planned, what was claimed but not recorded is recovered and resent under the
/// same identity.
public final class DaemonService: Service, Sendable {
    let configPath: String
    let openStore: @Sendable () async throws(StateStoreError) -> any StateStore
    /// Other processes' changes to a shared state (PostgreSQL's NOTIFY): each wakes the loop.
    let changes: AsyncStream<Void>?
    let engine: CurlEngine
    let logger: Logger
    let notifier: SystemdNotifier
    let controlSocketPath: String?
    let hangForTest: Bool
    let faultHook: (@Sendable (FaultPoint) -> Void)?
    /// Idle pages are given back when the next work is at least this many seconds away; nil
    /// never (`COMPACTD_IDLE_PAGE_RELEASE`).
    let idlePageReleaseSeconds: Int64?
    /// The one clock everything that decides by time reads.
    let clock: @Sendable () -> Instant
    let startedAt: Instant
    /// Signs the notices' action links; nil without `[http]`.
    let linkSigner: ActionLinkSigner?
    let state: Mutex<State>

    struct State {
        var active: ActiveConfiguration
        var store: (any StateStore)?
        var lastReloadError: String?
        /// The next planned notice as the status line, READY and /healthz report it. It outlives
        /// a reload or a clock change (until the pass that follows at once), which `written`
        /// does not: the two are set together by each pass but are not the same fact.
        var nextWake: Instant?
        /// How far the outbox holds every planned notice; nil: the next pass looks back fully.
        var written: EnqueueWatermark?
        /// Why the daemon is degraded (the last state store failure), until planning succeeds.
        var degraded: String?
        /// The running delivery run's progress; nil when none runs.
        var delivery: DeliveryProgress?
        /// Wakes the loop from outside it (an action link's change).
        var wake: AsyncStream<DaemonTrigger>.Continuation?
        /// Since when the loop has been handling events; nil while it waits for the next.
        var busySince: Instant?
        /// When the loop last finished handling events.
        var lastTurn: Instant?
    }

    public init(
        active: ActiveConfiguration, configPath: String, openStore: @escaping @Sendable () async throws(StateStoreError) -> any StateStore,
        changes: AsyncStream<Void>? = nil,
        engine: CurlEngine, logger: Logger,
        notifier: SystemdNotifier = SystemdNotifier(), controlSocketPath: String?, hangForTest: Bool = false,
        idlePageReleaseSeconds: Int64? = DaemonService.defaultIdlePageReleaseSeconds,
        clock: @escaping @Sendable () -> Instant = { Instant.now },
        linkSigner: ActionLinkSigner? = nil,
        faultHook: (@Sendable (FaultPoint) -> Void)? = nil
    ) {
        self.linkSigner = linkSigner
        self.idlePageReleaseSeconds = idlePageReleaseSeconds
        self.configPath = configPath
        self.openStore = openStore
        self.changes = changes
        self.engine = engine
        self.logger = logger
        self.notifier = notifier
        self.controlSocketPath = controlSocketPath
        self.hangForTest = hangForTest
        self.faultHook = faultHook
        self.clock = clock
        self.startedAt = clock()
        self.state = Mutex(State(active: active))
    }

    func dispatcher(store: any StateStore) -> Dispatcher {
        let active = state.withLock { $0.active }
        return Dispatcher(configuration: active.configuration, store: store, engine: engine, templates: active.templates, linkSigner: linkSigner, logger: logger, clock: clock, faultHook: faultHook)
    }

    /// The state machine's settings for a configuration: the watchdog systemd asked for, and how
    /// long a delivery may go without progress (a transfer's connect and total timeouts, and a
    /// minute for the store's writes and the engine's turn).
    func loopSettings(_ configuration: Configuration) -> DaemonLoopStateMachine.Settings {
        let delivery = configuration.delivery
        let transferMs = DeliverySettings.milliseconds(delivery.connectTimeout) + DeliverySettings.milliseconds(delivery.totalTimeout)
        return DaemonLoopStateMachine.Settings(
            watchdogHalfIntervalMicroseconds: notifier.watchdogIntervalMicroseconds.map { Int64($0 / 2) },
            deliveryStallMicroseconds: Int64(transferMs) * 1000 + 60_000_000,
            idlePageReleaseSeconds: idlePageReleaseSeconds
        )
    }

    public func run() async throws {
        let timer = WallClockTimer()
        defer { timer.close() }
        // SIGHUP is caught before the control socket exists: whoever sees the socket may send a
        // HUP, and until the sequence is made its default action ends the process (a reload
        // test sent one in that window, under load, and compactd was gone).
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var control: ControlSocket?
        if let controlSocketPath {
            do {
                control = try ControlSocket(path: controlSocketPath)
            } catch where error.anotherInstanceRunning {
                // Two daemons on one state would each send what the other sends: refuse.
                logger.critical("another instance is running", metadata: ["error": "\(error)", "control_socket": "\(controlSocketPath)"])
                throw error
            } catch {
                logger.warning("control socket unavailable", metadata: ["error": "\(error)"])
            }
        }
        defer { control?.close() }
        let (triggers, continuation) = AsyncStream.makeStream(of: DaemonTrigger.self, bufferingPolicy: .unbounded)
        state.withLock { $0.wake = continuation }
        let stopping = StopFlag()

        await withTaskGroup(of: Void.self) { group in
            // Every source of work feeds one stream, so the loop below is the only place that acts.
            group.addTask {
                for await event in timer.events { continuation.yield(.wakeup(event)) }
            }
            if let control {
                group.addTask {
                    for await request in control.requests {
                        if request.command.hasPrefix("write ") {
                            let answer = await self.applyWrite(String(request.command.dropFirst(6)), peer: request.peer)
                            request.reply(answer)
                            // Plan again at once: an acknowledgment or a retry changes what is due.
                            if answer.hasPrefix("ok ") { continuation.yield(.wakeup(.poked)) }
                            continue
                        }
                        switch request.command {
                        case "reload": continuation.yield(.reload(reply: request.reply))
                        case "poke":
                            continuation.yield(.wakeup(.poked))
                            request.reply("ok")
                        case "status":
                            request.reply("ok since=\(self.startedAt.rfc3339UTC) \(await self.statusLine())")
                        default: request.reply("error unknown command '\(request.command.prefix(40))'; expected reload, poke, status or write")
                        }
                    }
                }
            }
            group.addTask {
                for await _ in hangups { continuation.yield(.reload(reply: nil)) }
            }
            if let changes {
                // An acknowledgment, snooze or retry made on another replica (or by compactctl on
                // another host): plan and claim again at once, as for a local one.
                group.addTask {
                    for await _ in changes { continuation.yield(.wakeup(.poked)) }
                }
            }

            await withGracefulShutdownHandler {
                await self.loop(triggers: triggers, feedback: continuation, timer: timer, stopping: stopping)
            } onGracefulShutdown: {
                stopping.set()
                self.notifier.stopping()
                self.logger.notice("stopping")
                continuation.yield(.stop)
            }
            continuation.finish()
            control?.close()
            timer.close()
            group.cancelAll()
        }
    }

    /// The loop proper: triggers in, the state machine's actions out. Delivery runs are child
    /// tasks of this loop; each reports its end back through `feedback`.
    func loop(triggers: AsyncStream<DaemonTrigger>, feedback: AsyncStream<DaemonTrigger>.Continuation, timer: WallClockTimer, stopping: StopFlag) async {
        var machine = DaemonLoopStateMachine(settings: loopSettings(state.withLock { $0.active.configuration }))
        var triggers = triggers.makeAsyncIterator()
        await withTaskGroup(of: Void.self) { deliveries in
            var events: [DaemonLoopStateMachine.Event] = [.started]
            while true {
                state.withLock { $0.busySince = clock() }
                while !events.isEmpty {
                    let event = events.removeFirst()
                    for action in machine.handle(event, observation()) {
                        if action == .finish { return }
                        if let next = await perform(action, machine: &machine, timer: timer, stopping: stopping, deliveries: &deliveries, feedback: feedback) {
                            events.append(next)
                        }
                    }
                }
                state.withLock {
                    $0.busySince = nil
                    $0.lastTurn = clock()
                }
                guard let trigger = await triggers.next() else { return }
                events.append(await event(for: trigger, machine: machine))
            }
        }
    }

    /// What the loop sees now: the time, and the running delivery's last progress.
    func observation() -> DaemonLoopStateMachine.Observation {
        DaemonLoopStateMachine.Observation(now: clock(), deliveryProgressAt: state.withLock { $0.delivery?.lastProgress })
    }

    /// A trigger as the state machine's event; a timer wake carries the store's next attempt due.
    func event(for trigger: DaemonTrigger, machine: DaemonLoopStateMachine) async -> DaemonLoopStateMachine.Event {
        switch trigger {
        case .wakeup(.timer):
            let store = state.withLock { $0.store }
            guard let store, !machine.isDegraded else { return .wake(.timer(earliestRetry: nil)) }
            do {
                return .wake(.timer(earliestRetry: try await store.nextAttemptDue()))
            } catch {
                // The store will be asked again by the pass; a failure then is reported then.
                return .wake(.timer(earliestRetry: clock()))
            }
        case .wakeup(.poked): return .wake(.poked)
        case .wakeup(.clockChanged):
            // What was planned before the clock was set may not be what is due now.
            state.withLock { $0.written = nil }
            return .wake(.clockChanged)
        case .reload(let reply):
            await reload(reply: reply)
            return .reloadRequested
        case .deliveryFinished(let summary, let nextAttempt, let error):
            state.withLock { $0.delivery = nil }
            return .deliveryFinished(attempted: summary.delivered + summary.retrying + summary.dead, nextAttempt: nextAttempt,
                                     storageError: error ?? (summary.storageErrors > 0 ? summary.lastStorageError ?? "state store error" : nil))
        case .stop: return .stopRequested
        }
    }

    /// Carries out one action; returns the event it led to, if any.
    func perform(
        _ action: DaemonLoopStateMachine.Action, machine: inout DaemonLoopStateMachine, timer: WallClockTimer, stopping: StopFlag,
        deliveries: inout TaskGroup<Void>, feedback: AsyncStream<DaemonTrigger>.Continuation
    ) async -> DaemonLoopStateMachine.Event? {
        switch action {
        case .openStore:
            do throws(StateStoreError) {
                let store = try await openStore()
                let recovered = try await store.recoverInterrupted(now: clock())
                if recovered > 0 { logger.warning("recovered interrupted deliveries", metadata: ["count": "\(recovered)"]) }
                state.withLock {
                    $0.store = store
                    $0.written = nil
                }
                return .storeOpened
            } catch {
                return .storageFailed(reason: error.description, rowsMayBeClaimed: false)
            }

        case .enqueue(let recoverFirst):
            guard let store = state.withLock({ $0.store }) else { return nil }
            let dispatcher = dispatcher(store: store)
            do throws(StateStoreError) {
                if recoverFirst {
                    let recovered = try await store.recoverInterrupted(now: clock())
                    if recovered > 0 { logger.warning("recovered interrupted deliveries", metadata: ["count": "\(recovered)"]) }
                }
                // Planned notices are looked for from the planning's start: one falling due
                // while it ran wakes the loop at once, it is not skipped.
                let planStart = clock()
                let plannerState = try await store.plannerState()
                let mark = state.withLock { $0.written }
                // While the last pass's first notice ahead is still ahead (and nothing it planned
                // with has changed), nothing was sent since that pass: no compact is planned.
                // A pass with nothing due then reads the acknowledgments and snoozes, and plans nothing.
                let known = mark?.knownNextPlanned(state: plannerState, now: planStart)
                if known == nil {
                    _ = try await dispatcher.enqueueDue(now: planStart, state: plannerState, after: mark?.since(state: plannerState, now: planStart))
                }
                faultHook?(.afterEnqueue)
                // Looked for across every compact (up to 400 days ahead, in one search) only when
                // the last pass's answer no longer holds.
                let planned = known ?? nextPlanned(after: planStart, configuration: dispatcher.configuration, state: plannerState)
                // Only once every chunk is written: a failed pass leaves the mark where it was.
                state.withLock {
                    $0.written = EnqueueWatermark(through: planStart, state: plannerState, nextPlanned: planned)
                    $0.nextWake = planned
                }
                let nextAttempt = try await store.nextAttemptDue()
                return .enqueued(nextPlanned: planned, nextAttempt: nextAttempt)
            } catch {
                return .storageFailed(reason: error.description, rowsMayBeClaimed: false)
            }

        case .startDelivery:
            guard let store = state.withLock({ $0.store }) else { return nil }
            let dispatcher = dispatcher(store: store)
            let progress = DeliveryProgress(clock: clock)
            state.withLock { $0.delivery = progress }
            deliveries.addTask {
                let summary = await dispatcher.deliverDue(shouldStop: { stopping.isSet }, progress: progress)
                do throws(StateStoreError) {
                    feedback.yield(.deliveryFinished(summary, nextAttempt: try await store.nextAttemptDue(), error: nil))
                } catch {
                    feedback.yield(.deliveryFinished(summary, nextAttempt: nil, error: error.description))
                }
            }
            return nil

        case .reload:
            // Done when the trigger arrived (the reply must not wait); the new settings now.
            machine.settings = loopSettings(state.withLock { $0.active.configuration })
            return nil

        case .ready:
            notifier.ready(status: await statusLine())
            let (nextWake, zone) = state.withLock { ($0.nextWake, $0.active.configuration.timeZone) }
            logger.notice("ready", metadata: [
                "config": "\(configPath)", "next_notice": "\(nextWake.map { TimestampFormat.short($0, in: zone) } ?? "none planned")",
            ])
            if hangForTest {
                // Test-only: a hung loop. The watchdog must end the process; nothing pings it.
                while true { sleep(3600) }
            }
            return nil

        case .reportStatus:
            notifier.status(await statusLine())
            return nil

        case .reportDegraded(let reason, let retryIn):
            state.withLock { $0.degraded = reason }
            Counter(label: "compactd_store_errors_total").increment()
            logger.error("state store unavailable", metadata: ["error": "\(reason)", "retry_in_s": "\(retryIn)"])
            notifier.status("degraded: \(reason); retrying in \(retryIn) s")
            return nil

        case .reportRecovered:
            state.withLock { $0.degraded = nil }
            logger.notice("state store available again")
            return nil

        case .pingWatchdog:
            notifier.watchdog()
            return nil

        case .arm(let instant):
            timer.arm(at: instant)
            return nil

        case .releaseIdlePages:
            releasePages()
            return nil

        case .finish:
            return nil
        }
    }

    /// An operator's write (`compactctl ack`, `unack`, `snooze`, `retry`) from the control
    /// socket, applied with the daemon's own store. Who acted is the caller's Unix user as the
    /// kernel reports it, never what the request says. One line back: `ok ...` or
    /// `error CODE: ...`.
    func applyWrite(_ json: String, peer: ControlPeer?) async -> String {
        guard let peer else { return "error unknown-peer: the caller's credentials could not be read" }
        guard let write = OperatorWrite.decode(json) else { return "error invalid: not a request this compactd understands (is compactctl from another version?)" }
        let (store, degraded) = state.withLock { ($0.store, $0.degraded) }
        guard let store else { return "error unavailable: compactd cannot use its state store now (\(degraded ?? "starting")); try again" }
        do {
            let done = try await write.apply(to: store, unixUser: peer.userName, source: "compactctl", now: clock())
            logger.notice("operator change", metadata: ["action": "\(write.action.rawValue)", "unix_user": "\(peer.userName)", "pid": "\(peer.pid)", "result": "\(done)"])
            return "ok \(done)"
        } catch {
            return "error \(error.code): \(error.message)"
        }
    }

    /// Five minutes: shorter idle spells are not worth reading the pages back for.
    public static let defaultIdlePageReleaseSeconds: Int64 = 300

    /// After a pass that leaves nothing to do for a while (the state machine decides), gives
    /// back the pages it touched (`IdlePageRelease`): compactd waits hours between reminders,
    /// holding start-up and delivery code it will not run again until then.
    /// The HTTP listener is up: its start (event-loop threads, the router) touched pages after
    /// the loop may already have given its idle pages back. When the loop is idle with nothing
    /// due for a while, give them back now too, so idle RSS does not depend on which came first.
    public func listenerStarted() {
        guard let threshold = idlePageReleaseSeconds else { return }
        let now = clock()
        let idle = state.withLock { s in
            s.lastTurn != nil && s.busySince == nil && s.delivery == nil && s.degraded == nil
                && (s.nextWake.map { $0.secondsSinceEpoch - now.secondsSinceEpoch >= threshold } ?? true)
        }
        if idle { releasePages() }
    }

    /// The HTTP listener finished its largest reads: give the heap's free pages back.
    public func largeReadDone() {
        let heap = HeapTrim.giveBack()
        logger.debug("heap trimmed after a large read", metadata: ["rss_before_kib": "\(heap.beforeKiB)", "rss_after_kib": "\(heap.afterKiB)"])
    }

    func releasePages() {
        let heap = HeapTrim.giveBack()
        let outcome = IdlePageRelease.release()
        logger.debug("idle pages released", metadata: [
            "mappings": "\(outcome.mappings)", "mappings_resident_kib": "\(outcome.residentBeforeKiB)", "rss_before_kib": "\(heap.beforeKiB)",
            "rss_heap_trimmed_kib": "\(heap.afterKiB)", "rss_after_kib": "\(outcome.processAfterKiB)", "supported": "\(outcome.supported)",
        ])
    }

    /// The next planned notice within a year, in one pass (`earliestSendTime` narrows its
    /// window as it goes; trying a day, a week and a month first cost three more passes over
    /// every compact whenever the next notice was months away).
    func nextPlanned(after now: Instant, configuration: Configuration, state: PlannerState) -> Instant? {
        Planner(configuration: configuration).earliestSendTime(from: now.adding(microseconds: 1), to: now.adding(seconds: 400 * 86_400), state: state)
    }

    /// Re-reads and validates the whole configuration; on failure the old one stays.
    func reload(reply: (@Sendable (String) -> Void)?) async {
        notifier.reloading()
        do {
            let active = try ActiveConfiguration.load(path: configPath)
            state.withLock {
                $0.active = active
                $0.lastReloadError = nil
                // Another configuration may plan other notices before now: look back fully.
                $0.written = nil
            }
            // The configuration it replaced and the reading's own memory are free now: give
            // them back (at 100,000 compacts the daemon stayed at 163-176 MiB after a reload,
            // against 89-90 MiB idle before it).
            let heap = HeapTrim.giveBack()
            logger.notice("reloaded", metadata: ["config": "\(configPath)", "compacts": "\(active.configuration.compacts.count)",
                                                 "rss_kib": "\(heap.afterKiB)", "rss_before_trim_kib": "\(heap.beforeKiB)"])
            Counter(label: "compactd_reloads_total", dimensions: [("result", "ok")]).increment()
            reply?("ok reloaded \(configPath)")
        } catch {
            state.withLock { $0.lastReloadError = error.summary }
            logger.error("reload failed", metadata: ["error": "\(error.summary)", "config": "\(configPath)"])
            Counter(label: "compactd_reloads_total", dimensions: [("result", "error")]).increment()
            reply?("error \(error.summary)")
        }
        Gauge(label: "compactd_last_reload_timestamp_seconds").record(Double(clock().secondsSinceEpoch))
        // READY=1 ends RELOADING=1 either way; the status says whether the reload failed.
        notifier.ready(status: await statusLine())
    }

    /// The one-line truth for STATUS=.
    func statusLine() async -> String {
        let (active, store, reloadError, nextWake, degraded) = state.withLock { ($0.active, $0.store, $0.lastReloadError, $0.nextWake, $0.degraded) }
        let c = active.configuration
        var parts = ["\(c.compacts.count) compacts"]
        if let degraded { parts.insert("degraded: \(degraded)", at: 0) }
        // After every pass: counted through the pending and dead rows' own indexes (a summary
        // by channel read every row ever written, each time).
        if let counts = try? await store?.queueCounts() {
            parts.append("queue \(counts.pending)")
            parts.append("dead letters \(counts.dead)")
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
