import CompactdCore
@testable import CompactdDelivery
import CompactdStore
import Logging
import Synchronization
import Testing

/// `enqueueDue` writes in chunks while it logs the chunk before: every notice is written and
/// logged exactly once, however many chunks, and a second pass writes and logs nothing.
@Suite("Outbox written in chunks")
struct EnqueueChunkTests {
    /// Keeps every event's message and reminder id.
    final class Recorder: Sendable {
        let events = Mutex<[(message: String, reminder: String?)]>([])

        func handler(label: String) -> any LogHandler { Handler(recorder: self) }

        struct Handler: LogHandler {
            let recorder: Recorder
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .info
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let reminder = event.metadata?["reminder_id"].map { "\($0)" }
                recorder.events.withLock { $0.append((event.message.description, reminder)) }
            }
        }
    }

    @Test("2.5 chunks of notices: each written and logged once, all before any is sent; again, nothing")
    func chunks() async throws {
        let count = Dispatcher.enqueueChunk * 2 + Dispatcher.enqueueChunk / 2
        let extra = (1..<count).map { "[[deadlines]]\nid = \"d\($0)\"\ntitle = \"Deadline \($0)\"\ndue = 2025-03-14T09:00:00\n" }.joined(separator: "\n")
        let fixture = try DeliveryFixture(channels: "[channels.district-log]\ntype = \"log\"", notify: ["district-log"], extraDeadlines: extra)
        defer { fixture.remove() }
        let recorder = Recorder()
        let dispatcher = fixture.dispatcher(logger: Logger(label: "test", factory: recorder.handler))

        let summary = try await dispatcher.runOnce()
        #expect(summary.enqueued == count)
        #expect(summary.delivered == count)
        let events = recorder.events.withLock { $0 }
        let due = events.filter { $0.message == "reminder due" }.compactMap(\.reminder)
        #expect(due.count == count)
        #expect(Set(due).count == count)
        // Nothing is sent (here: logged as a notice) before every notice is written and logged.
        let firstNotice = try #require(events.firstIndex { $0.message == "notice" })
        let lastDue = try #require(events.lastIndex { $0.message == "reminder due" })
        #expect(lastDue < firstNotice)
        #expect(try await fixture.store.deliveries(status: .delivered, channel: nil, limit: count + 10).count == count)

        let again = try await dispatcher.enqueueDue(now: fixture.clock.now)
        #expect(again.enqueued == 0)
        #expect(recorder.events.withLock { $0 }.filter { $0.message == "reminder due" }.count == count)
    }
}
