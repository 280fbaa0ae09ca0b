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

    /// `20270514T160000Z`
    static func utc(_ instant: Instant) -> String {
        let t = LocalDateTime(utcSeconds: instant.secondsSinceEpoch)
        return "\(pad(t.date.year, 4))\(pad(t.date.month, 2))\(pad(t.date.day, 2))T\(pad(t.hour, 2))\(pad(t.minute, 2))\(pad(t.second, 2))Z"
    }

    /// TEXT escaping: backslash, semicolon, comma, newline (CR dropped, so CRLF is one "\\n").
    /// Byte by byte (`ByteEscaping`): RFC 5545 escapes characters, not the grapheme clusters a
    /// String iterates (a ";" that a combining mark followed went out unescaped), and per
    /// Character it cost most of a 10,000-compact feed.
    static func escape(_ text: String) -> String {
        ByteEscaping.replacing(text) { byte in
            switch byte {
            case UInt8(ascii: "\\"): "\\\\"
            case UInt8(ascii: ";"): "\\;"
            case UInt8(ascii: ","): "\\,"
            case 0x0A: "\\n"
            case 0x0D: ""
            default: nil
            }
        }
    }

    /// Folds a content line at 75 octets; continuation lines start with a space. A break goes
    /// before the first byte of a UTF-8 sequence, never inside one.
    static func fold(_ line: String) -> String {
        let utf8 = line.utf8
        guard utf8.count > 75 else { return line }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + utf8.count / 74 * 3 + 3)
        var octets = 0
        var limit = 75
        for byte in utf8 {
            if byte & 0xC0 != 0x80 {
                // The first byte of a character: does the whole character still fit?
                let size = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                if octets + size > limit {
                    out.append(contentsOf: [0x0D, 0x0A, UInt8(ascii: " ")])
                    octets = 0
                    limit = 74
                }
                octets += size
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
