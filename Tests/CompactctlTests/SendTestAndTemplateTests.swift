import CompactdTestSupport
import Foundation
import Testing

@Suite("compactctl send-test and template checks", .serialized)
struct SendTestAndTemplateTests {
    /// A minimal configuration in a temporary folder with a copy of the shipped templates.
    static func configuration(channels: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("Config/templates"), to: directory.appendingPathComponent("templates"))
        try """
        time_zone = "America/Los_Angeles"
        state_path = "state.sqlite"
        \(channels)
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        try """
        id = "carson"
        partner = "City of Carson"
        status = "active"
        notify = ["hook"]
        """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test("send-test proves a webhook endpoint works, and says why when it does not")
    func sendTest() throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try ServerProcess(script: "http_receiver.py", arguments: ["--record", record, "--responses", "204,500"])
        defer { server.stop() }
        let directory = try Self.configuration(channels: "[channels.hook]\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"http://127.0.0.1:\(server.port)/hook\"")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("compactd.toml").path
        let ok = try CommandRunner.run("compactctl", ["send-test", "hook", "--config", config])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("hook: test notice delivered to http://127.0.0.1:\(server.port)/... in "), "\(ok.stdout)")
        let text = try #require(RecordedRequest.load(record).first?.json["text"] as? String)
        #expect(text.contains("[TEST]"))
        let failed = try CommandRunner.run("compactctl", ["send-test", "hook", "--config", config])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("hook: test notice failed, would be retried: HTTP 500"))
        let unknown = try CommandRunner.run("compactctl", ["send-test", "nope", "--config", config])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown channel 'nope'"))
    }

    @Test("an email send-test without --to goes to a district contact, never a partner city's, and says to whom")
    func emailTestGoesToTheDistrict() throws {
        let messages = FileManager.default.temporaryDirectory.appendingPathComponent("send-test-mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", messages])
        defer { server.stop() }
        let directory = try Self.configuration(channels: """
            [[contacts]]
            id = "district-team"
            name = "District team"
            email = "team@district.example.org"
            [channels.hook]
            type = "email"
            server = "smtp://127.0.0.1:\(server.port)"
            from = "compacts@district.example.org"
            tls = "none"
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The compact that uses the channel has a city liaison: the test must not reach them.
        try """
            id = "carson"
            partner = "City of Carson"
            status = "active"
            notify = ["hook"]
            [[contacts]]
            id = "liaison"
            name = "Carson liaison"
            email = "liaison@carson.example.org"
            """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run("compactctl", ["send-test", "hook", "--config", directory.appendingPathComponent("compactd.toml").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("hook: test notice delivered to District team <team@district.example.org> in "), "\(result.stdout)")
        let envelopes = try FileManager.default.contentsOfDirectory(atPath: messages).filter { $0.hasSuffix(".json") }
        #expect(envelopes.count == 1)
        let envelope = try String(contentsOfFile: messages + "/" + (envelopes.first ?? ""), encoding: .utf8)
        #expect(envelope.contains("team@district.example.org") && !envelope.contains("liaison@carson.example.org"), "\(envelope)")
    }

    @Test("check reports a missing template, an unknown variable and a partial")
    func templateProblems() throws {
        let directory = try Self.configuration(channels: "[channels.hook]\ntype = \"log\"")
        defer { try? FileManager.default.removeItem(at: directory) }
        let templates = directory.appendingPathComponent("templates")
        try FileManager.default.removeItem(at: templates.appendingPathComponent("en/overdue.html.mustache"))
        try "{{partner}} {{step_titel}}\n".write(to: templates.appendingPathComponent("en/reminder.subject.mustache"), atomically: true, encoding: .utf8)
        try "{{> ../../../../etc/passwd}}\n".write(to: templates.appendingPathComponent("es/test.text.mustache"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run("compactctl", ["check", "--config", directory.appendingPathComponent("compactd.toml").path])
        #expect(result.status == 1)
        let t = templates.resolvingSymlinksInPath().path
        #expect(result.stderr.contains("\(t)/en/overdue.html.mustache: missing; expected the English html template for overdue notices"))
        #expect(result.stderr.contains("\(t)/en/reminder.subject.mustache: uses unknown variable 'step_titel'"))
        #expect(result.stderr.contains("\(t)/es/test.text.mustache: uses a partial"))
        #expect(result.stderr.contains("3 errors in the configuration and templates"))
    }

    @Test("a template that is a link outside its folder is refused")
    func templateOutsideFolder() throws {
        let directory = try Self.configuration(channels: "[channels.hook]\ntype = \"log\"")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("templates/en/test.text.mustache")
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: "/etc/hostname")
        let result = try CommandRunner.run("compactctl", ["check", "--config", directory.appendingPathComponent("compactd.toml").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("points outside the template folder"))
    }
}
