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
        let (status, output, summary) = try ChaosScript.run("chaos_replicas.py", ["--reminders", "600", "--kills", "6", "--span", "15", "--lead", "8", "--bound", "150", "--seed", "11"], boundSeconds: 240)
        #expect(status == 0, "\(output)")
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
