import CompactdCore
@testable import CompactdDaemon
import Testing

@Suite("Enqueue watermark")
struct EnqueueWatermarkTests {
    static let through = Instant(secondsSinceEpoch: 1_750_000_000)
    static let ack = StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: through)

    @Test("the same acknowledgments and snoozes, later: plan from the mark")
    func sameState() {
        let mark = EnqueueWatermark(through: Self.through, state: PlannerState(acknowledgments: [Self.ack]))
        #expect(mark.since(state: PlannerState(acknowledgments: [Self.ack]), now: Self.through.adding(seconds: 60)) == Self.through)
        #expect(mark.since(state: PlannerState(acknowledgments: [Self.ack]), now: Self.through) == Self.through)
    }

    @Test("an acknowledgment or snooze added or taken back, or the clock before the mark: look back fully")
    func changed() {
        let mark = EnqueueWatermark(through: Self.through, state: PlannerState(acknowledgments: [Self.ack]))
        let later = Self.through.adding(seconds: 60)
        #expect(mark.since(state: .empty, now: later) == nil)
        let snooze = StepSnooze(stepKey: "bell/summer/2025-05-01/review", at: Self.through, until: later)
        #expect(mark.since(state: PlannerState(acknowledgments: [Self.ack], snoozes: [snooze]), now: later) == nil)
        #expect(mark.since(state: PlannerState(acknowledgments: [Self.ack]), now: Self.through.adding(seconds: -1)) == nil)
    }
}
