extension CalendarSpec {
    /// Parses an expression as `systemd-analyze calendar` does.
    ///
    /// - Parameter localZone: the zone the expression is read in when it names none; its
    ///   standard and daylight abbreviations (`PST`, `PDT`) are accepted as a suffix.
    public init(parsing text: String, localZone: ZoneInfo = .utc) throws(CalendarSpecError) {
        func fail(_ reason: String) -> CalendarSpecError {
            CalendarSpecError(expression: text, reason: reason)
        }
        self.init()
        var body = text
        if let stripped = Self.strippingSuffix(body, " UTC") {
            utc = true
            body = stripped
        } else {
            let names = localZone.abbreviations
            var matched = false
            for (index, name) in [names.standard, names.daylight].enumerated() where !name.isEmpty && !matched {
                if let stripped = Self.strippingSuffix(body, " " + name) {
                    daylightSavingHint = index
                    hintAbbreviation = name
                    body = stripped
                    matched = true
                }
            }
            if !matched, let space = body.lastIndex(of: " ") {
                let candidate = String(body[body.index(after: space)...])
                if Self.isValidZoneName(candidate) {
                    timeZone = candidate
                    body = String(body[..<space])
                }
            }
        }
        guard !body.isEmpty else { throw fail("empty expression") }

        var parser = CalendarSpecParser(Array(body.utf8))
        switch body.lowercased() {
        case "minutely":
            microsecond = [CalendarComponent(start: 0)]
        case "hourly":
            minute = [CalendarComponent(start: 0)]
            microsecond = [CalendarComponent(start: 0)]
        case "daily":
            setMidnight()
        case "monthly":
            day = [CalendarComponent(start: 1)]
            setMidnight()
        case "annually", "yearly", "anually":
            month = [CalendarComponent(start: 1)]
            day = [CalendarComponent(start: 1)]
            setMidnight()
        case "weekly":
            weekdays = 1
            setMidnight()
        case "quarterly":
            month = [1, 4, 7, 10].map { CalendarComponent(start: $0) }
            day = [CalendarComponent(start: 1)]
            setMidnight()
        case "biannually", "bi-annually", "semiannually", "semi-annually":
            month = [1, 7].map { CalendarComponent(start: $0) }
            day = [CalendarComponent(start: 1)]
            setMidnight()
        default:
            do throws(CalendarParseFailure) {
                try parser.parseWeekdays(into: &self)
                let finished = try parser.parseDate(into: &self)
                if !finished { try parser.parseTime(into: &self) }
                guard parser.atEnd else { throw CalendarParseFailure.invalid }
            } catch {
                throw fail(error.reason)
            }
        }
        normalize()
        guard isValid else { throw fail("a value is out of range") }
    }

    private mutating func setMidnight() {
        hour = [CalendarComponent(start: 0)]
        minute = [CalendarComponent(start: 0)]
        microsecond = [CalendarComponent(start: 0)]
    }

    private static func strippingSuffix(_ text: String, _ suffix: String) -> String? {
        guard text.count >= suffix.count, text.lowercased().hasSuffix(suffix.lowercased()) else { return nil }
        return String(text.dropLast(suffix.count))
    }

    /// systemd's `timezone_is_valid`: a plain name whose zoneinfo file exists and is TZif.
    static func isValidZoneName(_ name: String) -> Bool {
        if name == "UTC" { return true }
        guard !name.isEmpty, !name.hasPrefix("/") else { return false }
        var previousSlash = false
        for b in name.utf8 {
            let ok = (b >= 48 && b <= 57) || (b >= 97 && b <= 122) || (b >= 65 && b <= 90)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
            guard ok else { return false }
            if b == UInt8(ascii: "/") {
                if previousSlash { return false }
                previousSlash = true
            } else {
                previousSlash = false
            }
        }
        if previousSlash { return false }
        return (try? ZoneInfo.named(name)) != nil
    }
}

enum CalendarParseFailure: Error {
    case invalid
    case outOfRange

    var reason: String {
        switch self {
        case .invalid: "unexpected text"
        case .outOfRange: "a number is too large"
        }
    }
}

/// A cursor over the expression's bytes, with one method per part of the grammar.
struct CalendarSpecParser {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    func at(_ offset: Int = 0) -> UInt8 { index + offset < bytes.count ? bytes[index + offset] : 0 }

