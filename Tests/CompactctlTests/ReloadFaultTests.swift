import Foundation
import Testing

/// Broken configurations applied to a running compactd by SIGHUP and by `compactctl reload
/// --wait`: each kind is refused with FILE:LINE in the log (the journal under systemd) and in
/// the daemon's status, the previous configuration stays in force, and a reminder falling due
/// afterwards is still delivered. The channel's secret is shown nowhere.
@Suite("reload faults while running", .serialized)
struct ReloadFaultTests {
    /// A kind of breakage: what to do to the fixture's files, and the FILE:LINE the refusal must name.
    struct Breakage: Sendable, CustomStringConvertible {
        var description: String
        var file: String
        var line: Int
        var expected: String
        var apply: @Sendable (DeadlineFixture) throws -> Void
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    static func compactFile(_ f: DeadlineFixture) -> String { f.directory.appendingPathComponent("compacts/carson.toml").path }

    // Line numbers: DeadlineFixture's compactd.toml has 12 lines (secret_files last, no final
    // newline); its carson.toml 4 header lines and 5 per deadline (one here).
    static let breakages: [Breakage] = [
        Breakage(description: "TOML syntax error", file: "compactd.toml", line: 14, expected: "syntax") { f in
            try append("\n\ntime_zone = \n", to: f.config)
        },
        Breakage(description: "unknown key", file: "compactd.toml", line: 13, expected: "colour") { f in
            try append("\ncolour = \"blue\"\n", to: f.config)
        },
        Breakage(description: "bad calendar expression", file: "carson.toml", line: 13, expected: "calendar") { f in
            try append("[[cycles]]\nid = \"review\"\ntitle = \"Review\"\ncalendar = \"*-13-45 09:00\"\n[[cycles.steps]]\nid = \"s\"\ntitle = \"S\"\ndue = \"+0d\"\n", to: compactFile(f))
        },
        Breakage(description: "unknown channel", file: "carson.toml", line: 4, expected: "nosuch") { f in
            let text = try String(contentsOfFile: compactFile(f), encoding: .utf8).replacingOccurrences(of: "notify = [\"hook\"]", with: "notify = [\"hook\", \"nosuch\"]")
            try text.write(toFile: compactFile(f), atomically: true, encoding: .utf8)
        },
        Breakage(description: "unreadable secret file", file: "compactd.toml", line: 12, expected: "/nonexistent/hook-secret") { f in
            let secret = f.directory.appendingPathComponent("secret").path
            let text = try String(contentsOfFile: f.config, encoding: .utf8).replacingOccurrences(of: secret, with: "/nonexistent/hook-secret")
            try text.write(toFile: f.config, atomically: true, encoding: .utf8)
        },
    ]

    @Test("a broken configuration is refused on reload; the old one keeps delivering", arguments: breakages)
    func brokenReload(_ breakage: Breakage) throws {
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("later", 7)])
        defer { fixture.remove() }
        let log = fixture.directory.appendingPathComponent("compactd.log").path
        let socket = fixture.directory.appendingPathComponent("control.sock").path
        let daemon = try RunningDaemonTests.Daemon(fixture, log: log)
        defer { daemon.stop() }
        var environment = fixture.environment
        environment["COMPACTD_CONTROL_SOCKET"] = socket
        let goodConfig = try String(contentsOfFile: fixture.config, encoding: .utf8)
        let goodCompact = try String(contentsOfFile: Self.compactFile(fixture), encoding: .utf8)
        try breakage.apply(fixture)
        let location = "\(breakage.file):\(breakage.line):"

        // SIGHUP, as `kill -HUP` or systemd would send it.
        kill(daemon.process.processIdentifier, SIGHUP)
        var logText = ""
        for _ in 0..<100 {
            logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if logText.contains("reload failed") { break }
            usleep(50_000)
        }
        let refusal = logText.split(separator: "\n").first { $0.contains("reload failed") }.map(String.init) ?? ""
        #expect(refusal.hasPrefix("<3>"), "\(logText)")
        #expect(refusal.contains(location), "\(refusal)")
        #expect(refusal.contains(breakage.expected), "\(refusal)")

        // The daemon's status says so (compactctl prints it even though the file is broken).
        let status = try CommandRunner.run("compactctl", ["status", "--config", fixture.config, "--socket", socket], environment: environment)
        #expect(status.stdout.contains("compactd: running"), "\(status.stdout)")
        #expect(status.stdout.contains("last reload failed: ") && status.stdout.contains(location), "\(status.stdout)")

        // compactctl reload --wait (the unit's ExecReload=) fails with the same error.
        let reload = try CommandRunner.run("compactctl", ["reload", "--wait", "--socket", socket], environment: environment)
        #expect(reload.status != 0)
        #expect(reload.stderr.contains("kept its previous configuration") && reload.stderr.contains(location), "\(reload.stderr)")
        // Without --wait too: a refusal is an error a script can see.
        let quick = try CommandRunner.run("compactctl", ["reload", "--socket", socket], environment: environment)
        #expect(quick.status == 1, "\(quick.stdout)\(quick.stderr)")
        // The daemon answers status --json with its own word although the file on disk is broken.
        let json = try CommandRunner.run("compactctl", ["status", "--output", "json", "--config", fixture.config, "--socket", socket], environment: environment)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(report["daemon"] as? String == "running")
        #expect((report["status"] as? String)?.contains("last reload failed") == true, "\(report)")
        #expect((report["error"] as? String)?.contains(location) == true, "\(report)")

        // The old configuration still delivers.
        RunningDaemonTests.waitForRequests(fixture, count: 1, seconds: 20)
        let ids = RunningDaemonTests.received(fixture)
        #expect(ids.count == 1 && ids.first?.contains("/later/") == true, "\(ids)")
        #expect(daemon.process.isRunning)

        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        // The history is read with the good files back in place: with the broken ones it would
        // print nothing, and finding no secret in nothing proves nothing.
        try goodConfig.write(toFile: fixture.config, atomically: true, encoding: .utf8)
        try goodCompact.write(toFile: Self.compactFile(fixture), atomically: true, encoding: .utf8)
        let history = try CommandRunner.run("compactctl", ["history", "--config", fixture.config], environment: environment)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("/later/"), "the history should show the delivery: \(history.stdout)")
        for text in [logText, status.stdout, status.stderr, reload.stdout, reload.stderr, history.stdout, history.stderr] {
            #expect(!text.contains(secret) && !text.contains(secret.dropFirst(6)))
        }
    }
}
