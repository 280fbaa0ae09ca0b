import Foundation
import Testing

/// The multi-replica chaos run (Tests/Chaos/chaos_replicas.py), scaled down: three built
/// daemons on one real PostgreSQL, a receiver failing ~30% of requests, kills, a database
/// restart, a replica 2 minutes ahead, one cut off from the database (its own network
/// namespace) and one paused, both longer than a lease, and an acknowledgment mid-run.
/// `make chaos-replicas` runs the full size (3,000 deadlines, 15 kills).
@Suite("multi-replica chaos run", .serialized)
struct ReplicaChaosTests {
    @Test("600 deadlines on 3 replicas: none lost, none early, none under two ids, no fenced-out outcome recorded, the ack heard within 1 s")
    func scaledDownReplicaChaosRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replica-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summaryPath = directory.appendingPathComponent("summary.json").path
        let log = directory.appendingPathComponent("chaos.log").path
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/Chaos/chaos_replicas.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec python3 \"$0\" --bin \"$1\" --reminders 600 --kills 6 --span 15 --lead 8 --bound 150 --seed 11 --json \"$2\" > \"$3\" 2>&1 < /dev/null",
                             script, CommandRunner.productsDirectory.path, summaryPath, log]
        try process.run()
        for _ in 0..<2400 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print(output)
        #expect(process.terminationStatus == 0, "\(output)")
        let data = try Data(contentsOf: URL(fileURLWithPath: summaryPath))
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(summary["deadlines expected"] as? Int == 600)
        #expect(summary["accepted"] as? Int == 600)
        #expect(summary["lost"] as? Int == 0)
        #expect(summary["duplicates by id"] as? Int == 0)
        #expect(summary["duplicates unexplained"] as? Int == 0)
        #expect(summary["early"] as? Int == 0)
        #expect(summary["fencing broken"] as? Int == 0)
        #expect(summary["probe late"] as? Int == 0)
        #expect((summary["probe cancelled"] as? Int ?? 0) > 0)
        #expect(summary["store delivered"] as? Int == 600)
        #expect(summary["kills"] as? Int == 6)
        #expect(summary["database restarts"] as? Int == 1)
        #expect(summary["replicas listed stopped"] as? Int == 3)
        #expect((summary["secret leaked in"] as? [String])?.isEmpty == true)
        #expect((summary["answered 503"] as? Int ?? 0) > 0)
    }
}
