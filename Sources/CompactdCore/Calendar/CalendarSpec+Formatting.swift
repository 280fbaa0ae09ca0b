extension CalendarSpec {
    /// The normalized form, exactly as `systemd-analyze calendar` prints it.
    public var normalizedDescription: String {
        var out = ""
        if weekdays > 0 && weekdays <= Self.allWeekdays {
            out += Self.formatWeekdays(weekdays) + " "
        }
        out += Self.formatChain(year, width: 4, microseconds: false)
        out += "-"
        out += Self.formatChain(month, width: 2, microseconds: false)
        out += endOfMonth ? "~" : "-"
        out += Self.formatChain(day, width: 2, microseconds: false)
        out += " "
        out += Self.formatChain(hour, width: 2, microseconds: false)
        out += ":"
        out += Self.formatChain(minute, width: 2, microseconds: false)
        out += ":"
        out += Self.formatChain(microsecond, width: 2, microseconds: true)
        if utc {
            out += " UTC"
        } else if let timeZone {
            out += " " + timeZone
        } else if daylightSavingHint >= 0, let hintAbbreviation {
            out += " " + hintAbbreviation
        }
        return out
    }

    private static let weekdayAbbreviations = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func formatWeekdays(_ bits: Int) -> String {
        var out = ""
        var needComma = false
        var runStart = -1
        var x = 0
        while x < 7 {
            if bits & (1 << x) != 0 {
                if runStart < 0 {
                    if needComma { out += "," } else { needComma = true }
                    out += weekdayAbbreviations[x]
                    runStart = x
                }
            } else if runStart >= 0 {
                if x > runStart + 1 {
                    out += x > runStart + 2 ? ".." : ","
                    out += weekdayAbbreviations[x - 1]
                }
                runStart = -1
            }
            x += 1
        }
        if runStart >= 0 && x > runStart + 1 {
            out += x > runStart + 2 ? ".." : ","
            out += weekdayAbbreviations[x - 1]
        }
        return out
    }

    static func formatChain(_ chain: [CalendarComponent]?, width: Int, microseconds: Bool) -> String {
        guard let chain, !chain.isEmpty else { return "*" }
        if microseconds && chain.contains(where: { $0.start == 0 && $0.stop < 0 && $0.repeatInterval == 1_000_000 }) {
            return "*"
        }
        let d = microseconds ? 1_000_000 : 1
        return chain.map { c in
            var out = pad(c.start / d, width)
            if c.start % d > 0 { out += "." + pad(c.start % d, 6) }
            if c.stop > 0 { out += ".." + pad(c.stop / d, width) }
            if c.stop % d > 0 { out += "." + pad(c.stop % d, 6) }
            if c.repeatInterval > 0 && !(c.stop > 0 && c.repeatInterval == d) { out += "/" + String(c.repeatInterval / d) }
            if c.repeatInterval % d > 0 { out += "." + pad(c.repeatInterval % d, 6) }
            return out
        }.joined(separator: ",")
    }
}
