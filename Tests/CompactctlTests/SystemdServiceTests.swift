import Foundation
import Testing

/// compactd as a systemd service: the unit checked statically, then run under a real systemd
/// user manager and journald (Tests/System/systemd-service-test.sh, in a private mount
/// namespace, as TESTING-WITH-SYSTEMD.md describes).
@Suite("compactd under systemd", .serialized)
struct SystemdServiceTests {
    static let unit = CommandRunner.packageRoot.appendingPathComponent("Units/compactd.service").path

    @Test("the unit passes systemd-analyze verify (binaries pointed at this build)")
    func verify() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/", with: CommandRunner.productsDirectory.path + "/")
        let path = copy.appendingPathComponent("compactd.service").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run("/usr/bin/systemd-analyze", ["verify", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("the unit's exposure is at most 1.5 in systemd-analyze security --offline=yes")
    func security() throws {
        let result = try CommandRunner.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", "--threshold=15", Self.unit])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let level = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(level <= 1.5, "\(line)")
    }

    @Test("under a real user manager: READY, STATUS, delivery, journal, reload, kill -9, stop, watchdog")
    func underSystemd() throws {
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/System/systemd-service-test.sh").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-test-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        // Output to a file, and the exit awaited by polling (bounded): a process the script
        // started must not be able to hang the test by holding a pipe open.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "--propagation", "private", "/bin/bash", "-c", "exec /bin/bash \"$0\" \"$1\" > \"$2\" 2>&1 < /dev/null", script, CommandRunner.productsDirectory.path, log]
        try process.run()
        for _ in 0..<1800 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let passed = output.split(separator: "\n").filter { $0.hasPrefix("PASS") }
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("ALL PASSED"))
        #expect(passed.count == 11)
    }
}
