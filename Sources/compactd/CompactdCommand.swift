import ArgumentParser
import CompactdConfig
import CompactdCore
import CompactdDaemon
import CompactdDelivery
import CompactdHTTP
import CompactdPostgres
import CompactdStore
import CompactdSystemd
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The compactd daemon. Without options it runs until stopped, as a systemd service; `--once`
/// plans, writes what is due to the outbox, delivers, and exits when nothing is left but
/// retries due later.
@main
struct CompactdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compactd",
        abstract: "Schedule and deliver Education Compact review reminders.",
        version: "compactd \(CompactdVersion.current)"
    )

    @Option(name: .customLong("config"), help: "The configuration file (default: $COMPACTD_CONFIG, /etc/compactd/compactd.toml, or Config/compactd.toml).")
    var configPath: String?

    @Flag(help: "Plan, enqueue and deliver what is due now, then exit.")
    var once = false

    /// COMPACTD_TEST_CRASH_AT=after-enqueue|after-send makes the process die on the spot at
    /// that point (exit 99, no cleanup), for the restart-safety tests. Never set in production.
    static func testCrashHook() -> (@Sendable (FaultPoint) -> Void)? {
        guard let value = ProcessInfo.processInfo.environment["COMPACTD_TEST_CRASH_AT"], let target = FaultPoint(rawValue: value) else { return nil }
        return { point in if point == target { _exit(99) } }
    }

    /// COMPACTD_TEST_CLOCK_OFFSET_SECONDS=120 makes the daemon's clock run that far ahead of
    /// the machine's: the replica chaos run's skewed replica. Never set in production.
    static func testClock(_ value: String?) -> @Sendable () -> Instant {
        guard let value, let seconds = Int64(value), seconds != 0 else { return { Instant.now } }
        return { Instant(microsecondsSinceEpoch: Instant.now.microsecondsSinceEpoch + seconds * 1_000_000) }
    }

    /// COMPACTD_IDLE_PAGE_RELEASE: `off`, or after how many seconds of expected idleness the
    /// daemon gives back the pages it is not using (default 300). See `IdlePageRelease`.
    /// Anything else is logged and the default used.
    static func idlePageReleaseSeconds(_ value: String?, logger: Logger) -> Int64? {
        guard let value else { return DaemonService.defaultIdlePageReleaseSeconds }
        if value == "off" { return nil }
        guard let seconds = Int64(value) else {
            logger.warning("COMPACTD_IDLE_PAGE_RELEASE ignored", metadata: ["value": "\(value)", "expected": "off, or a number of seconds"])
            return DaemonService.defaultIdlePageReleaseSeconds
        }
        return max(0, seconds)
    }

    func run() async throws {
        // The watchdog's SIGABRT must end a hung compactd at once, not start a backtrace.
        AbortSignal.restoreDefaultAction()
        // Structured entries straight to the journal when stderr is the journal, else lines
        // with <N> priority prefixes.
        let destination: JournaldLogHandler.Destination = JournalStream.stderrIsJournal() ? .journal : .stderr
        LoggingSystem.bootstrap { label in JournaldLogHandler(label: label, destination: destination) }
        let logger = Logger(label: "compactd")
        let path = ConfigLocation.resolve(explicit: configPath)
        logger.notice("started", metadata: ["config": "\(path)", "mode": "\(once ? "once" : "service")"])
        let active: ActiveConfiguration
        do {
            active = try ActiveConfiguration.load(path: path)
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
        let configuration = active.configuration
        let statePath = SQLiteStateStore.location(configured: configuration.statePath)
        let environment = ProcessInfo.processInfo.environment
        let controlSocketPath = ControlSocket.defaultPath(environment: environment)
        // The shared PostgreSQL state, when [state] says so: one handle for the whole process,
        // run as the first service of the group (so it stops last).
        var postgres: PostgresStateStore?
        if let settings = configuration.state.postgres {
            do {
                let password = try settings.password.map { reference throws in try SecretResolver().value(of: reference) }
                postgres = try PostgresStateStore(settings: settings, password: password, access: .replica, logger: logger)
            } catch {
                FileHandle.standardError.write(Data("compactd: [state] \(error)\n".utf8))
                logger.critical("state store unavailable", metadata: ["error": "\(error)"])
                throw ExitCode(1)
            }
        }
        // What it runs on, said once at start: an operator reading the journal should not have
        // to guess which file, which state, which socket.
        logger.notice("configuration loaded", metadata: [
            "config": "\(path)", "compacts": "\(configuration.compacts.count)",
            "channels_enabled": "\(configuration.channels.filter(\.enabled).map(\.id).joined(separator: ","))",
            "state_path": "\(postgres == nil ? statePath : "-")", "state_url": "\(postgres?.settings.url ?? "-")", "replica": "\(postgres?.replicaID ?? "-")",
            "control_socket": "\(once ? "-" : controlSocketPath)", "version": "\(CompactdVersion.current)",
        ])
        let openStore: @Sendable () async throws(StateStoreError) -> any StateStore = { [postgres] () async throws(StateStoreError) -> any StateStore in
            if let postgres {
                try await postgres.prepare()
                return postgres
            }
            // 0750 whatever the umask: the service's group reads the state, nobody else.
            let directory = PathText.directory(of: statePath)
            if !FileManager.default.fileExists(atPath: directory) {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                chmod(directory, 0o750)
            }
            return try SQLiteStateStore(path: statePath)
        }
        // The action links' key and the status pages' token, when [http] is on: compactd's own
        // are made beside the state on the first start.
        var linkSecrets: LinkSecrets?
        if let http = configuration.http {
            do {
                linkSecrets = try LinkSecrets.load(http, statePath: statePath, create: true)
            } catch {
                FileHandle.standardError.write(Data("compactd: [http] \(error)\n".utf8))
                logger.critical("http secrets unavailable", metadata: ["error": "\(error)"])
                throw ExitCode(1)
            }
        }
        let engine = CurlEngine(limits: CurlEngineLimits(
            maxConcurrentTransfers: configuration.delivery.maxConcurrentTransfers,
            maxConnectionsPerHost: configuration.delivery.maxConnectionsPerHost
        ))
        defer { engine.shutdown() }

        if once {
            // One run: a store that cannot be used is an error to report, not to wait out.
            let runOnce: @Sendable () async throws -> Void = { [linkSecrets] in
                let store: any StateStore
                do { store = try await openStore() } catch {
                    FileHandle.standardError.write(Data("compactd: \(error)\n".utf8))
                    throw ExitCode(1)
                }
                let dispatcher = Dispatcher(configuration: configuration, store: store, engine: engine, templates: active.templates, linkSigner: linkSecrets?.signer, logger: logger, faultHook: Self.testCrashHook())
                let summary = try await dispatcher.runOnce()
                logger.info("once finished", metadata: ["summary": "\(summary)"])
                print("compactd --once: \(summary)")
                if summary.storageErrors > 0 { throw ExitCode(1) }
            }
            if let postgres { try await postgres.withRunning { _ in try await runOnce() } } else { try await runOnce() }
            return
        }

        let service = DaemonService(
            active: active, configPath: path, openStore: openStore, changes: postgres?.changeNotifications, engine: engine, logger: logger,
            controlSocketPath: controlSocketPath,
            hangForTest: environment["COMPACTD_TEST_HANG_AFTER_READY"] == "1",
            idlePageReleaseSeconds: Self.idlePageReleaseSeconds(environment["COMPACTD_IDLE_PAGE_RELEASE"], logger: logger),
            clock: Self.testClock(environment["COMPACTD_TEST_CLOCK_OFFSET_SECONDS"]),
            linkSigner: linkSecrets?.signer,
            faultHook: Self.testCrashHook()
        )
        // Stopped in reverse order: STOPPING=1 first, then the HTTP listener (requests in
        // flight finish), then the loop (the delivery in flight finishes).
        var services: [any Service] = [service]
        if let postgres { services.insert(postgres, at: 0) }
        if let http = configuration.http, let linkSecrets {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(HelpfulPrometheusFactory(registry: registry))
            Gauge(label: MetricsCatalog.buildInfo, dimensions: [("version", CompactdVersion.current)]).record(1)
            // A socket systemd passed (compactd.socket) is used instead of binding `listen`.
            let passed = SystemdListenSockets.take().first
            services.append(CompactdHTTPServer(backend: service, settings: http, secrets: linkSecrets, registry: registry, logger: logger, passedSocket: passed,
                                              onListening: { _ in service.listenerStarted() }, afterLargeRead: { service.largeReadDone() }))
        }
        services.append(StoppingNotice(notifier: SystemdNotifier()))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // In-flight transfers get this long to finish; the unit's TimeoutStopSec= is longer.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
