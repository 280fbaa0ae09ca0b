import CompactdDelivery
import Foundation
import Testing

@Suite("Email messages compactd builds")
struct MailMessageTests {
    static func message(subject: String = "Hello", toName: String? = "Rocío Rivas", to: String = "r@example.org", from: String = "c@example.org") -> MailMessage {
        MailMessage(from: from, to: to, toName: toName, subject: subject, textBody: "Línea uno\nline two", htmlBody: "<p>x</p>", messageID: "<abc@example.org>", date: Date(timeIntervalSince1970: 0), listID: "Compacts <compacts.example.org>")
    }

    @Test("a CR or LF in any header value is refused", arguments: [
        ("Hello\r\nBcc: evil@example.org", "Subject"),
        ("Hello\nX-Injected: yes", "Subject"),
    ])
    func headerInjectionInSubject(subject: String, field: String) {
        #expect(throws: MailMessageError.self) { try Self.message(subject: subject).rendered() }
        do { _ = try Self.message(subject: subject).rendered() } catch {
            #expect(error.field == field)
            #expect(!error.description.contains("evil"))
        }
    }

    @Test("names and addresses cannot smuggle headers or recipients")
    func injectionInNamesAndAddresses() {
        #expect(throws: MailMessageError.self) { try Self.message(toName: "Eve\r\nBcc: x@example.org").rendered() }
        #expect(throws: MailMessageError.self) { try Self.message(to: "a@example.org, b@example.org").rendered() }
        #expect(throws: MailMessageError.self) { try Self.message(to: "a@example.org\r\nBcc: b@example.org").rendered() }
        #expect(throws: MailMessageError.self) { try Self.message(from: "<a@example.org>").rendered() }
    }

    @Test("a long non-ASCII subject becomes several encoded words on folded lines")
    func longSubject() throws {
        let subject = String(repeating: "Compromiso educativo con la Ciudad de Carson — ", count: 4)
        let text = String(decoding: try Self.message(subject: subject).rendered(), as: UTF8.self)
        let subjectLines = text.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subjectLines.count > 2)
        #expect(subjectLines.allSatisfy { $0.utf8.count <= 78 })
        #expect(subjectLines.allSatisfy { $0.contains("=?UTF-8?B?") })
    }
}
