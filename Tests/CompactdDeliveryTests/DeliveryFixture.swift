import CompactdConfig
import CompactdCore
import CompactdDelivery
import CompactdStore
import Foundation
import Logging

/// A configuration in a temporary folder with one compact whose deadline falls due at a
/// chosen time, the shipped templates, a state file, and a dispatcher on a virtual clock.
struct DeliveryFixture {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config/templates").path

    let directory: URL
    let configuration: Configuration
    let store: SQLiteStateStore
    let clock: VirtualClock
    let engine: CurlEngine

    var statePath: String { directory.appendingPathComponent("state.sqlite").path }
    var mainPath: String { directory.appendingPathComponent("compactd.toml").path }

    /// - Parameters:
    ///   - channels: TOML for `[channels.*]` tables; the compact notifies `notify`.
    ///   - dueAt: the deadline's due time, local to America/Los_Angeles.
    init(channels: String, notify: [String], contacts: String = "", delivery: String = "", due: String = "2025-03-14T09:00:00", reminders: String = "[\"0\"]", compactID: String = "carson", extraDeadlines: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("compactd-delivery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("templates").path, withDestinationPath: Self.templates)
        let secretFile = directory.appendingPathComponent("webhook.secret").path
        let mainPath = directory.appendingPathComponent("compactd.toml").path
        try Self.secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        try """
        time_zone = "America/Los_Angeles"
        state_path = "state.sqlite"
        compacts = ["compacts/*.toml"]
        catch_up = "3d"

        [policy]
        reminders = \(reminders)
        overdue_every = "0"
        shift = "keep"

        [delivery]
        \(delivery)

        \(channels.replacingOccurrences(of: "SECRET_FILE", with: secretFile))
        """.write(to: URL(fileURLWithPath: mainPath), atomically: true, encoding: .utf8)
        try """
        id = "\(compactID)"
        partner = "City of Carson"
        status = "active"
        notify = [\(notify.map { "\"\($0)\"" }.joined(separator: ", "))]

        [[commitments]]
        id = "traffic-safety"
        title = "Crossing guards and other traffic safety improvements"

        \(contacts)

        [[deadlines]]
        id = "board-report"
        title = "Report to the Board of Education"
        due = \(due)
        \(extraDeadlines)
        """.write(to: directory.appendingPathComponent("compacts/\(compactID).toml"), atomically: true, encoding: .utf8)
        configuration = try ConfigurationLoader(environment: [:]).load(path: directory.appendingPathComponent("compactd.toml").path).configuration
        store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        clock = VirtualClock(TimestampFormat.parse(due.replacingOccurrences(of: "T", with: " "), zone: configuration.timeZone)!.adding(seconds: 60))
        engine = CurlEngine()
    }

    func dispatcher(logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) -> Dispatcher {
        let clock = self.clock
        return Dispatcher(
            configuration: configuration, store: store, engine: engine,
            templates: TemplateSet(directory: configuration.templatesDirectory),
            logger: logger, clock: { clock.now }
        )
    }

    func remove() {
        engine.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}
