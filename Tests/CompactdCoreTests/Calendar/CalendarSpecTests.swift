import CompactdCore
import Testing

@Suite("Calendar expression helpers")
struct CalendarSpecTests {
    @Test("date matching for holiday rules", arguments: [
        ("Mon *-01-15..21", "2025-01-20", true), ("Mon *-01-15..21", "2025-01-13", false),
        ("Thu *-11-22..28", "2024-11-28", true), ("*-12-25", "2030-12-25", true),
        ("*-*~01", "2024-02-29", true), ("*-*~01", "2024-02-28", false), ("*-02~03", "2024-02-27", true),
        ("*-*~7/1", "2024-02-23", true), ("*-*~7/1", "2024-02-22", false), ("2025..2026-07-04", "2027-07-04", false),
    ])
    func matchesDate(expression: String, date: String, expected: Bool) throws {
        let spec = try CalendarSpec(parsing: expression)
        #expect(spec.matchesDate(try #require(LocalDate(parsing: date))) == expected)
    }

    @Test("errors say what was wrong and what was expected")
    func errorMessage() {
        #expect(throws: CalendarSpecError.self) { try CalendarSpec(parsing: "*-13-01") }
        // The error must come: a parse that succeeded would fail here, not pass silently.
        let error = #expect(throws: CalendarSpecError.self) { try CalendarSpec(parsing: "every tuesday") }
        #expect(error?.description.contains("invalid calendar expression 'every tuesday'") == true, "\(String(describing: error))")
        #expect(error?.description.contains("expected a systemd calendar event") == true, "\(String(describing: error))")
    }
}
