/// Why the all-compacts calendar's response was cut before its end: the daemon is stopping,
/// or the reader took longer than `CompactdHTTPServer.calendarReadLimit`.
enum CalendarCut: Error {
    case stopping
    case tooSlow
}
