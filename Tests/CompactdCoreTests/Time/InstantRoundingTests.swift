import CompactdCore
import Testing

@Suite("Instant.roundedUpToMinute")
struct InstantRoundingTests {
    @Test("a whole minute stays; anything past it goes to the next one; before 1970 too", arguments: [
        // (microseconds since the epoch, expected), the expected values worked by hand.
        (0, 0),
        (60_000_000, 60_000_000),
        (60_000_001, 120_000_000),
        (119_999_999, 120_000_000),
        (1_796_190_420_000_000 + 40_000_000, 1_796_190_480_000_000),
        (-1, 0),
        (-60_000_001, -60_000_000),
    ] as [(Int64, Int64)])
    func rounding(microseconds: Int64, expected: Int64) {
        #expect(Instant(microsecondsSinceEpoch: microseconds).roundedUpToMinute.microsecondsSinceEpoch == expected)
    }
}
