import CompactdCore
import CompactdSystemd
import CompactdTestSupport
import Foundation
import Testing

/// ack and snooze while the long-running compactd runs: it honours them without a restart.
@Suite("compactctl with a running compactd", .serialized)
struct RunningDaemonTests {
    /// Starts `compactd` (long-running) on the fixture; stops it with SIGTERM when done.
    final class Daemon {
        let process = Process()

        /// - Parameter log: where compactd's stderr goes (its `<N>` lines: what the journal
        ///   would hold), else nowhere.
        init(_ fixture: DeadlineFixture, log: String? = nil, environment extra: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: CommandRunner.executable("compactd"))
            process.arguments = ["--config", fixture.config]
            var environment = ProcessInfo.processInfo.environment
            for (k, v) in fixture.environment.merging(extra, uniquingKeysWith: { $1 }) { environment[k] = v }
            environment["COMPACTD_CONTROL_SOCKET"] = fixture.directory.appendingPathComponent("control.sock").path
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            if let log {
                _ = FileManager.default.createFile(atPath: log, contents: nil)
                process.standardError = FileHandle(forWritingAtPath: log)
            } else {
                process.standardError = FileHandle.nullDevice
            }
            try process.run()
            // Ready once the control socket answers.
            for _ in 0..<100 {
                if FileManager.default.fileExists(atPath: fixture.directory.appendingPathComponent("control.sock").path) { break }
                usleep(50_000)
            }
        }

