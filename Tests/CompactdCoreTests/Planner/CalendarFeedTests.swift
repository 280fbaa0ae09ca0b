import CompactdCore
import Testing

/// The calendar feed, planned a slice (31 days) at a time: the events of a window across
/// several slices, in calendar order, each once, worked out by hand from the configuration.
@Suite("Calendar feed")
struct CalendarFeedTests {
    typealias F = PlannerFixture

    @Test("a window of four slices: kickoffs slices before their steps, one after the window's end, one before its start left out")
    func slicesInOrder() {
        let c = F.configuration([
            // Its one step falls due 75 days after the cycle starts: the kickoff (May 1) is two
            // slices before the step (July 15).
            F.compact("a", cycles: [F.cycle("summer", calendar: "*-05-01 09:00", steps: [F.step("late", due: "75d")])]),
            // Monthly at midnight, its step due then: each kickoff is nine hours after its step,
            // and August's falls after the window's end (05:00), on the day its step is in it.
            F.compact("b", cycles: [F.cycle("monthly", calendar: "*-*-01 00:00", steps: [F.step("start")])]),
            // Started before the window: its step is in it, its kickoff is not.
            F.compact("c", cycles: [F.cycle("yearly", calendar: "*-04-10 09:00", steps: [F.step("review", due: "30d")])]),
        ])
        let feed = CalendarFeed(configuration: c, acknowledgments: [:], from: F.at("2027-04-20 00:00"), to: F.at("2027-08-01 05:00"), compactID: nil)
        let events = feed.map { "\(F.local($0.start)) \($0.uid)" }
        #expect(events == [
            "2027-05-01 00:00:00 b/monthly/2027-05-01/start@compactd",
            "2027-05-01 09:00:00 cycle-start:a/summer/2027-05-01@compactd",
            "2027-05-01 09:00:00 cycle-start:b/monthly/2027-05-01@compactd",
            "2027-05-10 09:00:00 c/yearly/2027-04-10/review@compactd",
            "2027-06-01 00:00:00 b/monthly/2027-06-01/start@compactd",
            "2027-06-01 09:00:00 cycle-start:b/monthly/2027-06-01@compactd",
            "2027-07-01 00:00:00 b/monthly/2027-07-01/start@compactd",
            "2027-07-01 09:00:00 cycle-start:b/monthly/2027-07-01@compactd",
            "2027-07-15 09:00:00 a/summer/2027-05-01/late@compactd",
            "2027-08-01 00:00:00 b/monthly/2027-08-01/start@compactd",
            "2027-08-01 09:00:00 cycle-start:b/monthly/2027-08-01@compactd",
        ])
        // One compact's feed: the same events, the others' left out.
        let a = CalendarFeed(configuration: c, acknowledgments: [:], from: F.at("2027-04-20 00:00"), to: F.at("2027-08-01 05:00"), compactID: "a")
        #expect(a.map(\.uid) == ["cycle-start:a/summer/2027-05-01@compactd", "a/summer/2027-05-01/late@compactd"])
        // An empty window: nothing, and the iterator stays ended.
        var none = CalendarFeed(configuration: c, acknowledgments: [:], from: F.at("2027-04-20 00:00"), to: F.at("2027-04-20 00:00"), compactID: nil).makeIterator()
        #expect(none.next()?.uid == nil)
        #expect(none.next()?.uid == nil)
    }
}
