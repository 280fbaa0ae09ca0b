import CompactdCore
import CompactdDelivery
import Testing

/// A notice's snapshot lists the commitments its step names, or all of the compact's when it
/// names none: for cycle steps and deadlines alike, among many deadlines.
@Suite("Snapshot commitments")
struct NoticeSnapshotCommitmentsTests {
    @Test("each step's named commitments, by title; all when it names none")
    func namedCommitments() throws {
        let secondCommitment = "[[commitments]]\nid = \"parks\"\ntitle = \"Joint use of parks\"\n"
        let fillers = (0..<40).map { "[[deadlines]]\nid = \"filler-\($0)\"\ntitle = \"Filler \($0)\"\ndue = 2025-03-14T09:00:00\ncommitments = [\"traffic-safety\"]\n" }
        let extra = """
            [[deadlines]]
            id = "parks-report"
            title = "Parks report"
            due = 2025-03-14T09:00:00
            commitments = ["parks"]

            \(fillers.joined(separator: "\n"))

            [[cycles]]
            id = "quarterly"
            title = "Quarterly check-in"
            calendar = "*-01,04,07,10-01 09:00"

            [[cycles.steps]]
            id = "check-in"
            title = "Check in"
            due = "+10d"
            commitments = ["parks", "traffic-safety"]

            [[cycles.steps]]
            id = "summary"
            title = "Summary"
            due = "+20d"
            """
        let fixture = try DeliveryFixture(channels: "[channels.district-log]\ntype = \"log\"", notify: ["district-log"], contacts: secondCommitment, extraDeadlines: extra)
        defer { fixture.remove() }
        let traffic = "Crossing guards and other traffic safety improvements"
        let parks = "Joint use of parks"
        // Written out from the TOML above, in the compact's order of commitments.
        var expected = ["board-report": [traffic, parks], "parks-report": [parks], "check-in": [traffic, parks], "summary": [traffic, parks]]
        for n in 0..<40 { expected["filler-\(n)"] = [traffic] }

        let builder = NoticeSnapshotBuilder(configuration: fixture.configuration)
        let start = fixture.clock.now.adding(seconds: -400 * 86_400)
        let notices = Planner(configuration: fixture.configuration).plan(from: start, to: start.adding(seconds: 800 * 86_400))
        var seen = Set<String>()
        for notice in notices {
            let snapshot = builder.snapshot(for: notice)
            #expect(snapshot.commitments == expected[snapshot.stepID], "\(notice.id)")
            seen.insert(snapshot.stepID)
        }
        #expect(seen == Set(expected.keys))
    }
}
