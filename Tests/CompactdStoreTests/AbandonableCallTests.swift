@testable import CompactdPostgres
import Synchronization
import Testing

/// The store's bound on one database call, with an operation that, like a query postgres-nio
/// has sent, ignores cancellation. (The real query is PostgresReplicaTests.unansweredQuery.)
@Suite("Abandonable calls")
struct AbandonableCallTests {
    /// An operation that waits, uncancellably, until opened; says when it has begun.
    final class Gate: Sendable {
        private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let opened = Mutex(false)
        let begun: AsyncStream<Void>
        private let begin: AsyncStream<Void>.Continuation

        init() { (begun, begin) = AsyncStream.makeStream(of: Void.self) }

        func pass() async {
            await withCheckedContinuation { continuation in
                begin.yield()
                let open = opened.withLock { opened in
                    if !opened { waiting.withLock { $0 = continuation } }
                    return opened
                }
                if open { continuation.resume() }
            }
        }

        var isOpen: Bool { opened.withLock { $0 } }

        func open() {
            let continuation = opened.withLock { opened in
                opened = true
                return waiting.withLock { waiting in defer { waiting = nil }; return waiting }
            }
            continuation?.resume()
        }
    }

    @Test("a caller cancelled (the daemon's stop) is answered at once, the operation left waiting")
    func cancelledCaller() async throws {
        let gate = Gate()
        let call = Task { try await AbandonableCall.run(seconds: 600) { await gate.pass(); return 1 } }
        var begun = gate.begun.makeAsyncIterator()
        await begun.next()
        // If the call waited for its operation, this opens it after a while, and the call succeeds.
        let fallback = Task { try await Task.sleep(for: .seconds(30)); gate.open() }
        call.cancel()
        let result = await call.result
        let waitedForOperation = gate.isOpen
        fallback.cancel()
        gate.open()
        #expect(!waitedForOperation, "the call answered only when its operation ended")
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test("past its time the caller gets Timeout; an answer in time is the answer")
    func timeout() async throws {
        let gate = Gate()
        let fallback = Task { try await Task.sleep(for: .seconds(30)); gate.open() }
        let late = await Task { try await AbandonableCall.run(seconds: 0.2) { await gate.pass(); return 1 } }.result
        let waitedForOperation = gate.isOpen
        fallback.cancel()
        gate.open()
        #expect(!waitedForOperation, "the call answered only when its operation ended")
        #expect(throws: AbandonableCall.Timeout.self) { try late.get() }
        #expect(try await AbandonableCall.run(seconds: 600) { 7 } == 7)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await AbandonableCall.run(seconds: 600) { () async throws -> Int in throw Refused() } }
    }
}
