import Foundation
import Testing

/// Runs one of the chaos harnesses (Tests/Chaos/*.py) on the built binaries, bounded, and
/// returns what it printed and the summary it wrote as JSON.
enum ChaosScript {
    static func run(_ script: String, _ arguments: [String], boundSeconds: Int) throws -> (status: Int32, output: String, summary: [String: Any]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summaryPath = directory.appendingPathComponent("summary.json").path
        let log = directory.appendingPathComponent("chaos.log").path
        let path = CommandRunner.packageRoot.appendingPathComponent("Tests/Chaos/\(script)").path
        // Output to a file and the exit polled (bounded), so no child can hang the test on a pipe.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "script=$1 bin=$2 json=$3 log=$4; shift 4; exec python3 \"$script\" --bin \"$bin\" --json \"$json\" \"$@\" > \"$log\" 2>&1 < /dev/null",
                             "bash", path, CommandRunner.productsDirectory.path, summaryPath, log] + arguments
        try process.run()
        for _ in 0..<(boundSeconds * 10) where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print(output)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: summaryPath))) ?? Data("{}".utf8)
        let summary = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (process.terminationStatus, output, summary)
    }
}