        func stop() {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<300 where process.isRunning { usleep(10_000) }
        }
    }

    static func received(_ fixture: DeadlineFixture) -> [String] {
        RecordedRequest.load(fixture.record).compactMap { ($0.json["data"] as? [String: Any])?["notice_id"] as? String }
    }

    /// Waits (bounded) until the receiver has `count` requests.
    static func waitForRequests(_ fixture: DeadlineFixture, count: Int, seconds: Int) {
        for _ in 0..<(seconds * 20) where RecordedRequest.load(fixture.record).count < count { usleep(50_000) }
    }

    @Test("ack during a running compactd stops the next reminder for that step and only that step")
    func ackWhileRunning() throws {
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("acked", 8), ("kept", 9)])
        defer { fixture.remove() }
        let daemon = try Daemon(fixture)
        defer { daemon.stop() }
        let key = "carson/deadline/\(ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: 8)).date)/acked"
        var environment = fixture.environment
        environment["COMPACTD_CONTROL_SOCKET"] = fixture.directory.appendingPathComponent("control.sock").path
        let ack = try CommandRunner.run("compactctl", ["ack", key, "--by", "ops"], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        Self.waitForRequests(fixture, count: 1, seconds: 20)
        // Give an unwanted second notice time to show up (the acked one was due first).
        usleep(1_500_000)
        let ids = Self.received(fixture)
        #expect(ids.count == 1)
        #expect(ids.first?.contains("/kept/remind-0/hook") == true)
        let status = try CommandRunner.run("compactctl", ["status"], environment: environment)
        #expect(status.stdout.hasPrefix("compactd: running since "), "\(status.stdout)")
    }

    @Test("an acknowledgment taken back while compactd idles, its next notice an hour away, sends the step's held notice at once")
    func unackWhileIdle() throws {
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("held", 6), ("later", 3600)])
        defer { fixture.remove() }
        let started = Date()
        let daemon = try Daemon(fixture)
        defer { daemon.stop() }
        var environment = fixture.environment
        environment["COMPACTD_CONTROL_SOCKET"] = fixture.directory.appendingPathComponent("control.sock").path
        let ack = try CommandRunner.run("compactctl", ["ack", fixture.stepKey("held"), "--by", "ops"], environment: environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        // Past the held notice's time: nothing sent, and the next notice is the one an hour out.
        usleep(UInt32(max(0, 9 - Date().timeIntervalSince(started)) * 1_000_000))
        #expect(Self.received(fixture).isEmpty)
        let unack = try CommandRunner.run("compactctl", ["unack", fixture.stepKey("held"), "--by", "ops"], environment: environment)
        #expect(unack.status == 0, "\(unack.stderr)")
        Self.waitForRequests(fixture, count: 1, seconds: 20)
        let ids = Self.received(fixture)
        #expect(ids.count == 1, "\(ids)")
        #expect(ids.first?.contains("/held/remind-0/hook") == true, "\(ids)")
    }

    @Test("compactd says at start what it loaded: compacts, channels, state, control socket, next notice")
    func saysWhatItLoaded() throws {
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("later", 3600)])
        defer { fixture.remove() }
        let log = fixture.directory.appendingPathComponent("compactd.log").path
        let daemon = try Daemon(fixture, log: log)
        defer { daemon.stop() }
        var text = ""
        for _ in 0..<200 {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("ready") { break }
            usleep(50_000)
        }
        let loaded = try #require(text.split(separator: "\n").first { $0.contains("configuration loaded") }, "\(text)")
        #expect(loaded.contains("compacts=1") && loaded.contains("channels_enabled=hook"), "\(loaded)")
        #expect(loaded.contains("state_path=\(fixture.statePath)"), "\(loaded)")
        #expect(loaded.contains("control_socket=\(fixture.directory.appendingPathComponent("control.sock").path)"), "\(loaded)")
        let ready = try #require(text.split(separator: "\n").first { $0.contains("ready") && !$0.contains("configuration loaded") }, "\(text)")
        // The deadline in an hour: its due notice is the next one (UTC, to the minute).
        let due = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: 3600))
        #expect(ready.contains("next_notice=\(due.date) \(String(format: "%02d:%02d", due.hour, due.minute))") || ready.contains("next_notice=\(due.date)"), "\(ready)")
    }

    @Test("a snoozed step's notice is held and goes out when the snooze ends")
    func snoozeWhileRunning() throws {
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("snoozed", 6)])
        defer { fixture.remove() }
        let daemon = try Daemon(fixture)
        defer { daemon.stop() }
        var environment = fixture.environment
        environment["COMPACTD_CONTROL_SOCKET"] = fixture.directory.appendingPathComponent("control.sock").path
        let dueDate = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: 6)).date
        let until = ZoneInfo.utc.localDateTime(at: Instant.now.adding(seconds: 13))
        let untilText = "\(until.date) \(String(format: "%02d:%02d:%02d", until.hour, until.minute, until.second)) UTC"
        let snooze = try CommandRunner.run("compactctl", ["snooze", "carson/deadline/\(dueDate)/snoozed", "--until", untilText], environment: environment)
        #expect(snooze.status == 0, "\(snooze.stderr)")
        // Past the due time, nothing yet.
        usleep(8_000_000)
        #expect(Self.received(fixture).isEmpty)
        Self.waitForRequests(fixture, count: 1, seconds: 15)
        let request = try #require(RecordedRequest.load(fixture.record).first)
        let sentAt = try #require(TimestampFormat.parse(request.headers["webhook-timestamp"].map { "@\($0)" } ?? "", zone: .utc))
        let untilInstant = try #require(TimestampFormat.parse(untilText, zone: .utc))
        #expect(sentAt >= untilInstant)
    }

    @Test("a reminder falling due while a pass is still delivering goes out right after it, not a day later")
    func dueDuringALongPass() throws {
        // The first request stalls 4 s (then succeeds); the second deadline falls due meanwhile.
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("slow", 3), ("meanwhile", 5)], responses: "S,200", stallSeconds: 4)
        defer { fixture.remove() }
        let daemon = try Daemon(fixture)
        defer { daemon.stop() }
        Self.waitForRequests(fixture, count: 2, seconds: 20)
        let ids = Self.received(fixture)
        #expect(ids.count == 2, "\(ids)")
        #expect(ids.last?.contains("/meanwhile/") == true)
    }

    @Test("a daemon that gave its idle pages back holds far less of its own code, frees its file's cache, and still delivers")
    func idlePageRelease() throws {
        // compactd's own code: mapped by that one process, so its pages can really be dropped.
        func ownCodeKiB(_ daemon: Daemon) -> Int {
            let path = CommandRunner.executable("compactd")
            let smaps = (try? String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/smaps", encoding: .utf8)) ?? ""
            return MemoryMapping.parse(smaps: smaps).filter { $0.path == path && $0.holdsOnlyFilePages }.reduce(0) { $0 + $1.residentKiB }
        }
        // How much of compactd's file the page cache holds (mincore on a mapping of it, which
        // reads nothing in).
        func cachedKiB() -> Int {
            let fd = open(CommandRunner.executable("compactd"), O_RDONLY)
            defer { close(fd) }
            var info = stat()
            guard fd >= 0, fstat(fd, &info) == 0, let map = mmap(nil, Int(info.st_size), PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return -1 }
            defer { munmap(map, Int(info.st_size)) }
            var pages = [UInt8](repeating: 0, count: (Int(info.st_size) + 4095) / 4096)
            guard mincore(map, Int(info.st_size), &pages) == 0 else { return -1 }
            return pages.reduce(0) { $0 + Int($1 & 1) } * 4
        }
        // One after the other: two processes running the same file would share its pages,
        // and shared pages are never dropped.
        let kept: Int
        let cachedWhileKept: Int
        do {
            let fixture = try DeadlineFixture(deadlinesInSeconds: [("later", 30)])
            defer { fixture.remove() }
            let daemon = try Daemon(fixture, environment: ["COMPACTD_IDLE_PAGE_RELEASE": "off"])
            defer { daemon.stop() }
            usleep(1_500_000)
            kept = ownCodeKiB(daemon)
            cachedWhileKept = cachedKiB()
        }
        // Released when the next work is 2 s away or more: right after READY, 8 s before the deadline.
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("soon", 8)])
        defer { fixture.remove() }
        let daemon = try Daemon(fixture, environment: ["COMPACTD_IDLE_PAGE_RELEASE": "2"])
        defer { daemon.stop() }
        usleep(1_500_000)
        let released = ownCodeKiB(daemon)
        let cachedAfterRelease = cachedKiB()
        #expect(kept > 1024, "compactd should hold over 1 MiB of its code after a start, holds \(kept) KiB")
        #expect(released < kept / 2, "compactd's resident code: \(kept) KiB kept, \(released) KiB after release")
        // And the pages are gone from memory, not only from compactd's page tables.
        #expect(cachedWhileKept > 1024)
        // (Not all of it: pages compactd still maps, and read-ahead blocks holding one, stay.
        // Measured on the debug build: about 16 MiB cached while kept, 11 MiB after release;
        // without the release's page cache step, no change.)
        #expect(cachedAfterRelease + 2048 < cachedWhileKept, "compactd's file in the page cache: \(cachedWhileKept) KiB, \(cachedAfterRelease) KiB after release")
        Self.waitForRequests(fixture, count: 1, seconds: 20)
        #expect(Self.received(fixture).count == 1)
    }

    @Test("a dead letter requeued while the daemon idles goes out at its next watchdog wake, even when the poke is lost")
    func requeueWithoutPoke() throws {
        let fixture = try DeadlineFixture(deadlinesInSeconds: [("refused", 2)], responses: "400,200")
        defer { fixture.remove() }
        // Watchdog every 2 s: the idle daemon wakes every second, only to ping, unless work is due.
        let daemon = try Daemon(fixture, environment: ["WATCHDOG_USEC": "2000000"])
        defer { daemon.stop() }
        Self.waitForRequests(fixture, count: 1, seconds: 20)
        // fixture.environment points compactctl at a socket nobody listens on: its poke is lost.
        var requeued = ""
        for _ in 0..<50 {
            requeued = try CommandRunner.run("compactctl", ["retry", "--all"], environment: fixture.environment).stdout
            if requeued.hasPrefix("1 ") { break }
            usleep(100_000)
        }
        #expect(requeued.hasPrefix("1 dead-lettered"), "\(requeued)")
        Self.waitForRequests(fixture, count: 2, seconds: 5)
        #expect(RecordedRequest.load(fixture.record).count == 2)
    }
}