    mutating func skipSpaces() {
        while at() == UInt8(ascii: " ") { index += 1 }
    }

    private static let weekdayNames: [(String, Int)] = [
        ("monday", 0), ("mon", 0), ("tuesday", 1), ("tue", 1), ("wednesday", 2), ("wed", 2),
        ("thursday", 3), ("thu", 3), ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5),
        ("sunday", 6), ("sun", 6),
    ]

    private func startsWithNoCase(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count else { return false }
        for i in 0..<w.count {
            var b = bytes[index + i]
            if b >= 65 && b <= 90 { b += 32 }
            if b != w[i] { return false }
        }
        return true
    }

    mutating func parseWeekdays(into spec: inout CalendarSpec) throws(CalendarParseFailure) {
        var rangeStart = -1
        var first = true
        if spec.weekdays < 0 { spec.weekdays = 0 }
        while true {
            guard let (name, number) = Self.weekdayNames.first(where: { startsWithNoCase($0.0) }) else {
                if first {
                    if spec.weekdays == 0 { spec.weekdays = -1 }
                    return
                }
                throw .invalid
            }
            let next = at(name.utf8.count)
            guard [0, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: " ")].contains(next) else { throw .invalid }
            spec.weekdays |= 1 << number
            if rangeStart >= 0 {
                if rangeStart > number { throw .invalid }
                for j in (rangeStart + 1)..<max(number, rangeStart + 1) { spec.weekdays |= 1 << j }
            }
            index += name.utf8.count
            if atEnd { return }
            if at() == UInt8(ascii: " ") {
                skipSpaces()
                return
            }
            if at() == UInt8(ascii: ".") {
                if rangeStart >= 0 { throw .invalid }
                if at(1) != UInt8(ascii: ".") { throw .invalid }
                rangeStart = number
                index += 2
            } else if at() == UInt8(ascii: "-") {
                if rangeStart >= 0 { throw .invalid }
                rangeStart = number
                index += 1
            } else if at() == UInt8(ascii: ",") {
                rangeStart = -1
                index += 1
            }
            if atEnd || at() == UInt8(ascii: " ") {
                skipSpaces()
                if rangeStart >= 0 { throw .invalid }
                return
            }
            first = false
        }
    }

    /// strtoul(3): optional white space and sign, then decimal digits.
    mutating func parseUnsignedLong() throws(CalendarParseFailure) -> UInt64 {
        var i = index
        while i < bytes.count, [9, 10, 11, 12, 13, 32].contains(bytes[i]) { i += 1 }
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        let digitsStart = i
        var value: UInt64 = 0
        var overflow = false
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 48))
            overflow = overflow || o1 || o2
            value = a
            i += 1
        }
        guard i > digitsStart else { throw .invalid }
        if overflow { throw .outOfRange }
        index = i
        return negative ? (0 &- value) : value
    }

    /// A decimal number; for seconds, scaled to microseconds with an optional fraction.
    mutating func parseComponentDecimal(microseconds: Bool) throws(CalendarParseFailure) -> Int {
        guard at() >= 48 && at() <= 57 else { throw .invalid }
        var value = try parseUnsignedLong()
        if microseconds {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 1_000_000)
            if overflow { throw .outOfRange }
            value = scaled
            if at() == UInt8(ascii: ".") && at(1) != UInt8(ascii: ".") {
                index += 1
                let fraction = try parseFraction(digits: 6)
                let (sum, o) = value.addingReportingOverflow(UInt64(fraction))
                if o { throw .outOfRange }
                value = sum
            }
        }
        if value > UInt64(Int32.max) { throw .outOfRange }
        return Int(value)
    }

    /// Up to `digits` fractional digits, rounding on the next one and skipping the rest.
    mutating func parseFraction(digits: Int) throws(CalendarParseFailure) -> Int {
        var value = 0
        var i = 0
        while i < digits {
            let b = at()
            if !(b >= 48 && b <= 57) {
                if i == 0 { throw .invalid }
                while i < digits { value *= 10; i += 1 }
                break
            }
            value = value * 10 + Int(b - 48)
            index += 1
            i += 1
        }
        if at() >= UInt8(ascii: "5") && at() <= UInt8(ascii: "9") { value += 1 }
        while at() >= 48 && at() <= 57 { index += 1 }
        return value
    }

    mutating func parseComponents(microseconds: Bool) throws(CalendarParseFailure) -> [CalendarComponent] {
        var result: [CalendarComponent] = []
        while true {
            if result.count > 240 { throw .outOfRange }
            let start = try parseComponentDecimal(microseconds: microseconds)
            var stop = -1
            var repeatInterval = 0
            if at() == UInt8(ascii: ".") && at(1) == UInt8(ascii: ".") {
                index += 2
                stop = try parseComponentDecimal(microseconds: microseconds)
                repeatInterval = microseconds ? 1_000_000 : 1
            }
            if at() == UInt8(ascii: "/") {
                index += 1
                repeatInterval = try parseComponentDecimal(microseconds: microseconds)
                if repeatInterval == 0 { throw .outOfRange }
            } else {
                if start > Int(Int32.max) - repeatInterval { throw .outOfRange }
                if microseconds && stop >= 0 && start + repeatInterval > stop { throw .invalid }
            }
            guard [0, UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: ":")].contains(at()) else {
                throw .invalid
            }
            result.append(CalendarComponent(start: start, stop: stop, repeatInterval: repeatInterval))
            if at() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            return result
        }
    }

    /// A field: `*` or components. `*` for seconds means "every whole second".
    mutating func parseChain(microseconds: Bool) throws(CalendarParseFailure) -> [CalendarComponent]? {
        if at() == UInt8(ascii: "*") {
            index += 1
            return microseconds ? [CalendarComponent(start: 0, repeatInterval: 1_000_000)] : nil
        }
        return try parseComponents(microseconds: microseconds)
    }

    /// The date part. Returns true when the expression was `@EPOCH`, which has no time part.
    mutating func parseDate(into spec: inout CalendarSpec) throws(CalendarParseFailure) -> Bool {
        if atEnd { return false }
        if at() == UInt8(ascii: "@") {
            index += 1
            let value = try parseUnsignedLong()
            let seconds = Int64(bitPattern: value)
            let t = LocalDateTime(utcSeconds: seconds)
            spec.utc = true
            spec.year = [CalendarComponent(start: t.date.year)]
            spec.month = [CalendarComponent(start: t.date.month)]
            spec.day = [CalendarComponent(start: t.date.day)]
            spec.hour = [CalendarComponent(start: t.hour)]
            spec.minute = [CalendarComponent(start: t.minute)]
            spec.microsecond = [CalendarComponent(start: t.second * 1_000_000)]
            return true
        }
        let save = index
        let first = try parseChain(microseconds: false)
        if atEnd || at() == UInt8(ascii: ":") {
            // It was the time, not a date.
            index = save
            return false
        }
        if at() == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if at() != UInt8(ascii: "-") {
            throw .invalid
        }
        index += 1
        let second = try parseChain(microseconds: false)
        if atEnd || at() == UInt8(ascii: " ") {
            skipSpaces()
            spec.month = first
            spec.day = second
            return false
        }
        if spec.endOfMonth { throw .invalid }
        if at() == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if at() != UInt8(ascii: "-") {
            throw .invalid
        }
        index += 1
        let third = try parseChain(microseconds: false)
        guard atEnd || at() == UInt8(ascii: " ") else { throw .invalid }
        skipSpaces()
        spec.year = first
        spec.month = second
        spec.day = third
        return false
    }

    /// The time part; absent means 00:00:00, and absent seconds mean :00.
    mutating func parseTime(into spec: inout CalendarSpec) throws(CalendarParseFailure) {
        if atEnd {
            spec.hour = [CalendarComponent(start: 0)]
            spec.minute = [CalendarComponent(start: 0)]
            spec.microsecond = [CalendarComponent(start: 0)]
            return
        }
        let h = try parseChain(microseconds: false)
        guard at() == UInt8(ascii: ":") else { throw .invalid }
        index += 1
        let m = try parseChain(microseconds: false)
        spec.hour = h
        spec.minute = m
        if atEnd {
            spec.microsecond = [CalendarComponent(start: 0)]
            return
        }
        guard at() == UInt8(ascii: ":") else { throw .invalid }
        index += 1
        spec.microsecond = try parseChain(microseconds: true)
        guard atEnd else { throw .invalid }
    }
}
