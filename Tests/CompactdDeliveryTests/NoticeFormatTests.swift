import CompactdCore
import CompactdDelivery
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// What a person reads: the greeting without a person, Slack's markup characters, and a long
/// encoded display name in To:, each checked on the shipped templates or by an outside parser.
@Suite("Notice formats")
struct NoticeFormatTests {
    static let templates = TemplateSet(directory: ServerProcess.fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config/templates").path)

    @Test("a notice to a channel without a person greets no one: never 'Hello ,' or 'Hola :'", arguments: ["reminder", "overdue", "escalation"], ["en", "es"])
    func greetingWithoutPerson(kind: String, language: String) throws {
        let values = NoticeTemplateContext.values(for: NoticeTemplateContext.sample, contactName: nil)
        let rendered = try #require(Self.templates.render(kind: kind, language: language, values: values))
        let firstLine = rendered.text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(!firstLine.contains(" ,") && !firstLine.contains(" :"), "\(firstLine)")
        #expect(!rendered.html.contains(" ,</p>") && !rendered.html.contains(" :</p>"), "\(rendered.html.prefix(80))")
        let named = try #require(Self.templates.render(kind: kind, language: language, values: NoticeTemplateContext.values(for: NoticeTemplateContext.sample, contactName: "Rocío Rivas")))
        #expect(named.text.contains("Rocío Rivas"))
    }

    @Test("Slack text escapes &, < and > (Slack's mrkdwn would read them as links and mentions)")
    func slackEscaping() throws {
        let body = ChatPayload.slack(subject: "Bell & Cudahy <!channel>", text: "due <https://evil.example|click> & soon > later")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(json["text"] as? String == "*Bell &amp; Cudahy &lt;!channel&gt;*\ndue &lt;https://evil.example|click&gt; &amp; soon &gt; later")
        // A combining mark after "<", ">" or "&" makes one Character of the two; Slack still
        // reads the "<".
        let marked = ChatPayload.slack(subject: "<\u{301}!channel>\u{338}", text: "&\u{301}")
        let markedText = try #require((try JSONSerialization.jsonObject(with: Data(marked)) as? [String: Any])?["text"] as? String)
        #expect(markedText == "*&lt;\u{301}!channel&gt;\u{338}*\n&amp;\u{301}", "\(markedText.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("a long encoded display name in To: is folded into lines of at most 76 and parses back (Python's email)")
    func longEncodedToIsFolded() throws {
        let name = "Coordinadora de Participación Familiar y Comunitaria — Distrito Escolar Unificado de Los Ángeles"
        let message = MailMessage(from: "c@example.org", to: "familia@example.org", toName: name, subject: "Recordatorio", textBody: "x", htmlBody: "<p>x</p>",
                                  messageID: "<abc@example.org>", date: Date(timeIntervalSince1970: 0), listID: "Compacts <compacts.example.org>")
        let raw = try message.rendered()
        let text = String(decoding: raw, as: UTF8.self)
        let toLines = text.components(separatedBy: "\r\n").drop { !$0.hasPrefix("To:") }.prefix { $0.hasPrefix("To:") || $0.hasPrefix(" ") }
        #expect(toLines.count > 1, "\(toLines)")
        #expect(toLines.allSatisfy { $0.utf8.count <= 76 }, "\(toLines.map(\.utf8.count))")
        let eml = FileManager.default.temporaryDirectory.appendingPathComponent("to-\(UUID().uuidString).eml").path
        try Data(raw).write(to: URL(fileURLWithPath: eml))
        defer { try? FileManager.default.removeItem(atPath: eml) }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(try ServerProcess.runScript("parse_mail.py", [eml]).output.utf8)) as? [String: Any])
        #expect(parsed["to_display_name_rfc2047"] as? String == name)
        #expect(parsed["to_address"] as? String == "familia@example.org")
        #expect((parsed["defects"] as? [Any])?.isEmpty == true, "\(parsed["defects"] ?? "")")
    }

    static func snapshot(kind: String, label: String, detail: String, daysUntilDue: Int, deadline: Bool) -> NoticeSnapshot {
        var snapshot = NoticeTemplateContext.sample
        snapshot.kind = kind
        snapshot.label = label
        snapshot.detail = detail
        snapshot.daysUntilDue = daysUntilDue
        if deadline {
            snapshot.cycleID = "deadline"
            snapshot.cycleTitle = "Deadline"
        }
        return snapshot
    }

    @Test("due today and tomorrow read naturally in both languages", arguments: [
        ("en", 0, "(today)"), ("en", 1, "(tomorrow)"), ("en", 7, "(in 7 days)"), ("es", 0, "(hoy)"), ("es", 1, "(mañana)"), ("es", 7, "(en 7 días)"),
    ])
    func dueWording(language: String, days: Int, expected: String) throws {
        let values = NoticeTemplateContext.values(for: Self.snapshot(kind: "reminder", label: "\(days)d before", detail: "\(days)d", daysUntilDue: days, deadline: false), contactName: "Rocío Rivas")
        let rendered = try #require(Self.templates.render(kind: "reminder", language: language, values: values))
        #expect(rendered.text.contains(expected), "\(rendered.text)")
        #expect(!rendered.text.contains("0 days") && !rendered.text.contains("0 días"))
        #expect(rendered.html.contains(expected), "\(rendered.html)")
    }

    @Test("Spanish notices carry no English kind name or cycle title", arguments: [
        ("reminder", "due", "0", 0), ("reminder", "7d before", "7d", 7), ("overdue", "overdue #2", "2", -14), ("escalation", "escalation #3", "3", -21),
    ])
    func spanishHasNoEnglish(kind: String, label: String, detail: String, days: Int) throws {
        let values = NoticeTemplateContext.values(for: Self.snapshot(kind: kind, label: label, detail: detail, daysUntilDue: days, deadline: true), contactName: "Rocío Rivas")
        let rendered = try #require(Self.templates.render(kind: kind, language: "es", values: values))
        for english in ["Deadline", "overdue", "escalation", "reminder", " due", "before"] {
            #expect(!rendered.subject.contains(english) && !rendered.text.contains(english) && !rendered.html.contains(english), "'\(english)' in:\n\(rendered.subject)\n\(rendered.text)")
        }
        #expect(rendered.text.contains("Plazo:"), "\(rendered.text)")
    }
}
