/// An RFC 5545 calendar of step due dates and review kickoffs: one VEVENT per step occurrence
/// with a stable UID, times in UTC, text escaped, lines folded at 75 octets (never inside a
/// UTF-8 character), CRLF line ends.
public struct ICalendarWriter {
    public struct Event {
        public var uid: String
        public var start: Instant
        public var minutes: Int
        public var summary: String
        public var description: String

        public init(uid: String, start: Instant, minutes: Int, summary: String, description: String) {
            self.uid = uid
            self.start = start
            self.minutes = minutes
            self.summary = summary
            self.description = description
        }
    }

    /// - Parameter refreshMinutes: for a subscription, how often to fetch it again
    ///   (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
    public static func calendar(events: [Event], stamp: Instant, name: String, refreshMinutes: Int? = nil) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//compactd//Education Compacts//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:" + escape(name)]
        if let refreshMinutes {
            lines += ["REFRESH-INTERVAL;VALUE=DURATION:PT\(refreshMinutes)M", "X-PUBLISHED-TTL:PT\(refreshMinutes)M"]
        }
        for event in events {
            lines += [
                "BEGIN:VEVENT",
                "UID:" + escape(event.uid),
                "DTSTAMP:" + utc(stamp),
                "DTSTART:" + utc(event.start),
                "DURATION:PT\(event.minutes)M",
                "SUMMARY:" + escape(event.summary),
                "DESCRIPTION:" + escape(event.description),
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20270514T160000Z`
    static func utc(_ instant: Instant) -> String {
        let t = LocalDateTime(utcSeconds: instant.secondsSinceEpoch)
        return "\(pad(t.date.year, 4))\(pad(t.date.month, 2))\(pad(t.date.day, 2))T\(pad(t.hour, 2))\(pad(t.minute, 2))\(pad(t.second, 2))Z"
    }

    /// TEXT escaping: backslash, semicolon, comma, newline.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": continue
            default: out.append(ch)
            }
        }
        return out
    }

    /// Folds a content line at 75 octets; continuation lines start with a space.
    static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            let limit = parts.isEmpty ? 75 : 74
            if octets + size > limit {
                parts.append(current)
                current = ""
                octets = 0
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        parts.append(current)
        return parts.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element }.joined(separator: "\r\n")
    }
}
