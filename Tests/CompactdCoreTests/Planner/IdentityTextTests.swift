import CompactdCore
import Testing

/// A step occurrence's key and a notice's id, written byte by byte into their storage, against
/// the parts joined with "/" by the standard library, for ASCII and non-ASCII parts and empty
/// ones (the text's length is counted in UTF-8 bytes, not characters).
@Suite("Step keys and notice ids")
struct IdentityTextTests {
    static let parts = ["bell", "", "city-000123", "summer-reengagement", "día", "e\u{301}", "🏫-school", "deadline", String(repeating: "x", count: 70)]

    @Test("keys and ids are their parts joined with '/'")
    func joined() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let (compact, cycle, stepID) = (Self.parts.randomElement(using: &generator)!, Self.parts.randomElement(using: &generator)!, Self.parts.randomElement(using: &generator)!)
            let date = LocalDate(year: Int.random(in: 1...9999, using: &generator), month: Int.random(in: 1...12, using: &generator), day: Int.random(in: 1...28, using: &generator))
            let step = StepOccurrence(compactID: compact, cycleID: cycle, occurrence: date, stepID: stepID, stepTitle: "t", dueAt: Instant(secondsSinceEpoch: 0), dueLocal: LocalDateTime(utcSeconds: 0))
            let key = [compact, cycle, date.description, stepID].joined(separator: "/")
            #expect(step.key == key)
            #expect(Array(step.key.utf8) == Array(key.utf8))
            let contact = Bool.random(using: &generator) ? Self.parts.randomElement(using: &generator)! : nil
            let recipient = Recipient(channelID: Self.parts.randomElement(using: &generator)!, contactID: contact)
            let kind = Self.parts.randomElement(using: &generator)!
            let id = PlannedNotice.id(stepKey: key, kind: kind, recipient: recipient)
            #expect(Array(id.utf8) == Array([key, kind, recipient.description].joined(separator: "/").utf8))
        }
    }
}
