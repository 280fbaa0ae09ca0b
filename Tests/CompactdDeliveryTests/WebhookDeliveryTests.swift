import CompactdCore
import CompactdDelivery
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// Webhook delivery through libcurl to a real HTTP(S) receiver on 127.0.0.1.
@Suite("Webhook delivery to a real receiver", .serialized)
struct WebhookDeliveryTests {
    static func receiver(_ arguments: [String] = [], record: String) throws -> ServerProcess {
        try ServerProcess(script: "http_receiver.py", arguments: ["--record", record] + arguments)
    }

    static func hookChannel(port: Int, scheme: String = "http", extra: String = "") -> String {
        """
        [channels.city-hook]
        type = "webhook"
        url = "\(scheme)://127.0.0.1:\(port)/hooks/compactd"
        secret_files = ["SECRET_FILE"]
        \(extra)
        """
    }

    @Test("a due reminder is delivered once, signed per Standard Webhooks (checked by the reference library)")
    func deliveredAndSigned() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"])
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.enqueued == 1 && summary.delivered == 1 && summary.retrying == 0)
        // A second run sends nothing again.
        let again = try await fixture.dispatcher().runOnce()
        #expect(again.enqueued == 0 && again.delivered == 0)

        let requests = RecordedRequest.load(record)
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        let noticeID = "carson/deadline/2025-03-14/board-report/remind-0/city-hook"
        #expect(request.headers["webhook-id"] == "msg_" + (try ServerProcess.sha256Prefix32(noticeID)))
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
        let payload = request.json
        #expect(payload["type"] as? String == "compact.step.reminder")
        #expect(payload["version"] as? Int == 1)
        let data = try #require(payload["data"] as? [String: Any])
        #expect((data["compact"] as? [String: Any])?["partner"] as? String == "City of Carson")
        #expect((data["step"] as? [String: Any])?["title"] as? String == "Report to the Board of Education")
        #expect(data["due_at"] as? String == "2025-03-14T16:00:00Z")
        #expect(data["notice_id"] as? String == noticeID)
        #expect(data["commitments"] as? [String] == ["Crossing guards and other traffic safety improvements"])

        let verification = try ServerProcess.runScript("verify_webhooks.py", [record, DeliveryFixture.secret])
        #expect(verification.status == 0, "\(verification.output)")
        #expect(verification.output.hasPrefix("ok msg_"))
        // A wrong secret must fail verification, or the check above proves nothing.
        let wrong = try ServerProcess.runScript("verify_webhooks.py", [record, "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()])
        #expect(wrong.status == 1)
    }

    @Test("503s are retried on schedule under the same webhook-id, then delivered")
    func retriedThenDelivered() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", "503,503,200"], record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "retry_schedule = [\"1min\", \"1h\"]")
        defer { fixture.remove() }
        let first = try await fixture.dispatcher().runOnce()
        #expect(first.retrying == 1 && first.delivered == 0)
        let next = try #require(first.nextAttemptAt)
        // The wait is 1 min plus up to 10 % jitter.
        #expect(next.microsecondsSinceEpoch - fixture.clock.now.microsecondsSinceEpoch >= 60_000_000)
        #expect(next.microsecondsSinceEpoch - fixture.clock.now.microsecondsSinceEpoch <= 66_100_000)
        // Not before its time.
        fixture.clock.advance(seconds: 30)
        #expect(try await fixture.dispatcher().runOnce().retrying == 0)
        fixture.clock.advance(seconds: 60)
        #expect(try await fixture.dispatcher().runOnce().retrying == 1)
        fixture.clock.advance(seconds: 2 * 3600)
        #expect(try await fixture.dispatcher().runOnce().delivered == 1)
        let requests = RecordedRequest.load(record)
        #expect(requests.map(\.status) == [503, 503, 200])
        #expect(Set(requests.compactMap { $0.headers["webhook-id"] }).count == 1)
        let attempts = try await fixture.store.attempts(deliveryID: nil, since: nil, limit: 10)
        #expect(attempts.map(\.outcome) == [.retry, .retry, .delivered])
        #expect(attempts.map(\.httpStatus) == [503, 503, 200])
    }

    @Test("Retry-After lengthens the wait")
    func retryAfter() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", "429,200", "--retry-after", "7200"], record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "retry_schedule = [\"1min\"]")
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.retrying == 1)
        let wait = try #require(summary.nextAttemptAt).microsecondsSinceEpoch - fixture.clock.now.microsecondsSinceEpoch
        #expect(wait >= 7_200_000_000)
        #expect(wait < 7_300_000_000)
    }

    @Test("Retry-After as an HTTP-date counts from the dispatcher's clock, not the machine's")
    func retryAfterDateUsesInjectedClock() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        // The fixture's clock stands at 2025-03-14 09:01 PDT = 16:01 UTC, months before this
        // machine's; the receiver asks to wait until two hours after that.
        let server = try Self.receiver(["--responses", "503,200", "--retry-after", "Fri, 14 Mar 2025 18:01:00 GMT"], record: record)
        defer { server.stop() }
        let sent = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "retry_schedule = [\"1min\"]")
        defer { sent.remove() }
        #expect(sent.clock.now.rfc3339UTC == "2025-03-14T16:01:00Z")
        let summary = try await sent.dispatcher().runOnce()
        #expect(summary.retrying == 1)
        let wait = try #require(summary.nextAttemptAt).microsecondsSinceEpoch - sent.clock.now.microsecondsSinceEpoch
        #expect(wait >= 7_200_000_000, "waited \(wait / 1_000_000) s")
        #expect(wait < 7_300_000_000, "waited \(wait / 1_000_000) s")
    }

    @Test("410 Gone disables the channel; its other deliveries wait, none is lost")
    func goneDisablesChannel() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", "410"], record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(
            channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "max_concurrent = 1",
            extraDeadlines: "\n[[deadlines]]\nid = \"second-report\"\ntitle = \"Second report\"\ndue = 2025-03-14T09:00:00\n"
        )
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.channelsDisabled == 1)
        #expect(RecordedRequest.load(record).count == 1)
        #expect(try await fixture.store.disabledChannels().map(\.channel) == ["city-hook"])
        #expect(try await fixture.store.deliveries(status: .dead, channel: nil, limit: 10).count == 1)
        #expect(try await fixture.store.deliveries(status: .pending, channel: nil, limit: 10).count == 1)
    }

    @Test("a 410 to many requests in flight disables the channel once: one count, one history event; the rest wait")
    func goneOnceWithRequestsInFlight() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", "410"], record: record)
        defer { server.stop() }
        let extra = (1...19).map { "\n[[deadlines]]\nid = \"report-\($0)\"\ntitle = \"Report \($0)\"\ndue = 2025-03-14T09:00:00\n" }.joined()
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "max_concurrent = 16\nmax_per_host = 16", extraDeadlines: extra)
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        let requests = RecordedRequest.load(record).count
        #expect(requests > 1, "the test needs several requests in flight when the first 410 comes (got \(requests))")
        #expect(summary.channelsDisabled == 1)
        let events = try await fixture.store.history(compactID: nil, since: nil, kinds: ["channel-disabled"], limit: 100)
        #expect(events.count == 1, "\(events.map(\.detail))")
        #expect(try await fixture.store.deliveries(status: .dead, channel: nil, limit: 100).count == 1)
        #expect(try await fixture.store.deliveries(status: .pending, channel: nil, limit: 100).count == 19)
    }

    @Test("an outbox row whose snapshot cannot be read is dead-lettered with the reason, never sent with empty fields")
    func damagedSnapshotIsDeadLettered() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"])
        defer { fixture.remove() }
        let dispatcher = fixture.dispatcher()
        #expect(try await dispatcher.enqueueDue(now: fixture.clock.now).enqueued == 1)
        // Damage the row from outside, as a disk fault or a hand edit would.
        let damage = try ServerProcess.runPython(["-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE deliveries SET snapshot = '{not json'\"); db.commit()", fixture.statePath])
        #expect(damage.status == 0, "\(damage.output)")
        let summary = await dispatcher.deliverDue()
        #expect(summary.dead == 1)
        #expect(RecordedRequest.load(record).isEmpty)
        let dead = try #require(try await fixture.store.deliveries(status: .dead, channel: nil, limit: 10).first)
        #expect(dead.lastError?.hasPrefix("damaged outbox row: the notice snapshot") == true, "\(dead.lastError ?? "")")
    }

    @Test("permanent 4xx and redirects are dead-lettered; a redirect is never followed", arguments: ["404", "302"])
    func permanentFailures(status: String) async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", status], record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"])
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.dead == 1 && summary.retrying == 0)
        #expect(RecordedRequest.load(record).count == 1)
        let dead = try #require(try await fixture.store.deliveries(status: .dead, channel: nil, limit: 1).first)
        #expect(dead.lastError?.contains("HTTP \(status)") == true)
    }

    @Test("a receiver that stalls past the timeout is retried (curl error 28)")
    func timeout() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", "S,200", "--stall", "3"], record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "timeout = \"1s\"\nretry_schedule = [\"1min\"]")
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.retrying == 1)
        let attempt = try #require(try await fixture.store.attempts(deliveryID: nil, since: nil, limit: 1).first)
        #expect(attempt.curlCode == 28)
        #expect(attempt.latencyMilliseconds < 2500)
    }

    @Test("a refused connection is retried (curl error 7)")
    func connectionRefused() async throws {
        // A port nothing listens on: bind, note it, close.
        let server = try Self.receiver(record: "/dev/null")
        let port = server.port
        server.stop()
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: port), notify: ["city-hook"])
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.retrying == 1)
        let attempt = try #require(try await fixture.store.attempts(deliveryID: nil, since: nil, limit: 1).first)
        #expect(attempt.curlCode == 7)
    }

    @Test("a huge response body is cut at the cap and the delivery still counts")
    func responseCap() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--responses", "B", "--body-bytes", "20000000"], record: record)
        defer { server.stop() }
        let fixture = try DeliveryFixture(channels: Self.hookChannel(port: server.port), notify: ["city-hook"], delivery: "max_response_bytes = 1024")
        defer { fixture.remove() }
        #expect(try await fixture.dispatcher().runOnce().delivered == 1)
        // What the engine kept of the 20 MB: exactly the cap, marked truncated.
        let engine = CurlEngine()
        defer { engine.shutdown() }
        let request = TransferRequest(operation: .httpPost(url: "http://127.0.0.1:\(server.port)/hook", headers: [], body: Array("{}".utf8)), allowedProtocols: "http", maxResponseBytes: 1024)
        guard case .success(let response) = await engine.perform(request) else { Issue.record("the transfer failed"); return }
        #expect(response.statusCode == 200)
        #expect(response.body.count == 1024)
        #expect(response.truncated)
    }

    @Test("https with a private CA: verified with ca_file, refused without it")
    func httpsWithPrivateCA() async throws {
        let ca = try TestCertificateAuthority()
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(["--cert", ca.serverCertificate, "--key", ca.serverKey], record: record)
        defer { server.stop() }
        let trusted = try DeliveryFixture(channels: Self.hookChannel(port: server.port, scheme: "https"), notify: ["city-hook"], delivery: "ca_file = \"\(ca.caCertificate)\"")
        defer { trusted.remove() }
        #expect(try await trusted.dispatcher().runOnce().delivered == 1)

        let untrusted = try DeliveryFixture(channels: Self.hookChannel(port: server.port, scheme: "https"), notify: ["city-hook"])
        defer { untrusted.remove() }
        #expect(try await untrusted.dispatcher().runOnce().retrying == 1)
        let attempt = try #require(try await untrusted.store.attempts(deliveryID: nil, since: nil, limit: 1).first)
        #expect(attempt.curlCode == 60)
        #expect(RecordedRequest.load(record).count == 1)
    }

    @Test("Slack and Teams formats")
    func chatFormats() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try Self.receiver(record: record)
        defer { server.stop() }
        let channels = """
        [channels.slack]
        type = "webhook"
        format = "slack"
        url = "http://127.0.0.1:\(server.port)/slack"

        [channels.teams]
        type = "webhook"
        format = "teams"
        url = "http://127.0.0.1:\(server.port)/teams"
        """
        let fixture = try DeliveryFixture(channels: channels, notify: ["slack", "teams"])
        defer { fixture.remove() }
        #expect(try await fixture.dispatcher().runOnce().delivered == 2)
        let byPath = Dictionary(uniqueKeysWithValues: RecordedRequest.load(record).map { ($0.path, $0.json) })
        let slackText = try #require(byPath["/slack"]?["text"] as? String)
        #expect(slackText.contains("City of Carson"))
        let attachment = try #require((byPath["/teams"]?["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        #expect(((attachment["content"] as? [String: Any])?["type"] as? String) == "AdaptiveCard")
    }
}

