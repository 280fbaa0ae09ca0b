import Foundation
import Testing

/// The long-running compactd meeting state store faults (Tests/System/storage-faults-test.sh,
/// on a small tmpfs in a private mount namespace): it stays up as one process, says "degraded",
/// retries, and loses nothing once the fault is gone; no secret shows anywhere.
@Suite("state store faults", .serialized)
struct StorageFaultTests {
    static func run(_ scenario: String) throws {
        let result = try SystemScript.run("storage-faults-test.sh", [scenario, CommandRunner.productsDirectory.path], limitSeconds: 150)
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ALL PASSED (\(scenario))"))
        #expect(result.passed >= 7)
    }

    @Test("state directory read-only at start: degraded, no crash loop, everything delivered once writable")
    func readOnlyStateDirectory() throws { try Self.run("read-only") }

    @Test("disk full while reminders fall due: degraded, then all delivered once space is back")
    func diskFull() throws { try Self.run("disk-full") }

    @Test("database locked by another process past the busy timeout: degraded, then all delivered")
    func lockedByAnotherProcess() throws { try Self.run("locked") }
}
