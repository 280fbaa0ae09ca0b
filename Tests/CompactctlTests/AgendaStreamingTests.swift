import CompactdCore
import Foundation
import Glibc
import Testing

/// `agenda` plans on a thread of its own and writes on the calling one, the notices handed
/// over a month's slice at a time (`PlannedSliceQueue`), its JSON and its CSV by different
/// writers. Over 10,000 deadlines (ten slices; times shared by threes) every one must be listed
/// once, in send order, the same in both.
@Suite("agenda streamed across threads")
struct AgendaStreamingTests {
    @Test("JSON and CSV, planned on a second thread: 10,000 notices, each once, in send order, the same in both")
    func jsonEqualsCSV() throws {
        let deadlines = (0..<10_000).map { ("d\($0)", 3_600 + ($0 / 3) * 7_500) }
        let setup = try DeadlineFixture(deadlinesInSeconds: deadlines)
        defer { setup.remove() }
        let json = try CommandRunner.run("compactctl", ["agenda", "--days", "400", "-o", "json"], environment: setup.environment)
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let csv = try CommandRunner.run("compactctl", ["agenda", "--days", "400", "-o", "csv"], environment: setup.environment)
        #expect(csv.status == 0, "\(csv.stderr)")
        let csvRows = try OutputFormatsTests.csvRows(csv.stdout)
        let stepColumn = try #require(csvRows.first?.firstIndex(of: "step"))
        #expect(rows.count == 10_000)
        #expect(Set(rows.compactMap { $0["step_key"] as? String }).count == 10_000)
        #expect(rows.compactMap { $0["step_key"] as? String } == csvRows.dropFirst().map { $0[stepColumn] })
        let sendTimes = rows.compactMap { $0["send_at_utc"] as? String }
        #expect(sendTimes == sendTimes.sorted())
    }

    /// With the writer held up, the planner runs ahead: its output is not read until the writer
    /// is blocked on a full pipe and every thread of the process is asleep (the planner done,
    /// or waiting for the writer), so slices are waiting when writing resumes, and must be
    /// taken in the order they were planned.
    @Test("with its output held back until the planner is done or waits for the writer: every notice once, in send order")
    func heldUpWriter() throws {
        let deadlines = (0..<10_000).map { ("d\($0)", 3_600 + ($0 / 3) * 7_500) }
        let setup = try DeadlineFixture(deadlinesInSeconds: deadlines)
        defer { setup.remove() }
        var waited = false
        let json = try CommandRunner.run("compactctl", ["agenda", "--days", "400", "-o", "json"], environment: setup.environment) { pid, stdout in
            waited = try Self.waitUntilHeldUp(pid: pid, stdout: stdout)
        }
        #expect(waited, "compactctl ended or never filled the pipe")
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 10_000)
        #expect(Set(rows.compactMap { $0["step_key"] as? String }).count == 10_000)
        let sendTimes = rows.compactMap { $0["send_at_utc"] as? String }
        #expect(sendTimes == sendTimes.sorted())
    }

    /// Waits until the pipe holds 64 KiB unread (the writer blocked on it) and every thread of
    /// `pid` is asleep (`S` in /proc/PID/task/*/stat) in two looks in a row; false if the
    /// process ended first.
    static func waitUntilHeldUp(pid: Int32, stdout: FileHandle) throws -> Bool {
        var asleepBefore = false
        for _ in 0..<30_000 {
            var unread: Int32 = 0
            guard ioctl(stdout.fileDescriptor, UInt(FIONREAD), &unread) == 0 else { return false }
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            guard !tasks.isEmpty else { return false }
            let states = tasks.compactMap { task -> Substring? in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                      let end = stat.lastIndex(of: ")") else { return nil }
                return stat[stat.index(after: end)...].split(separator: " ").first
            }
            let asleep = unread >= 65_536 && states.count == tasks.count && states.allSatisfy { $0 == "S" }
            if asleep && asleepBefore { return true }
            asleepBefore = asleep
            usleep(2_000)
        }
        return false
    }
}