/// After downtime: notices within the catch-up window are sent, older ones recorded as missed.
@Suite("Catch-up after downtime", .serialized)
struct CatchUpTests {
    @Test("within catch_up sent, older recorded missed and never sent, and never twice")
    func catchUp() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).jsonl").path
        let server = try ServerProcess(script: "http_receiver.py", arguments: ["--record", record])
        defer { server.stop() }
        // Two deadlines: 2025-03-14 09:00 and 2025-03-10 09:00; "now" is 2025-03-14 09:01, the
        // window is 3 days, so the second fell due too long ago.
        let fixture = try DeliveryFixture(
            channels: WebhookDeliveryTests.hookChannel(port: server.port), notify: ["city-hook"],
            extraDeadlines: "\n[[deadlines]]\nid = \"old-report\"\ntitle = \"Old report\"\ndue = 2025-03-10T09:00:00\n"
        )
        defer { fixture.remove() }
        let summary = try await fixture.dispatcher().runOnce()
        #expect(summary.enqueued == 1 && summary.missed == 1 && summary.delivered == 1)
        let missed = try await fixture.store.deliveries(status: .missed, channel: nil, limit: 10)
        #expect(missed.map(\.id) == ["carson/deadline/2025-03-10/old-report/remind-0/city-hook"])
        #expect(RecordedRequest.load(record).count == 1)
        // Another run later: nothing new, nothing resent.
        fixture.clock.advance(seconds: 3600)
        let again = try await fixture.dispatcher().runOnce()
        #expect(again.enqueued == 0 && again.missed == 0 && again.delivered == 0)
        #expect(RecordedRequest.load(record).count == 1)
    }
}
