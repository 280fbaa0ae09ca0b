@testable import CompactdCore
import Testing

/// `Planner.orderedBySendTime` places notices by counting per time, remembering the last 16
/// times it saw: it must be the stable sort by send time, however many times there are and
/// however they repeat.
@Suite("Planner send order")
struct SendOrderTests {
    @Test("equals a stable sort by send time (ties in planned order), for 1 to 60 distinct times in runs and at random", arguments: [1, 2, 15, 16, 17, 60])
    func stableSort(distinctTimes: Int) {
        var random = SystemRandomNumberGenerator()
        let step = StepOccurrence(compactID: "bell", cycleID: "c", occurrence: LocalDate(daysSinceEpoch: 20_000), stepID: "s", stepTitle: "S",
                                  dueAt: Instant(secondsSinceEpoch: 0), dueLocal: LocalDateTime(utcSeconds: 0))
        let times = (0..<distinctTimes).map { _ in Instant(secondsSinceEpoch: Int64.random(in: 0..<1_000_000, using: &random)) }
        for pattern in ["runs", "random"] {
            let notices = (0..<3_000).map { i in
                let time = pattern == "runs" ? times[(i / 3) % times.count] : times.randomElement(using: &random)!
                // The recipient numbers each notice, to see where it went.
                return PlannedNotice(step: step, kind: .reminder(lead: TimeSpan(parsing: "0")!), recipient: Recipient(channelID: "n\(i)"), sendAt: time)
            }
            let expected = notices.enumerated().sorted { ($0.element.sendAt, $0.offset) < ($1.element.sendAt, $1.offset) }.map(\.element.recipient)
            #expect(Planner.orderedBySendTime(notices).map(\.recipient) == expected, "\(pattern), \(distinctTimes) times")
        }
    }
}
