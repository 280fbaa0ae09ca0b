import ArgumentParser
import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdStore
import Foundation
import Logging

/// The compactd daemon. `--once` plans, writes what is due to the outbox, delivers, and exits
/// when nothing is left but retries due later.
@main
struct CompactdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compactd",
        abstract: "Schedule and deliver Education Compact review reminders."
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

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "compactd")
        let path = ConfigLocation.resolve(explicit: configPath)
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationLoader().load(path: path)
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
        let configuration = loaded.configuration
        let templates = TemplateSet(directory: configuration.templatesDirectory)
        if templates.hasErrors {
            for problem in templates.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
        let statePath = SQLiteStateStore.location(configured: configuration.statePath)
        try? FileManager.default.createDirectory(atPath: (statePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let store: SQLiteStateStore
        do {
            store = try SQLiteStateStore(path: statePath)
        } catch {
            FileHandle.standardError.write(Data("compactd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let engine = CurlEngine(limits: CurlEngineLimits(
            maxConcurrentTransfers: configuration.delivery.maxConcurrentTransfers,
            maxConnectionsPerHost: configuration.delivery.maxConnectionsPerHost
        ))
        defer { engine.shutdown() }
        let dispatcher = Dispatcher(configuration: configuration, store: store, engine: engine, templates: templates, logger: logger, faultHook: Self.testCrashHook())
        if once {
            let summary = try await dispatcher.runOnce()
            logger.info("once finished", metadata: ["summary": "\(summary)"])
            print("compactd --once: \(summary)")
            return
        }
        // Until the systemd service lands: run passes, sleeping until the next thing is due.
        while !Task.isCancelled {
            let summary = try await dispatcher.runOnce()
            let now = Instant.now
            let nextPlanned = Planner(configuration: configuration).plan(from: now.adding(microseconds: 1), to: now.adding(seconds: 400 * 86_400), state: try await store.plannerState()).first?.sendAt
            let wake = [summary.nextAttemptAt, nextPlanned].compactMap { $0 }.min() ?? now.adding(seconds: 3600)
            logger.info("sleeping", metadata: ["next_wake": "\(wake.rfc3339UTC)", "summary": "\(summary)"])
            let seconds = max(1, min(3600, Double(wake.microsecondsSinceEpoch - now.microsecondsSinceEpoch) / 1e6))
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        }
    }
}
