import Foundation
import Testing

/// The chaos run (Tests/Chaos/chaos.py), scaled down: a receiver failing ~45% of requests in
/// three ways, the built daemon killed with SIGKILL at random moments and restarted, then
/// everything counted. `make chaos` runs the full size (5,000 reminders, 20 kills).
@Suite("chaos run", .serialized)
struct ChaosTests {
    @Test("400 reminders, 6 kills, a failing receiver: none lost, none under two ids, store intact, no secret shown")
    func scaledDownChaosRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summaryPath = directory.appendingPathComponent("summary.json").path
        let log = directory.appendingPathComponent("chaos.log").path
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/Chaos/chaos.py").path
        // Output to a file and the exit polled (bounded), so no child can hang the test on a pipe.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec python3 \"$0\" --bin \"$1\" --reminders 400 --kills 6 --span 12 --lead 4 --bound 120 --seed 7 --json \"$2\" > \"$3\" 2>&1 < /dev/null",
                             script, CommandRunner.productsDirectory.path, summaryPath, log]
        try process.run()
        for _ in 0..<1500 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print(output)
        #expect(process.terminationStatus == 0, "\(output)")
        let data = try Data(contentsOf: URL(fileURLWithPath: summaryPath))
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
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
