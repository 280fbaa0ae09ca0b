/// The POSIX `TZ` rule in a TZif footer (e.g. `PST8PDT,M3.2.0,M11.1.0`): how local time behaves
/// after the file's last explicit transition.
struct POSIXZoneRule: Hashable, Sendable {
    /// When daylight-saving time starts or ends within a year.
    enum DayRule: Hashable, Sendable {
        /// `Jn`: day n of the year, 1...365, never counting February 29.
        case julianNoLeap(Int)
        /// `n`: zero-based day of the year, 0...365, counting February 29.
        case zeroBasedDay(Int)
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Transition: Hashable, Sendable {
        var day: DayRule
        /// Seconds after local midnight; may be negative or past 24 h.
        var secondsOfDay: Int
    }

    var standard: LocalTimeType
    var daylight: LocalTimeType?
    var start: Transition?
    var end: Transition?

    /// Parses a POSIX TZ string; nil when it is not one this reader understands.
    init?(_ text: String) {
        var scanner = POSIXZoneRuleScanner(Array(text.utf8))
        guard let stdName = scanner.name(), let stdOffset = scanner.offset() else { return nil }
        standard = LocalTimeType(utcOffsetSeconds: -stdOffset, isDaylightSaving: false, abbreviation: stdName)
        if scanner.atEnd {
            daylight = nil
            return
        }
        guard let dstName = scanner.name() else { return nil }
        var dstOffset = -stdOffset + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
            guard let explicit = scanner.offset() else { return nil }
            dstOffset = -explicit
        }
        daylight = LocalTimeType(utcOffsetSeconds: dstOffset, isDaylightSaving: true, abbreviation: dstName)
        guard scanner.consume(","), let s = scanner.transition(),
              scanner.consume(","), let e = scanner.transition(), scanner.atEnd
        else { return nil }
        start = s
        end = e
    }

    /// The local time type in force at `utcSeconds`.
    func localTimeType(at utcSeconds: Int64) -> LocalTimeType {
        guard let daylight, let start, let end else { return standard }
        let year = LocalDateTime(utcSeconds: utcSeconds + Int64(standard.utcOffsetSeconds)).date.year
        // Evaluate the neighbouring years too, so an instant near New Year sees the right rule.
        for y in [year - 1, year, year + 1] {
            let dstStart = Self.instant(of: start, year: y, offset: standard.utcOffsetSeconds)
            let dstEnd = Self.instant(of: end, year: y, offset: daylight.utcOffsetSeconds)
            if dstStart < dstEnd {
                if utcSeconds >= dstStart && utcSeconds < dstEnd { return daylight }
            } else if y == year {
                // Southern hemisphere: daylight time spans New Year.
                if utcSeconds < dstEnd || utcSeconds >= dstStart { return daylight }
            }
        }
        return standard
    }

    /// The UTC instant of a transition in `year`, read in the local time whose offset is given.
    static func instant(of transition: Transition, year: Int, offset: Int) -> Int64 {
        let day: Int64
        switch transition.day {
        case .julianNoLeap(let n):
            var d = CivilCalendar.daysSinceEpoch(year: year, month: 1, day: 1) + Int64(n - 1)
            if CivilCalendar.isLeapYear(year) && n >= 60 { d += 1 }
            day = d
        case .zeroBasedDay(let n):
            day = CivilCalendar.daysSinceEpoch(year: year, month: 1, day: 1) + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilCalendar.daysSinceEpoch(year: year, month: month, day: 1)
            let firstWeekday = CivilCalendar.isoWeekday(daysSinceEpoch: first) % 7  // 0 = Sunday
            var dayOfMonth = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = CivilCalendar.daysInMonth(year: year, month: month)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first + Int64(dayOfMonth - 1)
        }
        return day * 86_400 + Int64(transition.secondsOfDay) - Int64(offset)
    }
}

/// A byte cursor over a POSIX TZ string.
private struct POSIXZoneRuleScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    mutating func consume(_ character: Character) -> Bool {
        guard let p = peek, p == character.asciiValue else { return false }
        index += 1
        return true
    }

    /// An abbreviation: letters, or anything between `<` and `>`.
    mutating func name() -> String? {
        if consume("<") {
            let begin = index
            while let p = peek, p != UInt8(ascii: ">") { index += 1 }
            let name = String(decoding: bytes[begin..<index], as: UTF8.self)
            return consume(">") && !name.isEmpty ? name : nil
        }
        let begin = index
        while let p = peek, (p >= 65 && p <= 90) || (p >= 97 && p <= 122) { index += 1 }
        return index - begin >= 3 ? String(decoding: bytes[begin..<index], as: UTF8.self) : nil
    }

    /// `[+-]hh[:mm[:ss]]` in seconds.
    mutating func offset() -> Int? {
        var sign = 1
        if consume("-") { sign = -1 } else { _ = consume("+") }
        guard let hours = number() else { return nil }
        var total = hours * 3600
        if consume(":") {
            guard let minutes = number() else { return nil }
            total += minutes * 60
            if consume(":") {
                guard let seconds = number() else { return nil }
                total += seconds
            }
        }
        return sign * total
    }

    mutating func number() -> Int? {
        let begin = index
        while let p = peek, p >= 48 && p <= 57 { index += 1 }
        guard index > begin else { return nil }
        return Int(String(decoding: bytes[begin..<index], as: UTF8.self))
    }

    mutating func transition() -> POSIXZoneRule.Transition? {
        let day: POSIXZoneRule.DayRule
        if consume("M") {
            guard let m = number(), consume("."), let w = number(), consume("."), let d = number(),
                  (1...12).contains(m), (1...5).contains(w), (0...6).contains(d)
            else { return nil }
            day = .monthWeekDay(month: m, week: w, weekday: d)
        } else if consume("J") {
            guard let n = number(), (1...365).contains(n) else { return nil }
            day = .julianNoLeap(n)
        } else {
            guard let n = number(), (0...365).contains(n) else { return nil }
            day = .zeroBasedDay(n)
        }
        var seconds = 7200
        if consume("/") {
            guard let t = offset() else { return nil }
            seconds = t
        }
        return POSIXZoneRule.Transition(day: day, secondsOfDay: seconds)
    }
}
