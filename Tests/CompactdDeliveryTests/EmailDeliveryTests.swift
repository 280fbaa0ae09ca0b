import CompactdCore
import CompactdDelivery
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// Email through libcurl's SMTP to a real SMTP server (aiosmtpd) on 127.0.0.1, parsed with
/// Python's `email` package.
@Suite("Email delivery to a real SMTP server", .serialized)
struct EmailDeliveryTests {
    static let contacts = """
    [[contacts]]
    id = "rocio"
    name = "Rocío Rivas"
    email = "rocio@carson.example.org"
    language = "es"

    [[contacts]]
    id = "liaison"
    name = "City liaison, Carson"
    email = "liaison@carson.example.org"
    """

    static func mailChannel(port: Int, tls: String) -> String {
        """
        [channels.mail]
        type = "email"
        server = "smtp://127.0.0.1:\(port)"
        from = "compacts@district.example.org"
        tls = "\(tls)"
        """
    }

    static func messages(_ directory: String) -> [(eml: String, envelope: [String: Any])] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return files.map { file in
            let base = (directory as NSString).appendingPathComponent(String(file.dropLast(4)))
            let envelope = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json")))) as? [String: Any] ?? [:]
            return (base + ".eml", envelope)
        }
    }

    static func parse(_ eml: String) throws -> [String: Any] {
        let result = try ServerProcess.runScript("parse_mail.py", [eml])
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }

    @Test("STARTTLS on a test CA; RFC 2047 names, Spanish template, both parts, stable Message-ID")
    func deliveredOverSTARTTLS() async throws {
        let ca = try TestCertificateAuthority()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", directory, "--starttls", ca.serverCertificate, ca.serverKey])
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.mailChannel(port: server.port, tls: "starttls"), notify: ["mail"], contacts: Self.contacts, delivery: "ca_file = \"\(ca.caCertificate)\"")
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.delivered == 2, "\(summary)")
        let messages = Self.messages(directory)
        #expect(messages.count == 2)
        for message in messages { #expect(message.envelope["tls"] as? Bool == true) }
        let parsed = try messages.map { try Self.parse($0.eml) }
        let spanish = try #require(parsed.first { ($0["to_address"] as? String) == "rocio@carson.example.org" })
        #expect(spanish["to_display_name"] as? String == "Rocío Rivas")
        #expect((spanish["subject"] as? String)?.hasPrefix("City of Carson: «Report to the Board of Education» vence el") == true)
        #expect(spanish["message_id"] as? String == "<\(try ServerProcess.sha256Prefix32("carson/deadline/2025-03-14/board-report/remind-0/mail:rocio"))@district.example.org>")
        #expect(spanish["auto_submitted"] as? String == "auto-generated")
        #expect((spanish["list_id"] as? String)?.contains("<compacts.district.example.org>") == true)
        #expect(spanish["mime_version"] as? String == "1.0")
        #expect(spanish["content_type"] as? String == "multipart/alternative")
        #expect(spanish["defects"] as? [String] == [])
        #expect(spanish["all_crlf"] as? Bool == true)
        #expect((spanish["longest_line"] as? Int ?? 9999) <= 998)
        let parts = try #require(spanish["parts"] as? [[String: Any]])
        #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"])
        #expect(parts.allSatisfy { $0["encoding"] as? String == "quoted-printable" && $0["charset"] as? String == "utf-8" })
        #expect((parts[0]["content"] as? String)?.contains("Hola Rocío Rivas:") == true)
        #expect((parts[1]["content"] as? String)?.contains("<strong>City of Carson</strong>") == true)
        let english = try #require(parsed.first { ($0["to_address"] as? String) == "liaison@carson.example.org" })
        // A comma in a display name is quoted, not taken as a second address.
        #expect(english["to_display_name"] as? String == "City liaison, Carson")
        #expect((english["subject"] as? String)?.contains("due") == true)
    }

    @Test("STARTTLS is required by default: a server without it is not used (retried)")
    func starttlsRequired() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", directory])
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.mailChannel(port: server.port, tls: "starttls"), notify: ["mail"], contacts: Self.contacts)
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.retrying == 2 && summary.delivered == 0)
        #expect(Self.messages(directory).isEmpty)
        let attempt = try #require(try await fixture.store.attempts(deliveryID: nil, since: nil, limit: 1).first)
        #expect(attempt.curlCode == 64)
    }

    @Test("plain SMTP to a local relay only with tls = none")
    func plainRelay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", directory])
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.mailChannel(port: server.port, tls: "none"), notify: ["mail"], contacts: Self.contacts)
        defer { fixture.remove() }
        #expect(try await fixture.dispatcher().runOnce().delivered == 2)
        #expect(Self.messages(directory).allSatisfy { $0.envelope["tls"] as? Bool == false })
    }

    @Test("SMTP 451 is retried and delivered later")
    func temporaryFailure() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", directory, "--tempfail", "2"])
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.mailChannel(port: server.port, tls: "none"), notify: ["mail"], contacts: Self.contacts, delivery: "retry_schedule = [\"5min\"]\nmax_concurrent = 1")
        defer { fixture.remove() }
        let first = try await fixture.dispatcher().runOnce()
        #expect(first.retrying == 2 && first.delivered == 0)
        let attempts = try await fixture.store.attempts(deliveryID: nil, since: nil, limit: 10)
        #expect(attempts.allSatisfy { $0.smtpReply == "451" })
        fixture.clock.advance(seconds: 600)
        #expect(try await fixture.dispatcher().runOnce().delivered == 2)
        #expect(Self.messages(directory).count == 2)
    }

    @Test("SMTP 421 (server busy) for a while is retried and delivered later")
    func serverBusy() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", directory, "--busy", "3"])
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.mailChannel(port: server.port, tls: "none"), notify: ["mail"], contacts: Self.contacts, delivery: "retry_schedule = [\"5min\", \"5min\"]\nmax_concurrent = 1")
        defer { fixture.remove() }
        let first = try await fixture.dispatcher().runOnce()
        #expect(first.retrying == 2 && first.delivered == 0 && first.dead == 0)
        let attempts = try await fixture.store.attempts(deliveryID: nil, since: nil, limit: 10)
        #expect(attempts.count == 2 && attempts.allSatisfy { $0.smtpReply == "421" })
        // Still busy for one more MAIL: one of the two is retried again, then both arrive.
        fixture.clock.advance(seconds: 600)
        let second = try await fixture.dispatcher().runOnce()
        #expect(second.delivered == 1 && second.retrying == 1)
        fixture.clock.advance(seconds: 600)
        #expect(try await fixture.dispatcher().runOnce().delivered == 1)
        #expect(Self.messages(directory).count == 2)
        #expect(try await fixture.store.deliveries(status: .dead, channel: nil, limit: 10).isEmpty)
    }

    @Test("SMTP 550 for one recipient of two dead-letters only that one")
    func permanentFailureForOneRecipient() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let server = try ServerProcess(script: "smtp_server.py", arguments: ["--messages", directory, "--reject", "rocio@carson.example.org"])
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.mailChannel(port: server.port, tls: "none"), notify: ["mail"], contacts: Self.contacts)
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.delivered == 1 && summary.dead == 1)
        let dead = try await fixture.store.deliveries(status: .dead, channel: nil, limit: 10)
        #expect(dead.map(\.contact) == ["rocio"])
        #expect(dead.first?.lastError == "SMTP 550")
        #expect(Self.messages(directory).map { $0.envelope["rcpt_tos"] as? [String] } == [["liaison@carson.example.org"]])
    }
}
