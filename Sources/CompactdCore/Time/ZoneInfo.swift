#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A time zone read from the system's tz database (TZif files under `/usr/share/zoneinfo`),
/// the same data glibc's localtime(3) and mktime(3) use, so compactd agrees with systemd.
///
/// Lookups are a binary search over the explicit transitions, then the file's POSIX rule for
/// instants after the last one: cheap enough to convert millions of times a second.
public struct ZoneInfo: Sendable, Hashable, CustomStringConvertible {
    public let identifier: String
    let transitions: [Int64]
    let transitionTypes: [Int]
    let types: [LocalTimeType]
    let footer: POSIXZoneRule?

    public var description: String { identifier }

    /// Coordinated Universal Time, built in: it needs no file.
    public static let utc = ZoneInfo(
        identifier: "UTC",
        transitions: [],
        transitionTypes: [],
        types: [LocalTimeType(utcOffsetSeconds: 0, isDaylightSaving: false, abbreviation: "UTC")],
        footer: nil
    )

    init(identifier: String, transitions: [Int64], transitionTypes: [Int], types: [LocalTimeType], footer: POSIXZoneRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.footer = footer
    }

    /// True when local time is UTC all year (what systemd calls "in UTC timezone").
    public var isUTC: Bool {
        types.allSatisfy { $0.utcOffsetSeconds == 0 && !$0.isDaylightSaving }
            && (footer.map { $0.daylight == nil && $0.standard.utcOffsetSeconds == 0 } ?? true)
    }

    /// The local time type in force at an instant.
    public func localTimeType(atUTCSeconds t: Int64) -> LocalTimeType {
        if transitions.isEmpty || t < transitions[0] {
            if transitions.isEmpty, let footer { return footer.localTimeType(at: t) }
            return types[0]
        }
        if t >= transitions[transitions.count - 1], let footer {
            return footer.localTimeType(at: t)
        }
        // Last transition at or before t.
        var low = 0, high = transitions.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if transitions[mid] <= t { low = mid } else { high = mid - 1 }
        }
        return types[transitionTypes[low]]
    }

    public func utcOffset(atUTCSeconds t: Int64) -> Int {
        localTimeType(atUTCSeconds: t).utcOffsetSeconds
    }

    /// The wall-clock reading at an instant.
    public func localDateTime(at instant: Instant) -> LocalDateTime {
        let seconds = instant.secondsSinceEpoch
        return LocalDateTime(
            utcSeconds: seconds + Int64(utcOffset(atUTCSeconds: seconds)),
            microsecond: Int(instant.microsecondOfSecond)
        )
    }

    /// Which instants show a wall-clock reading, given as seconds since the epoch read as UTC.
    ///
    /// Assumes transitions are more than two days apart, which holds for every zone in use.
    public func resolve(wallSeconds wall: Int64) -> WallClockResolution {
        let before = utcOffset(atUTCSeconds: wall - 86_400)
        let after = utcOffset(atUTCSeconds: wall + 86_400)
        let first = wall - Int64(before)
        let firstValid = utcOffset(atUTCSeconds: first) == before
        if before == after {
            if firstValid { return .unique(utcSeconds: first, offset: before) }
            // A transition and its reversal within two days: fall back to the offset found there.
            let actual = utcOffset(atUTCSeconds: first)
            return .unique(utcSeconds: wall - Int64(actual), offset: actual)
        }
        let second = wall - Int64(after)
        let secondValid = utcOffset(atUTCSeconds: second) == after
        switch (firstValid, secondValid) {
        case (true, true):
            let (e, eo, l, lo) = first <= second ? (first, before, second, after) : (second, after, first, before)
            return e == l ? .unique(utcSeconds: e, offset: eo) : .ambiguous(earlier: e, earlierOffset: eo, later: l, laterOffset: lo)
        case (true, false): return .unique(utcSeconds: first, offset: before)
        case (false, true): return .unique(utcSeconds: second, offset: after)
        case (false, false): return .gap(shiftedUTCSeconds: first, offsetBefore: before, offsetAfter: after)
        }
    }

    /// The instant a wall-clock reading names. In the repeated hour it takes the earlier
    /// instant; in the skipped hour it moves forward by the gap (02:30 becomes 03:30), so a
    /// 09:00 reminder stays at 09:00 and one in a gap is late rather than lost.
    public func instant(for local: LocalDateTime) -> Instant {
        let seconds: Int64
        switch resolve(wallSeconds: local.secondsAsIfUTC) {
        case .unique(let t, _): seconds = t
        case .ambiguous(let earlier, _, _, _): seconds = earlier
        case .gap(let shifted, _, _): seconds = shifted
        }
        return Instant(secondsSinceEpoch: seconds, microseconds: Int64(local.microsecond))
    }

    public static func == (lhs: ZoneInfo, rhs: ZoneInfo) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}

extension ZoneInfo {
    /// The zone's standard and daylight abbreviations, as glibc's `tzname` after tzset(3):
    /// from the POSIX rule when the file has one, else from the last types used.
    public var abbreviations: (standard: String, daylight: String) {
        if let footer {
            let std = footer.standard.abbreviation
            return (std, footer.daylight?.abbreviation ?? std)
        }
        var std: String?
        var dst: String?
        for index in transitionTypes.reversed() {
            let type = types[index]
            if type.isDaylightSaving { if dst == nil { dst = type.abbreviation } } else if std == nil { std = type.abbreviation }
            if std != nil && dst != nil { break }
        }
        let standard = std ?? types[0].abbreviation
        return (standard, dst ?? standard)
    }
}
