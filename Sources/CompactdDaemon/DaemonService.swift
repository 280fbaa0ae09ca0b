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
public final class DaemonService: Service, Sendable {
    let configPath: String
    let store: any StateStore
    let engine: CurlEngine
    let logger: Logger
    let notifier: SystemdNotifier
    let controlSocketPath: String?
    let hangForTest: Bool
    let faultHook: (@Sendable (FaultPoint) -> Void)?
    let startedAt = Instant.now
    private let state: Mutex<State>

    struct State {
        var active: ActiveConfiguration
        var lastReloadError: String?
        var nextWake: Instant?
    }

    public init(
        active: ActiveConfiguration, configPath: String, store: any StateStore, engine: CurlEngine, logger: Logger,
        notifier: SystemdNotifier = SystemdNotifier(), controlSocketPath: String?, hangForTest: Bool = false,
        faultHook: (@Sendable (FaultPoint) -> Void)? = nil
    ) {
        self.configPath = configPath
        self.store = store
        self.engine = engine
        self.logger = logger
        self.notifier = notifier
        self.controlSocketPath = controlSocketPath
        self.hangForTest = hangForTest
        self.faultHook = faultHook
        self.state = Mutex(State(active: active))
    }

    func dispatcher() -> Dispatcher {
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
        let recovered = try await store.recoverInterrupted(now: Instant.now)
        if recovered > 0 { logger.warning("recovered interrupted deliveries", metadata: ["count": "\(recovered)"]) }
        try await pass(timer: timer, stopping: stopping)
        notifier.ready(status: await statusLine())
        logger.notice("ready", metadata: ["config": "\(configPath)"])
        if hangForTest {
            // Test-only: a hung loop. The watchdog must kill the process; nothing pings it.
            while true { sleep(3600) }
        }
        for await trigger in triggers {
            if stopping.isSet { break }
            switch trigger {
            case .wakeup:
                break
            case .reload(let reply):
                reload(reply: reply)
            }
            if stopping.isSet { break }
            try await pass(timer: timer, stopping: stopping)
            notifier.status(await statusLine())
        }
    }

    /// One pass, then arm the timer for the next thing due (or the watchdog's half interval).
    func pass(timer: WallClockTimer, stopping: StopFlag) async throws {
        let dispatcher = dispatcher()
        let summary: DispatchSummary
        do {
            summary = try await dispatcher.runPass(shouldStop: { stopping.isSet })
        } catch {
            // Storage trouble: say so, keep running, try again soon. Nothing is lost: what was
            // not recorded is still in the outbox or still planned.
            logger.error("pass failed", metadata: ["error": "\(error)"])
            notifier.status("degraded: \(error)")
            timer.arm(at: Instant.now.adding(seconds: 30))
            return
        }
        let now = Instant.now
        let planned = nextPlanned(after: now, configuration: dispatcher.configuration, state: (try? await store.plannerState()) ?? .empty)
        var wake = [summary.nextAttemptAt, planned].compactMap { $0 }.min() ?? now.adding(seconds: 86_400)
        if let interval = notifier.watchdogIntervalMicroseconds {
            wake = min(wake, now.adding(microseconds: Int64(interval / 2)))
            notifier.watchdog()
        }
        state.withLock { $0.nextWake = planned }
        timer.arm(at: wake)
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
        let (active, reloadError, nextWake) = state.withLock { ($0.active, $0.lastReloadError, $0.nextWake) }
        let c = active.configuration
        var parts = ["\(c.compacts.count) compacts"]
        if let summaries = try? await store.channelSummaries() {
            let pending = summaries.reduce(0) { $0 + $1.count(.pending) }
            let dead = summaries.reduce(0) { $0 + $1.count(.dead) }
            parts.append("queue \(pending)")
            parts.append("dead letters \(dead)")
        }
        if let disabled = try? await store.disabledChannels(), !disabled.isEmpty {
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
