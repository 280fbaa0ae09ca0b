extension CalendarSpec {
    /// systemd gives up on a search after this many rounds (its "infinite loop" safety valve).
    static let maxSearchIterations = 1000
    /// systemd does not format timestamps past 9999-12-31 23:59:59 UTC, and refuses to search
    /// from one.
    static let maxFormattableMicroseconds: Int64 = 253_402_300_799_999_999

    /// The first instant strictly after `base` at which the expression elapses, or nil when it
    /// never will (as `systemd-analyze calendar` prints "never").
    ///
    /// - Parameter localZone: the zone used when the expression names none.
    public func nextElapse(after base: Instant, localZone: ZoneInfo) -> Instant? {
        guard base.microsecondsSinceEpoch <= Self.maxFormattableMicroseconds else { return nil }
        let zone: ZoneInfo
        if let timeZone {
            guard let named = try? ZoneInfo.named(timeZone) else { return nil }
            zone = named
        } else {
            zone = localZone
        }
        let start = Instant(microsecondsSinceEpoch: base.microsecondsSinceEpoch + 1)
        var clock = WallClock(zone: zone, utc: utc, daylightSavingHint: daylightSavingHint, base: start)
        var tm = clock.brokenDown(utcSeconds: start.secondsSinceEpoch)
        var microsecondOfSecond = Int(start.microsecondOfSecond)
        guard findNext(&tm, &microsecondOfSecond, &clock) else { return nil }
        let seconds = clock.normalize(&tm)
        return Instant(secondsSinceEpoch: seconds, microseconds: Int64(microsecondOfSecond))
    }

    /// The next `count` elapses after `base`, stopping early when the expression stops.
    public func elapses(after base: Instant, count: Int, localZone: ZoneInfo) -> [Instant] {
        var result: [Instant] = []
        var cursor = base
        while result.count < count, let next = nextElapse(after: cursor, localZone: localZone) {
            result.append(next)
            cursor = next
        }
        return result
    }

    /// systemd's `find_next`: walk the fields from year down to seconds, moving to the next
    /// matching value of each, and restart whenever normalizing moved the time.
    private func findNext(_ tm: inout BrokenDownTime, _ usec: inout Int, _ clock: inout WallClock) -> Bool {
        var c = tm
        var tmUsec = usec
        for _ in 0..<Self.maxSearchIterations {
            _ = clock.normalize(&c)

            var value = c.year
            var r = matchComponent(year, isDay: false, &value, c, &clock)
            c.year = value
            if r == 1 {
                c.month = 0; c.day = 1; c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
            }
            guard let _ = r else { return false }
            if withinBounds(&c, &clock) <= 0 { return false }

            value = c.month + 1
            r = matchComponent(month, isDay: false, &value, c, &clock)
            c.month = value - 1
            if r == 1 {
                c.day = 1; c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
            }
            var bounds = r == nil ? -1 : withinBounds(&c, &clock)
            if bounds < 0 {
                c.year += 1; c.month = 0; c.day = 1; c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if bounds == 0 { continue }

            value = c.day
            r = matchComponent(day, isDay: true, &value, c, &clock)
            c.day = value
            if r == 1 {
                c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
            }
            bounds = r == nil ? -1 : withinBounds(&c, &clock)
            if bounds < 0 {
                c.month += 1; c.day = 1; c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if bounds == 0 { continue }

            if !matchesWeekday(c, &clock) {
                c.day += 1; c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }

            value = c.hour
            r = matchComponent(hour, isDay: false, &value, c, &clock)
            c.hour = value
            if r == 1 {
                c.minute = 0; c.second = 0; tmUsec = 0
            }
            bounds = r == nil ? -1 : withinBounds(&c, &clock)
            if bounds < 0 {
                c.day += 1; c.hour = 0; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if bounds == 0 { continue }

            value = c.minute
            r = matchComponent(minute, isDay: false, &value, c, &clock)
            c.minute = value
            if r == 1 {
                c.second = 0; tmUsec = 0
            }
            bounds = r == nil ? -1 : withinBounds(&c, &clock)
            if bounds < 0 {
                c.hour += 1; c.minute = 0; c.second = 0; tmUsec = 0
                continue
            }
            if bounds == 0 { continue }

            value = c.second * 1_000_000 + tmUsec
            r = matchComponent(microsecond, isDay: false, &value, c, &clock)
            tmUsec = value % 1_000_000
            c.second = value / 1_000_000
            bounds = r == nil ? -1 : withinBounds(&c, &clock)
            if bounds < 0 {
                c.minute += 1; c.second = 0; tmUsec = 0
                continue
            }
            if bounds == 0 { continue }

            tm = c
            usec = tmUsec
            return true
        }
        return false
    }

    /// The earliest value of the chain at or after `value`: nil if none, 1 if it moved, 0 if
    /// `value` already matched.
    private func matchComponent(_ chain: [CalendarComponent]?, isDay: Bool, _ value: inout Int, _ tm: BrokenDownTime, _ clock: inout WallClock) -> Int? {
        guard let chain else { return 0 }
        let fromEnd = endOfMonth && isDay
        var best: Int?
        for c in chain {
            var start = c.start
            var stop = c.stop
            if fromEnd {
                start = endOfMonthDay(tm, c.start, &clock)
                stop = endOfMonthDay(tm, c.stop, &clock)
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if best == nil || start < best! { best = start }
            } else if c.repeatInterval > 0 {
                let k = start + c.repeatInterval * ((value - start + c.repeatInterval - 1) / c.repeatInterval)
                if (best == nil || k < best!) && (stop < 0 || k <= stop) { best = k }
            }
        }
        guard let best else { return nil }
        let changed = value != best
        value = best
        return changed ? 1 : 0
    }

    /// The day of the month that is `day` days back from the month's end (1 = the last day),
    /// or -1 when that falls outside the month.
    private func endOfMonthDay(_ tm: BrokenDownTime, _ day: Int, _ clock: inout WallClock) -> Int {
        var t = tm
        t.month += 1
        t.day = 1 - day
        _ = clock.normalize(&t)
        return t.month == tm.month ? t.day : -1
    }

    /// systemd's `tm_within_bounds`: -1 when out of range or normalizing went backwards, 0
    /// when normalizing moved the time forward (`tm` is updated), 1 when it stood still.
    private func withinBounds(_ tm: inout BrokenDownTime, _ clock: inout WallClock) -> Int {
        if tm.year > Self.maxYear { return -1 }
        var t = tm
        _ = clock.normalize(&t)
        var cmp: Int
        if t.year != tm.year {
            cmp = t.year < tm.year ? -1 : 1
            t.month = 0
        } else if t.month != tm.month {
            cmp = t.month < tm.month ? -1 : 1
            t.day = 1
        } else if t.day != tm.day {
            cmp = t.day < tm.day ? -1 : 1
            t.hour = 0
        } else if t.hour != tm.hour {
            cmp = t.hour < tm.hour ? -1 : 1
            t.minute = 0
        } else if t.minute != tm.minute {
            cmp = t.minute < tm.minute ? -1 : 1
            t.second = 0
        } else {
            cmp = t.second == tm.second ? 0 : (t.second < tm.second ? -1 : 1)
        }
        if cmp < 0 { return -1 }
        if cmp > 0 { tm = t }
        return cmp == 0 ? 1 : 0
    }

    private func matchesWeekday(_ tm: BrokenDownTime, _ clock: inout WallClock) -> Bool {
        if weekdays < 0 || weekdays >= Self.allWeekdays { return true }
        var t = tm
        _ = clock.normalize(&t)
        let isoWeekday = CivilCalendar.isoWeekday(daysSinceEpoch: CivilCalendar.daysSinceEpoch(year: t.year, month: t.month + 1, day: t.day))
        return weekdays & (1 << (isoWeekday - 1)) != 0
    }
}
