import Foundation
import Testing

/// compactd as a systemd service: the unit checked statically, then run under a real systemd
/// user manager and journald (Tests/System/systemd-service-test.sh, in a private mount
/// namespace, as TESTING-WITH-SYSTEMD.md describes).
@Suite("compactd under systemd", .serialized)
struct SystemdServiceTests {
    static let unit = CommandRunner.packageRoot.appendingPathComponent("Units/compactd.service").path

    @Test("the service and socket units pass systemd-analyze verify (binaries pointed at this build)")
    func verify() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        var paths: [String] = []
        for name in ["compactd.service", "compactd.socket"] {
            let text = try String(contentsOfFile: CommandRunner.packageRoot.appendingPathComponent("Units/\(name)").path, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/", with: CommandRunner.productsDirectory.path + "/")
            let path = copy.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let result = try CommandRunner.run("/usr/bin/systemd-analyze", ["verify"] + paths)
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

    @Test("under a real user manager: a fresh install with its HTTP listener, socket activation, READY, STATUS, signed delivery, threads named under the unit's hardening, journal, reload, kill -9, idle pages, stop, a hung loop replaced, a stalled receiver under a 5 s watchdog, no journal noise")
    func underSystemd() throws {
        let result = try SystemScript.run("systemd-service-test.sh", [CommandRunner.productsDirectory.path], limitSeconds: 360)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ALL PASSED"))
        #expect(result.passed == 22)
    }
}
