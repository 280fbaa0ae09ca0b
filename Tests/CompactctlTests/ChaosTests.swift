import Foundation
import Testing

/// The chaos run (Tests/Chaos/chaos.py), scaled down: a receiver failing ~45% of requests in
/// three ways, the built daemon killed with SIGKILL at random moments and restarted, then
/// everything counted. `make chaos` runs the full size (5,000 reminders, 20 kills).
@Suite("chaos run", .serialized)
struct ChaosTests {
    @Test("400 reminders, 6 kills, a failing receiver: none lost, none under two ids, store intact, no secret shown")
    func scaledDownChaosRun() throws {
        let (status, output, summary) = try ChaosScript.run("chaos.py", ["--reminders", "400", "--kills", "6", "--span", "12", "--lead", "4", "--bound", "120", "--seed", "7"], boundSeconds: 150)
        #expect(status == 0, "\(output)")
        #expect(summary["reminders expected"] as? Int == 400)
        #expect(summary["accepted"] as? Int == 400)
        #expect(summary["lost"] as? Int == 0)
        #expect(summary["duplicates by id"] as? Int == 0)
        #expect(summary["duplicates unexplained"] as? Int == 0)
        #expect(summary["kills"] as? Int == 6)
        #expect(summary["store delivered"] as? Int == 400)
        #expect(summary["integrity_check"] as? String == "ok")
        #expect((summary["secret leaked in"] as? [String])?.isEmpty == true)
        // The receiver really misbehaved: every kind of fault happened.
        for fault in ["answered 503", "stalled", "reset"] {
            #expect((summary[fault] as? Int ?? 0) > 0, "\(fault)")
        }
    }
}
