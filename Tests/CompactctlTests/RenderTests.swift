import CompactdCore
import CompactdTestSupport
import Foundation
import Testing

/// `compactctl render` shows what is sent: compared with the email compactd really sent to a real
/// SMTP server, decoded by Python's email package.
@Suite("compactctl render", .serialized)
struct RenderTests {
    @Test("render's subject and text are the sent email's, in the contact's language; --lang overrides it")
    func renderMatchesSentMail() throws {
        let messages = FileManager.default.temporaryDirectory.appendingPathComponent("render-mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", messages])
        defer { server.stop() }
        let directory = try CommandRunner.configFolder("render")
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        time_zone = "UTC"
        state_path = "state.sqlite"
        [policy]
        reminders = ["0"]
        overdue_every = "0"
        shift = "keep"
        [channels.mail]
        type = "email"
        server = "smtp://127.0.0.1:\(server.port)"
        from = "compacts@district.example.org"
        tls = "none"
        """.write(to: directory.appendingPathComponent("compactd.toml"), atomically: true, encoding: .utf8)
        let due = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: -120))
        try """
        id = "carson"
        partner = "City of Carson"
        status = "active"
        notify = ["mail"]
        [[contacts]]
        id = "rocio"
        name = "Rocío Rivas"
        email = "rocio@carson.example.org"
        language = "es"
        [[deadlines]]
        id = "board-report"
        title = "Informe a la Junta"
        due = \(due.date)T\(String(format: "%02d:%02d:00", due.hour, due.minute))
        """.write(to: directory.appendingPathComponent("compacts/carson.toml"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("compactd.toml").path
        let sent = try CommandRunner.run("compactd", ["--once", "--config", config], environment: ["COMPACTD_CONTROL_SOCKET": directory.appendingPathComponent("none.sock").path])
        #expect(sent.stdout.contains("delivered 1"), "\(sent.stdout)\(sent.stderr)")
        let eml = try #require(try FileManager.default.contentsOfDirectory(atPath: messages).first { $0.hasSuffix(".eml") })
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(try ServerProcess.runScript("parse_mail.py", [messages + "/" + eml]).output.utf8)) as? [String: Any])
        let sentText = try #require((parsed["parts"] as? [[String: Any]])?.first { $0["type"] as? String == "text/plain" }?["content"] as? String)

        let id = "carson/deadline/\(due.date)/board-report/remind-0/mail:rocio"
        let render = try CommandRunner.run("compactctl", ["render", id, "--config", config])
        #expect(render.status == 0, "\(render.stderr)")
        let lines = render.stdout.components(separatedBy: "\n")
        #expect(lines.contains("Subject: \(parsed["subject"] as? String ?? "?")"), "\(render.stdout)")
        #expect(lines.contains("Language: es"))
        let text = render.stdout.components(separatedBy: "\n--- text ---\n").last?.components(separatedBy: "--- html ---\n").first ?? ""
        // Line ends aside (the message is CRLF on the wire), the same text.
        func normalized(_ s: String) -> String { s.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(normalized(text) == normalized(sentText), "render:\n\(text)\nsent:\n\(sentText)")

        let english = try CommandRunner.run("compactctl", ["render", id, "--lang", "en", "--config", config])
        #expect(english.stdout.contains("Language: en") && english.stdout.contains("Hello Rocío Rivas,"), "\(english.stdout)")
        let unknown = try CommandRunner.run("compactctl", ["render", "carson/deadline/\(due.date)/board-report/remind-7d/mail:rocio", "--config", config])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no notice"), "\(unknown.stderr)")
    }
}
