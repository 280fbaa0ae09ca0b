import CompactdCore
import CompactdTestSupport
import Foundation

/// A configuration in a temporary folder for end-to-end runs of the built binaries: one
/// compact whose deadlines fell due a few minutes ago (real clock, UTC), one signed webhook
/// channel to a recording receiver on 127.0.0.1.
struct DeadlineFixture {
    var directory: URL
    var config: String
    var record: String
    var server: ServerProcess
    /// Each deadline's due date as written to its file: step keys are made from these, never
    /// from the clock again (a test running across midnight would name another day).
    var dueDates: [String: LocalDate] = [:]

    var statePath: String { directory.appendingPathComponent("state.sqlite").path }
    var environment: [String: String] { ["COMPACTD_CONFIG": config, "COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path] }

    /// - Parameters:
    ///   - deadlines: ids and how many minutes ago each fell due.
    ///   - responses: the receiver's script (see Tests/Fixtures/http_receiver.py).
    ///   - delivery: extra lines for the `[delivery]` table.
    init(deadlines: [(String, Int)], responses: String = "200", delivery: String = "") throws {
        try self.init(deadlinesInSeconds: deadlines.map { ($0.0, -60 * $0.1) }, responses: responses, delivery: delivery)
    }

    /// Deadlines due the given number of seconds from now (negative: in the past), to the second.
    init(deadlinesInSeconds deadlines: [(String, Int)], responses: String = "200", stallSeconds: Int = 5, delivery: String = "") throws {
        directory = try CommandRunner.configFolder("e2e")
        record = directory.appendingPathComponent("received.jsonl").path
        server = try ServerProcess(script: "http_receiver.py", arguments: ["--record", record, "--responses", responses, "--stall", "\(stallSeconds)"])
        let secret = directory.appendingPathComponent("secret")
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(to: secret, atomically: true, encoding: .utf8)
        config = directory.appendingPathComponent("compactd.toml").path
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [policy]
        reminders = ["0"]
        overdue_every = "0"
        shift = "keep"
        [delivery]
        \(delivery)
        [channels.hook]
        type = "webhook"
        url = "http://127.0.0.1:\(server.port)/hook"
        secret_files = ["\(secret.path)"]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        var tables = ""
        for (id, seconds) in deadlines {
            // Past deadlines are written to the minute (what operators write); future ones to the second.
            var due = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: Int64(seconds)))
            if seconds < 0 { due.second = 0 }
            dueDates[id] = due.date
            tables += "[[deadlines]]\nid = \"\(id)\"\ntitle = \"\(id)\"\ndue = \(due.date)T\(String(format: "%02d:%02d:%02d", due.hour, due.minute, due.second))\n\n"
        }
        try "id = \"carson\"\npartner = \"City of Carson\"\nstatus = \"active\"\nnotify = [\"hook\"]\n\(tables)".write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
    }

    /// The step occurrence key of the deadline `id`.
    func stepKey(_ id: String) -> String {
        "carson/deadline/\(dueDates[id]!)/\(id)"
    }

    /// This fixture's configuration with its state on PostgreSQL at `url`, written to `path`
    /// (by default over the fixture's own). `more`: lines after the url, the rest of `[state]`
    /// (lease, timeout) and any tables after it.
    func usePostgres(_ url: String, more: String = "", writingTo path: String? = nil) throws {
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try (original + "\n[state]\nbackend = \"postgresql\"\nurl = \"\(url)\"\n" + more).write(toFile: path ?? config, atomically: true, encoding: .utf8)
    }

    func remove() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
