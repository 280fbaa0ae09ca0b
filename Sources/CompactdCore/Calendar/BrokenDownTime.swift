/// A `struct tm` whose fields may be out of range until normalized, as systemd's calendar
/// search manipulates them: a month of 13 or a day of 32 carries into the next unit.
struct BrokenDownTime: Hashable {
    var year: Int
    /// 0...11, like `tm_mon`.
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    init(_ local: LocalDateTime) {
        self.init(year: local.date.year, month: local.date.month - 1, day: local.date.day, hour: local.hour, minute: local.minute, second: local.second)
    }

    /// Seconds since the epoch if the (possibly out-of-range) reading were UTC.
    var wallSeconds: Int64 {
        CivilCalendar.daysSinceEpoch(year: year, month: month + 1, day: day) * 86_400
            + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }
}

/// mktime(3) and timegm(3) for the calendar search, reading wall-clock times in one zone.
///
/// glibc's mktime, asked about a wall-clock time that occurs twice, answers with the offset
/// it used last; systemd's search relies on that, so the emulation keeps the same memory.
struct WallClock {
    let zone: ZoneInfo
    let utc: Bool
    let daylightSavingHint: Int
    var lastOffset: Int

    init(zone: ZoneInfo, utc: Bool, daylightSavingHint: Int, base: Instant) {
        self.zone = zone
        self.utc = utc
        self.daylightSavingHint = daylightSavingHint
        self.lastOffset = utc ? 0 : zone.utcOffset(atUTCSeconds: base.secondsSinceEpoch)
    }

    /// The local reading of an instant (localtime_r / gmtime_r).
    func brokenDown(utcSeconds: Int64) -> BrokenDownTime {
        let offset = utc ? 0 : zone.utcOffset(atUTCSeconds: utcSeconds)
        return BrokenDownTime(LocalDateTime(utcSeconds: utcSeconds + Int64(offset)))
    }

    /// Normalizes `tm` in place and returns the instant it names, as mktime(3) does.
    mutating func normalize(_ tm: inout BrokenDownTime) -> Int64 {
        let wall = tm.wallSeconds
        if utc {
            tm = BrokenDownTime(LocalDateTime(utcSeconds: wall))
            return wall
        }
        var t: Int64
        switch zone.resolve(wallSeconds: wall) {
        case .unique(let u, _):
            t = u
        case .ambiguous(let earlier, let earlierOffset, let later, let laterOffset):
            if daylightSavingHint >= 0 {
                let earlierIsDST = zone.localTimeType(atUTCSeconds: earlier).isDaylightSaving
                t = (earlierIsDST == (daylightSavingHint == 1)) ? earlier : later
            } else if laterOffset == lastOffset && earlierOffset != lastOffset {
                t = later
            } else {
                t = earlier
            }
        case .gap(let shifted, _, _):
            t = shifted
        }
        if daylightSavingHint >= 0 {
            let type = zone.localTimeType(atUTCSeconds: t)
            if type.isDaylightSaving != (daylightSavingHint == 1),
               let other = nearestOffset(to: t, daylightSaving: daylightSavingHint == 1) {
                // mktime with a contradicting tm_isdst reads the time with the other offset.
                t += Int64(type.utcOffsetSeconds - other)
            }
        }
        let offset = zone.utcOffset(atUTCSeconds: t)
        lastOffset = offset
        tm = BrokenDownTime(LocalDateTime(utcSeconds: t + Int64(offset)))
        return t
    }

    /// The offset of the nearest time (within about a year) whose daylight-saving flag is the
    /// one asked for.
    private func nearestOffset(to t: Int64, daylightSaving: Bool) -> Int? {
        var step: Int64 = 86_400 * 7
        while step <= 86_400 * 400 {
            for probe in [t - step, t + step] {
                let type = zone.localTimeType(atUTCSeconds: probe)
                if type.isDaylightSaving == daylightSaving { return type.utcOffsetSeconds }
            }
            step += 86_400 * 7
        }
        return nil
    }
}
