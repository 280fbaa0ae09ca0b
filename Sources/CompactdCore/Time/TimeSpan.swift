/// A systemd time span (systemd.time(7)): `30d`, `1w 2d`, `2h 30min`, `90s`, `1.5h`.
///
/// compactd uses spans as calendar offsets: years and months count calendar months, weeks and
/// days count calendar days in the configured zone (so 09:00 stays 09:00 across a DST change),
/// and hours and below are added to the wall clock.
public struct TimeSpan: Hashable, Sendable, CustomStringConvertible {
    public var months: Int
    public var days: Int
    public var microseconds: Int64

    public init(months: Int = 0, days: Int = 0, microseconds: Int64 = 0) {
        self.months = months
        self.days = days
        self.microseconds = microseconds
    }

    public static let zero = TimeSpan()

    public var isZero: Bool { months == 0 && days == 0 && microseconds == 0 }

    /// An upper bound on the span's length in seconds (months as 31 days, days as 25 hours),
    /// for sizing search windows.
    public var maximumSeconds: Int64 {
        Int64(months) * 31 * 86_400 + Int64(days) * 90_000 + microseconds / 1_000_000 + 1
    }

    private static let units: [(names: [String], months: Int, microseconds: Int64)] = [
        (["years", "year", "y"], 12, 0),
        (["months", "month", "M"], 1, 0),
        (["weeks", "week", "w"], 0, 7 * 86_400_000_000),
        (["days", "day", "d"], 0, 86_400_000_000),
        (["hours", "hour", "hr", "h"], 0, 3_600_000_000),
        (["minutes", "minute", "min", "m"], 0, 60_000_000),
        (["seconds", "second", "sec", "s"], 0, 1_000_000),
        (["msec", "ms"], 0, 1000),
        (["usec", "us", "µs", "μs"], 0, 1),
    ]

    /// The longest span compactd accepts: 100 years. Longer ones are mistakes, and unbounded
    /// ones would overflow the microsecond arithmetic.
    public static let maximumDays = 36_600

    /// Parses a span. A bare number is seconds, as in systemd; `0` is zero. A leading `+` is
    /// allowed. Months and years must be whole numbers; the whole span is at most 100 years.
    public init?(parsing raw: String) {
        let span: TimeSpan?
        if raw.utf8.allSatisfy({ $0 < 0x80 }) {
            var raw = raw
            span = raw.withUTF8 { Self.parsingASCII($0) }
        } else {
            span = Self.parsingCharacters(raw)
        }
        guard let span else { return nil }
        self = span
    }

    /// The reading by Characters, for text beyond ASCII (`µs`); `parsingASCII` must answer
    /// as it does for ASCII text (a test compares the two).
    static func parsingCharacters(_ raw: String) -> TimeSpan? {
        var text = Substring(raw.trimmingSpaces)
        if text.hasPrefix("+") { text = text.dropFirst() }
        guard !text.isEmpty else { return nil }
        var months = 0
        var micro: Int64 = 0
        var sawPart = false
        while true {
            text = text.drop { $0 == " " }
            if text.isEmpty { break }
            let numberText = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !numberText.isEmpty, numberText.filter({ $0 == "." }).count <= 1,
                  numberText.first != ".", numberText.last != "."
            else { return nil }
            text = text.dropFirst(numberText.count).drop { $0 == " " }
            let unitText = text.prefix { $0.isLetter || $0 == "µ" || $0 == "μ" }
            text = text.dropFirst(unitText.count)
            let multiplier: (months: Int, microseconds: Int64)
            if unitText.isEmpty {
                multiplier = (0, 1_000_000)
            } else if let unit = Self.units.first(where: { $0.names.contains(String(unitText)) }) {
                multiplier = (unit.months, unit.microseconds)
            } else {
                return nil
            }
            let parts = numberText.split(separator: ".", omittingEmptySubsequences: false)
            guard let whole = Int64(parts[0]), whole < 1_000_000_000 else { return nil }
            if multiplier.months > 0 {
                guard parts.count == 1 else { return nil }
                months += Int(whole) * multiplier.months
            } else {
                let (product, overflow) = whole.multipliedReportingOverflow(by: multiplier.microseconds)
                guard !overflow else { return nil }
                let (sum, sumOverflow) = micro.addingReportingOverflow(product)
                guard !sumOverflow else { return nil }
                micro = sum
                if parts.count == 2 {
                    // Six digits at most: fraction × a week in microseconds stays far below Int64.max.
                    let digits = parts[1].prefix(6)
                    guard let fraction = Int64(digits) else { return nil }
                    var scale: Int64 = 1
                    for _ in 0..<digits.count { scale *= 10 }
                    micro += fraction * multiplier.microseconds / scale
                }
            }
            // Bounded on every part, so the sums above cannot overflow either.
            guard months <= 1200, micro <= Int64(Self.maximumDays) * 86_400_000_000 else { return nil }
            sawPart = true
        }
        guard sawPart else { return nil }
        let dayMicros: Int64 = 86_400_000_000
        return TimeSpan(months: months, days: Int(micro / dayMicros), microseconds: micro % dayMicros)
    }

