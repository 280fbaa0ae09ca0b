/// A calendar's text (`ICalendarWriter`) a piece at a time, each event's text made as it is
/// written: the daemon's feed sends each piece as it is made instead of holding the calendar
/// (at 100,000 compacts a year is 195 MB of text), and `export ics` writes each to its file or
/// standard output.
public struct ICalendarStream<Events: IteratorProtocol> where Events.Element == ICalendarWriter.Event {
    private var events: Events
    private let dtstamp: String
    private var header: [String]?
    private var ended = false
    /// How many events have been written so far.
    public private(set) var eventCount = 0

    /// - Parameter refreshMinutes: for a subscription, how often to fetch it again
    ///   (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
    public init(events: Events, stamp: Instant, name: String, refreshMinutes: Int? = nil) {
        self.events = events
        dtstamp = "DTSTAMP:" + ICalendarWriter.utc(stamp)
        var header = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//compactd//Education Compacts//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:" + ICalendarWriter.escape(name)]
        if let refreshMinutes {
            header += ["REFRESH-INTERVAL;VALUE=DURATION:PT\(refreshMinutes)M", "X-PUBLISHED-TTL:PT\(refreshMinutes)M"]
        }
        self.header = header
    }

    /// The next piece, of at least `size` bytes unless it is the last; nil once all was given.
    public mutating func next(size: Int = 64 << 10) -> String? {
        guard !ended else { return nil }
        var text = ""
        text.reserveCapacity(size + 1024)
        func add(_ line: String) {
            text.append(ICalendarWriter.fold(line))
            text.append("\r\n")
        }
        if let header {
            for line in header { add(line) }
            self.header = nil
        }
        while text.utf8.count < size {
            guard let event = events.next() else {
                add("END:VCALENDAR")
                ended = true
                break
            }
            eventCount += 1
            add("BEGIN:VEVENT")
            add("UID:" + ICalendarWriter.escape(event.uid))
            add(dtstamp)
            add("DTSTART:" + ICalendarWriter.utc(event.start))
            add("DURATION:PT\(event.minutes)M")
            add("SUMMARY:" + ICalendarWriter.escape(event.summary))
            add("DESCRIPTION:" + ICalendarWriter.escape(event.description))
            add("TRANSP:TRANSPARENT")
            add("END:VEVENT")
        }
        return text
    }
}
