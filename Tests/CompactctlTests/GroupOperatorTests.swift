import CompactdCore
import Foundation
import Testing

/// An operator who is not root but in the service's group, as on a real install: compactd runs
/// as its own user with `UMask=0027`; the operator, a second real Unix user made by this test,
/// reads with compactctl and acts through the running daemon, which records the operator's
/// Unix user (from the kernel, not from anything the operator typed).
@Suite("an operator in the compactd group", .serialized)
struct GroupOperatorTests {
    /// Creates a service user with its own group and an operator user in that group; removed by `remove`.
    struct Users {
        let service: String
        let operatorName: String

        init() throws {
            let suffix = String(UUID().uuidString.prefix(6)).lowercased()
            service = "cdsvc\(suffix)"
            operatorName = "cdops\(suffix)"
            for (program, arguments) in [
                ("/usr/sbin/groupadd", ["--system", service]),
                ("/usr/sbin/useradd", ["--system", "--no-create-home", "--gid", service, "--shell", "/usr/sbin/nologin", service]),
                ("/usr/sbin/useradd", ["--no-create-home", "--no-user-group", "--gid", "nogroup", "--groups", service, "--shell", "/bin/sh", operatorName]),
            ] {
                let result = try CommandRunner.runProgram(program, arguments)
                try #require(result.status == 0, "\(program) \(arguments): \(result.stderr)")
            }
        }

        func remove() {
            _ = try? CommandRunner.runProgram("/usr/sbin/userdel", [operatorName])
            _ = try? CommandRunner.runProgram("/usr/sbin/userdel", [service])
            _ = try? CommandRunner.runProgram("/usr/sbin/groupdel", [service])
        }
    }

    /// `runuser -u USER -- env VARS... PROGRAM ARGS` with umask 0027.
    static func runAs(_ user: String, _ program: String, _ arguments: [String], environment: [String: String]) throws -> CommandRunner.Result {
        let assignments = environment.map { "\($0.key)=\($0.value)" }
        let script = "umask 0027; exec env " + (assignments + [program] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try CommandRunner.runProgram("/usr/sbin/runuser", ["-u", user, "--", "/bin/sh", "-c", script], workingDirectory: URL(fileURLWithPath: "/"))
    }

    @Test("status, history and report read, and ack acts; the history names the operator's Unix user")
    func operatorReadsAndActs() throws {
        let users = try Users()
        defer { users.remove() }
        let fixture = try DeadlineFixture(deadlines: [("first", 3), ("second", 2)])
        defer { fixture.remove() }
        let socket = fixture.directory.appendingPathComponent("control.sock").path
        let environment = ["COMPACTD_CONFIG": fixture.config, "COMPACTD_CONTROL_SOCKET": socket]
        // The service owns its directory, as StateDirectory= would make it.
        #expect(try CommandRunner.runProgram("/bin/chown", ["-R", "\(users.service):\(users.service)", fixture.directory.path]).status == 0)
        #expect(chmod(fixture.directory.path, 0o750) == 0)

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        let assignments = environment.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        daemon.arguments = ["-u", users.service, "--", "/bin/sh", "-c", "umask 0027; exec env \(assignments) \(CommandRunner.executable("compactd")) --config \(fixture.config)"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            for _ in 0..<300 where daemon.isRunning { usleep(10_000) }
        }
        // Up once its control socket answers, and the two notices are delivered.
        var up = false
        for _ in 0..<200 {
            if (try? CommandRunner.run("compactctl", ["status", "--socket", socket], environment: environment))?.status == 0 { up = true; break }
            usleep(50_000)
        }
        try #require(up, "compactd did not come up as \(users.service)")
        RunningDaemonTests.waitForRequests(fixture, count: 2, seconds: 20)

        // What the daemon created is 0640 / 0750 whatever the umask, its group's to read.
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.statePath)
        #expect((attributes[.posixPermissions] as? Int) == 0o640, "\(String((attributes[.posixPermissions] as? Int) ?? 0, radix: 8))")

        let ctl = CommandRunner.executable("compactctl")
        let status = try Self.runAs(users.operatorName, ctl, ["status"], environment: environment)
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("compactd: running"), "\(status.stdout)")
        #expect(status.stdout.contains("hook"), "\(status.stdout)")
        let report = try Self.runAs(users.operatorName, ctl, ["report"], environment: environment)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("carson"), "\(report.stdout)")

        let key = fixture.stepKey("first")
        let ack = try Self.runAs(users.operatorName, ctl, ["ack", key, "--by", "Rocío Rivas", "--note", "met with Carson city manager"], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.contains("by \(users.operatorName) on behalf of Rocío Rivas"), "\(ack.stdout)")

        let history = try Self.runAs(users.operatorName, ctl, ["history", "--output", "json"], environment: environment)
        #expect(history.status == 0, "\(history.stderr)")
        let events = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        let acknowledged = events.first { ($0["kind"] as? String)?.hasPrefix("ack") == true && ($0["subject"] as? String) == key }
        #expect(acknowledged?["actor"] as? String == "\(users.operatorName) on behalf of Rocío Rivas", "\(events)")

        // Without the daemon, the operator may read but not write.
        kill(daemon.processIdentifier, SIGTERM)
        for _ in 0..<300 where daemon.isRunning { usleep(10_000) }
        let stopped = try Self.runAs(users.operatorName, ctl, ["status"], environment: environment)
        #expect(stopped.status == 3, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("compactd: not running"))
        let refused = try Self.runAs(users.operatorName, ctl, ["unack", key], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("compactd is not running"), "\(refused.stderr)")
    }
}
