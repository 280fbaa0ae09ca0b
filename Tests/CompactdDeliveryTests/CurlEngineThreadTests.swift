import CompactdDelivery
import Foundation
import Testing

@Suite("Curl engine thread")
struct CurlEngineThreadTests {
    @Test("the engine's thread is compactd-curl to top -H, ps -L and perf")
    func named() async throws {
        let engine = CurlEngine()
        defer { engine.shutdown() }
        // The thread starts with the first transfer; a refused connection is enough.
        _ = await engine.perform(TransferRequest(operation: .httpPost(url: "http://127.0.0.1:1/", headers: [], body: []), allowedProtocols: "http"))
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let names = tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }.map { $0.trimmingCharacters(in: .newlines) }
        #expect(names.contains("compactd-curl"), "threads: \(Set(names).sorted())")
    }
}
