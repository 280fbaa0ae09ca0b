import Foundation

/// A configuration written to a fresh temporary folder: a main file and compact files, each
/// given as text so a test can break exactly one thing.
struct ConfigFixture {
    let directory: URL

    static let validMain = """
    time_zone = "America/Los_Angeles"
    state_path = "state.sqlite"
    compacts = ["compacts/*.toml"]

    [policy]
    reminders = ["7d", "1d", "0"]
    overdue_every = "7d"
    overdue_limit = 3
    escalate_after = 1
    escalate_to = ["district-team"]

    [[contacts]]
    id = "district-team"
    name = "District team"
    email = "team@district.example.org"

    [channels.district-log]
    type = "log"

    [channels.city-hook]
    type = "webhook"
    enabled = false
    url = "https://city.example.org/hook"
    secret_files = ["/nonexistent/but-disabled"]
    """

    static let validCompact = """
    id = "bell"
    partner = "City of Bell"
    status = "active"
    notify = ["district-log"]

    [[commitments]]
    id = "safety"
    title = "Safety Collaboratives"

    [[contacts]]
    id = "bell-liaison"
    name = "Bell liaison"
    email = "liaison@bell.example.org"
    language = "es"

    [[cycles]]
    id = "summer"
    title = "Summer re-engagement"
    calendar = "*-05-01 09:00"

    [[cycles.steps]]
    id = "kickoff"
    title = "Kickoff"
    due = "+14d"
    commitments = ["safety"]
    """

    init(main: String = validMain, compacts: [String: String] = ["bell.toml": validCompact]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("compactd-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        try main.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        for (name, text) in compacts {
            try text.write(to: directory.appendingPathComponent("compacts").appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    var mainPath: String { directory.appendingPathComponent("compactd.toml").path }

    func compactPath(_ name: String) -> String { directory.appendingPathComponent("compacts").appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

extension String {
    /// The text with the first occurrence of `target` replaced; the test fails loudly if the
    /// target is missing, so a fixture edit cannot silently do nothing.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = self.range(of: target) else { fatalError("fixture does not contain '\(target)'") }
        return self.replacingCharacters(in: range, with: replacement)
    }
}
