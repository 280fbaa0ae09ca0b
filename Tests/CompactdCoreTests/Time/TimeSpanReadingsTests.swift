@testable import CompactdCore
import CompactdTestSupport
import Testing

/// `TimeSpan(parsing:)` reads ASCII text over its bytes (`parsingASCII`) and anything else by
/// Characters (`parsingCharacters`, the original reading, which the systemd oracle tests
/// check). The two must agree on every ASCII text, refusals included.
@Suite("time spans: the byte reading agrees with the Character reading")
struct TimeSpanReadingsTests {
    /// Pieces spans are made of, valid and not: numbers with and without fractions, every
    /// unit name, near-misses, spaces, tabs, signs and stray characters.
    static let pieces = [
        "0", "1", "7", "30", "45", "90", "0007", "999999999", "1000000000", "1.5", "0.25", "1.", ".5", "1..2", "1.1234567",
        "d", "day", "days", "w", "week", "weeks", "h", "hr", "hour", "hours", "min", "m", "minute", "minutes",
        "s", "sec", "second", "seconds", "ms", "msec", "us", "usec", "M", "month", "months", "y", "year", "years",
        "D", "dd", "mins", "x", " ", " ", "  ", "\t", "+", "-", "_", ",", "\r",
    ]

    @Test("20,000 generated texts read the same both ways")
    func agree() {
        var random = SeededGenerator(seed: 16)
        var accepted = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                text += Self.pieces.randomElement(using: &random)!
            }
            let bytes = text.utf8.withContiguousStorageIfAvailable { TimeSpan.parsingASCII($0) } ?? Array(text.utf8).withUnsafeBufferPointer { TimeSpan.parsingASCII($0) }
            let characters = TimeSpan.parsingCharacters(text)
            #expect(bytes == characters, "'\(text)': bytes \(bytes.map(\.description) ?? "refused"), characters \(characters.map(\.description) ?? "refused")")
            if characters != nil { accepted += 1 }
        }
        // Both kinds are exercised: a generator that only made refusals would prove little.
        #expect(accepted > 1_000)
        #expect(accepted < 18_000)
    }
}
