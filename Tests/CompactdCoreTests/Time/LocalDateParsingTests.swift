import CompactdCore
import Foundation
import Testing

/// `YYYY-MM-DD` as configuration files, `compactctl ack --occurrence` and stored timestamps
/// write it; nothing else.
@Suite("Local date parsing")
struct LocalDateParsingTests {
    @Test("real dates parse", arguments: ["2024-02-29", "2025-12-31", "0000-01-01", "9999-12-31", "2026-11-29"])
    func valid(text: String) throws {
        let date = try #require(LocalDate(parsing: text))
        #expect(date.description == text)
    }

    @Test("impossible dates and other shapes are refused", arguments: [
        "2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-01-00", "2025-1-01", "2025-01-1", "25-01-01",
        "+123-01-01", "2025/01/01", "2025-01-01T09:00", " 2025-01-01", "2025-01-01 ", "２０２５-01-01", "", "abcd-ef-gh",
    ])
    func invalid(text: String) {
        #expect(LocalDate(parsing: text) == nil)
    }

    /// Every 13th day from year 0 to 9999 (each month, day and digit position), written as
    /// printf's `%04d-%02d-%02d` writes it; years outside 0...9999 keep the padded form.
    @Test("description is YYYY-MM-DD as printf writes it")
    func description() {
        var days = CivilCalendar.daysSinceEpoch(year: 0, month: 1, day: 1)
        let last = CivilCalendar.daysSinceEpoch(year: 9999, month: 12, day: 31)
        var checked = 0
        while days <= last {
            let date = LocalDate(daysSinceEpoch: days)
            let expected = String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
            if date.description != expected {
                Issue.record("\(date.year) \(date.month) \(date.day): \(date.description), expected \(expected)")
                return
            }
            days += 13
            checked += 1
        }
        #expect(checked > 280_000)
        #expect(LocalDate(year: 10_000, month: 1, day: 2).description == "10000-01-02")
        #expect(LocalDate(year: -1, month: 3, day: 5).description == "-0001-03-05")
    }

    @Test("from parts: only dates that exist, years 0 to 9999")
    func parts() {
        #expect(LocalDate(validatingYear: 2024, month: 2, day: 29) == LocalDate(year: 2024, month: 2, day: 29))
        #expect(LocalDate(validatingYear: 2023, month: 2, day: 29) == nil)
        #expect(LocalDate(validatingYear: 10_000, month: 1, day: 1) == nil)
        #expect(LocalDate(validatingYear: -1, month: 1, day: 1) == nil)
        #expect(LocalDate(validatingYear: 2025, month: 12, day: 32) == nil)
    }
}
