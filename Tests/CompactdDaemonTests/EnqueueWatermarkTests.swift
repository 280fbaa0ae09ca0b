import CompactdCore
@testable import CompactdDaemon
import Testing

@Suite("Enqueue watermark")
struct EnqueueWatermarkTests {
    static let through = Instant(secondsSinceEpoch: 1_750_000_000)
    static let next = through.adding(seconds: 3_600)
    static let ack = StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: through)
    static let mark = EnqueueWatermark(through: through, state: PlannerState(acknowledgments: [ack]), nextPlanned: next)

    @Test("the same acknowledgments and snoozes, later: plan from the mark, and its next notice while it is ahead")
    func sameState() {
        let state = PlannerState(acknowledgments: [Self.ack])
        #expect(Self.mark.since(state: state, now: Self.through.adding(seconds: 60)) == Self.through)
        #expect(Self.mark.since(state: state, now: Self.through) == Self.through)
        #expect(Self.mark.knownNextPlanned(state: state, now: Self.through) == Self.next)
        #expect(Self.mark.knownNextPlanned(state: state, now: Self.next.adding(microseconds: -1)) == Self.next)
    }

    @Test("at or past the next notice, or nothing found ahead: the next notice is looked for again")
    func nextNoLongerKnown() {
        let state = PlannerState(acknowledgments: [Self.ack])
        #expect(Self.mark.knownNextPlanned(state: state, now: Self.next) == nil)
        #expect(Self.mark.knownNextPlanned(state: state, now: Self.next.adding(seconds: 1)) == nil)
        let nothingAhead = EnqueueWatermark(through: Self.through, state: state, nextPlanned: nil)
        #expect(nothingAhead.knownNextPlanned(state: state, now: Self.through.adding(seconds: 60)) == nil)
        #expect(nothingAhead.since(state: state, now: Self.through.adding(seconds: 60)) == Self.through)
    }

    @Test("an acknowledgment or snooze added or taken back, or the clock before the mark: look back and ahead fully")
    func changed() {
        let later = Self.through.adding(seconds: 60)
        #expect(Self.mark.since(state: .empty, now: later) == nil)
        #expect(Self.mark.knownNextPlanned(state: .empty, now: later) == nil)
        let snooze = StepSnooze(stepKey: "bell/summer/2025-05-01/review", at: Self.through, until: later)
        let snoozed = PlannerState(acknowledgments: [Self.ack], snoozes: [snooze])
        #expect(Self.mark.since(state: snoozed, now: later) == nil)
        #expect(Self.mark.knownNextPlanned(state: snoozed, now: later) == nil)
        let before = Self.through.adding(seconds: -1)
        #expect(Self.mark.since(state: PlannerState(acknowledgments: [Self.ack]), now: before) == nil)
        #expect(Self.mark.knownNextPlanned(state: PlannerState(acknowledgments: [Self.ack]), now: before) == nil)
    }
}
