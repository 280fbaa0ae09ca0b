/// A point on the UTC time line, in microseconds since the Unix epoch.
///
/// Microseconds, because that is systemd's `usec_t` and calendar expressions may carry
/// fractional seconds; an `Int64` of them spans ±292,000 years.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64, microseconds: Int64 = 0) {
        self.microsecondsSinceEpoch = secondsSinceEpoch * 1_000_000 + microseconds
    }

    /// Whole seconds, rounded towards negative infinity.
    public var secondsSinceEpoch: Int64 { CivilCalendar.floorDivide(microsecondsSinceEpoch, 1_000_000) }

    /// The microseconds within the second, 0..<1_000_000.
    public var microsecondOfSecond: Int64 { CivilCalendar.floorModulo(microsecondsSinceEpoch, 1_000_000) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public func adding(microseconds: Int64) -> Instant {
        Instant(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }

    public func adding(seconds: Int64) -> Instant {
        adding(microseconds: seconds * 1_000_000)
    }

    /// This instant if it falls on a whole minute, else the next whole minute. A snooze given as
    /// a span ("--for 1m" at 04:47:40) ends on a minute, so that the time every listing shows
    /// ("until 04:49") is the time the daemon sends, not 04:48 for a notice sent at 04:48:40.
    public var roundedUpToMinute: Instant {
        let minute: Int64 = 60_000_000
        let over = CivilCalendar.floorModulo(microsecondsSinceEpoch, minute)
        return over == 0 ? self : Instant(microsecondsSinceEpoch: microsecondsSinceEpoch - over + minute)
    }

    /// RFC 3339 in UTC, e.g. `2024-03-11T09:30:00Z` (fractional seconds only when present).
    public var description: String { rfc3339UTC }

    public var rfc3339UTC: String {
        let local = LocalDateTime(utcSeconds: secondsSinceEpoch, microsecond: Int(microsecondOfSecond))
        return local.rfc3339(offsetSeconds: 0)
    }
}
