import Foundation
import Testing

/// `compactctl check` reports every problem, configuration and templates alike, in one list
/// sorted by file and line, each on one line.
@Suite("compactctl check output")
struct CheckOutputTests {
    @Test("template and configuration problems together, sorted by file and line; no raw CR or LF")
    func oneSortedList() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let compacts = directory.appendingPathComponent("compacts")
        try FileManager.default.createDirectory(at: compacts, withIntermediateDirectories: true)
        // A copy of the shipped templates with one broken.
        let templates = directory.appendingPathComponent("templates")
        try FileManager.default.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("Config/templates"), to: templates)
        try "{{#partner}} unclosed".write(to: templates.appendingPathComponent("en/reminder.subject.mustache"), atomically: true, encoding: .utf8)
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        colour = "blue"
        [channels.log]
        type = "log"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        try """
        id = "carson"
        partner = "City of Carson\\r\\nBcc: x@example.org"
        status = "active"
        notify = ["log"]
        [[contacts]]
        id = "liaison"
        name = "Liaison\\nX-Injected: yes"
        email = "liaison@example.org"
        """.write(to: compacts.appendingPathComponent("carson.toml"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run("compactctl", ["check", "--config", directory.appendingPathComponent("compactd.toml").path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        let problems = lines.dropLast()  // the last line is the count
        #expect(!result.stderr.contains("\r"))
        #expect(!lines.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Injected:") }, "\(lines)")
        let compactFile = compacts.appendingPathComponent("carson.toml").path
        let mainFile = directory.appendingPathComponent("compactd.toml").path
        let template = templates.appendingPathComponent("en/reminder.subject.mustache").path
        // Sorted by file path, then line: compactd.toml:3, compacts/carson.toml:2 and :7, templates/...
        let files = problems.map { line in [mainFile, compactFile, template].first { line.hasPrefix($0 + ":") } ?? "?" }
        #expect(files == [mainFile, compactFile, compactFile, template], "\(problems)")
        #expect(problems.first?.hasPrefix("\(mainFile):3:") == true, "\(problems)")
        #expect(problems.dropFirst().first?.hasPrefix("\(compactFile):2:") == true, "\(problems)")
        #expect(problems.dropFirst(2).first?.hasPrefix("\(compactFile):7:") == true, "\(problems)")
        #expect(lines.last?.contains("4 errors in the configuration and templates") == true, "\(lines)")
    }
}
