import CompactdCore
import Foundation
import Testing

/// `agenda` plans on a thread of its own and writes on the calling one, the notices handed
/// over in batches of 4,096 (`PlannedNoticeBatches`), its JSON and its CSV by different
/// writers. Over 10,000 deadlines (three batches and a part, times shared by threes so that
/// ties cross batch edges) every one must be listed once, in send order, the same in both.
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
}