    /// `init(parsing:)` for ASCII text, rule for rule, over its bytes: the Character-based
    /// reading cost 7% of reading 10,000 compact files, each with a few spans.
    static func parsingASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> TimeSpan? {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), dot = UInt8(ascii: ".")
        var start = 0, end = bytes.count
        while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
        while end > start, bytes[end - 1] == space || bytes[end - 1] == tab { end -= 1 }
        if start < end, bytes[start] == UInt8(ascii: "+") { start += 1 }
        guard start < end else { return nil }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        var months = 0
        var micro: Int64 = 0
        var sawPart = false
        var i = start
        while true {
            while i < end, bytes[i] == space { i += 1 }
            if i == end { break }
            let numberStart = i
            var dotAt: Int?
            while i < end, isDigit(bytes[i]) || bytes[i] == dot {
                if bytes[i] == dot {
                    guard dotAt == nil else { return nil }
                    dotAt = i
                }
                i += 1
            }
            let numberEnd = i
            guard numberEnd > numberStart, bytes[numberStart] != dot, bytes[numberEnd - 1] != dot else { return nil }
            while i < end, bytes[i] == space { i += 1 }
            let unitStart = i
            while i < end, isLetter(bytes[i]) { i += 1 }
            let multiplier: (months: Int, microseconds: Int64)
            if unitStart == i {
                multiplier = (0, 1_000_000)
            } else {
                let unitText = String(decoding: UnsafeBufferPointer(rebasing: bytes[unitStart..<i]), as: UTF8.self)
                guard let unit = units.first(where: { $0.names.contains(unitText) }) else { return nil }
                multiplier = (unit.months, unit.microseconds)
            }
            // The whole part, refused past 10 digits as Int64 parsing and the bound below would.
            let wholeEnd = dotAt ?? numberEnd
            var whole: Int64 = 0
            for j in numberStart..<wholeEnd {
                whole = whole * 10 + Int64(bytes[j] - 0x30)
                guard whole < 1_000_000_000 else { return nil }
            }
            if multiplier.months > 0 {
                guard dotAt == nil else { return nil }
                months += Int(whole) * multiplier.months
            } else {
                let (product, overflow) = whole.multipliedReportingOverflow(by: multiplier.microseconds)
                guard !overflow else { return nil }
                micro += product
                if let dotAt {
                    // Six digits at most: fraction × a week in microseconds stays far below Int64.max.
                    var fraction: Int64 = 0
                    var scale: Int64 = 1
                    for j in (dotAt + 1)..<min(numberEnd, dotAt + 7) {
                        fraction = fraction * 10 + Int64(bytes[j] - 0x30)
                        scale *= 10
                    }
                    micro += fraction * multiplier.microseconds / scale
                }
            }
            guard months <= 1200, micro <= Int64(maximumDays) * 86_400_000_000 else { return nil }
            sawPart = true
        }
        guard sawPart else { return nil }
        let dayMicros: Int64 = 86_400_000_000
        return TimeSpan(months: months, days: Int(micro / dayMicros), microseconds: micro % dayMicros)
    }

    /// A compact canonical form (`1M`, `30d`, `2h30min`, `0`), used in reminder identities so
    /// that `7d`, `1w` and `168h` name the same reminder.
    public var description: String {
        var parts: [String] = []
        if months != 0 { parts.append("\(months)M") }
        if days != 0 { parts.append("\(days)d") }
        var rest = microseconds
        for (unit, size) in [("h", Int64(3_600_000_000)), ("min", 60_000_000), ("s", 1_000_000), ("ms", 1000), ("us", 1)] {
            if rest >= size {
                parts.append("\(rest / size)\(unit)")
                rest %= size
            }
        }
        return parts.isEmpty ? "0" : parts.joined()
    }

    /// Adds the span to a wall-clock reading: months first (clamping the day), then days, then
    /// the time of day.
    public func added(to local: LocalDateTime) -> LocalDateTime {
        applied(to: local, sign: 1)
    }

    /// Subtracts the span from a wall-clock reading, the mirror of `added(to:)`.
    public func subtracted(from local: LocalDateTime) -> LocalDateTime {
        applied(to: local, sign: -1)
    }

    private func applied(to local: LocalDateTime, sign: Int) -> LocalDateTime {
        var date = local.date.adding(months: sign * months).adding(days: sign * days)
        if microseconds == 0 {
            return LocalDateTime(date: date, hour: local.hour, minute: local.minute, second: local.second, microsecond: local.microsecond)
        }
        let dayMicros: Int64 = 86_400_000_000
        let timeOfDay = Int64(local.hour * 3600 + local.minute * 60 + local.second) * 1_000_000 + Int64(local.microsecond)
        let shifted = timeOfDay + Int64(sign) * microseconds
        let dayCarry = CivilCalendar.floorDivide(shifted, dayMicros)
        let within = shifted - dayCarry * dayMicros
        date = date.adding(days: Int(dayCarry))
        let seconds = Int(within / 1_000_000)
        return LocalDateTime(date: date, hour: seconds / 3600, minute: (seconds / 60) % 60, second: seconds % 60, microsecond: Int(within % 1_000_000))
    }
}

extension String {
    /// Without the spaces and tabs at either end. By byte (both are one byte in UTF-8, never
    /// part of another character's bytes), and the text itself when there are none: by
    /// Character, reversed twice, it was three fifths of `report -o csv` (each time shown is
    /// parsed back from the report's text).
    var trimmingSpaces: String {
        let utf8 = self.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return self }
        guard let start = utf8.firstIndex(where: { !isSpace($0) }), let end = utf8.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(Substring(utf8[start...end]))
    }
}

extension TimeSpan {
    /// The span taken `factor` times: the 3rd weekly overdue notice is 3 × 7d after the due.
    public func multiplied(by factor: Int) -> TimeSpan {
        let micro = microseconds * Int64(factor)
        let dayMicros: Int64 = 86_400_000_000
        return TimeSpan(months: months * factor, days: days * factor + Int(micro / dayMicros), microseconds: micro % dayMicros)
    }
}
