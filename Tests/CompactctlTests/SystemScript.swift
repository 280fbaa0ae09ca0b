import Foundation

/// Runs one of the shell scripts in Tests/System in a private mount namespace (`unshare -m`, as
/// root), output to a file and the exit polled with a bound, so no process the script started
/// can hang the test by holding a pipe open.
enum SystemScript {
    struct Result {
        var status: Int32
        var output: String
        var passed: Int { output.split(separator: "\n").filter { $0.hasPrefix("PASS") }.count }
    }

    static func run(_ name: String, _ arguments: [String], limitSeconds: Int) throws -> Result {
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/System/\(name)").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "--propagation", "private", "/bin/bash", "-c", "log=$1; shift; exec /bin/bash \"$@\" > \"$log\" 2>&1 < /dev/null", "bash", log, script] + arguments
        try process.run()
        for _ in 0..<(limitSeconds * 10) where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        return Result(status: process.terminationStatus, output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
