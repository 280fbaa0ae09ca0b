import ArgumentParser
import CompactdCore
import CompactdStore
import Foundation

/// `compactctl export ics`: a calendar of step due dates and review kickoffs for Outlook or
/// Google Calendar.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the schedule.", subcommands: [ExportICSCommand.self])
}

struct ExportICSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ics", abstract: "An iCalendar (RFC 5545) file of step due dates and review kickoffs.")

    @OptionGroup var config: ConfigOptions
    @Option(help: "Only this compact.") var compact: String?
    @Option(help: "How many days ahead.") var days: Int = 365
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        guard days >= 1 && days <= 3660 else { throw CommandFailure("--days must be between 1 and 3660") }
        let c = try config.load().configuration
        if let compact, c.compact(compact) == nil { throw UnknownName.compact(compact, in: c) }
        let now = Instant.now
        let end = now.adding(seconds: Int64(days) * 86_400)
        // Done steps are shown done, as the store says (when there is a store yet).
        var acknowledgments: [String: StepAcknowledgment] = [:]
        if StateAccess.exists(c) {
            acknowledgments = try await StateAccess.open(c).plannerState().acknowledgments
        }
        let feed = CalendarFeed(configuration: c, acknowledgments: acknowledgments, from: now, to: end, compactID: compact)
        // Written as it is made, so the calendar is never held whole: into a file beside
        // `output`, renamed over it once complete (a reader never sees half a calendar), or
        // to standard output.
        var stream = ICalendarStream(events: feed.events.makeIterator(), stamp: now, name: "Education Compacts")
        if let output {
            let partial = output + ".partial-\(getpid())"
            let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CommandFailure("cannot write \(output): \(String(cString: strerror(errno)))") }
            let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            do {
                while let piece = stream.next() { try file.write(contentsOf: Data(piece.utf8)) }
                try file.synchronize()
                guard rename(partial, output) == 0 else { throw CommandFailure(String(cString: strerror(errno))) }
            } catch {
                unlink(partial)
                throw CommandFailure("cannot write \(output): \((error as? CommandFailure)?.message ?? error.localizedDescription)")
            }
            print("wrote \(stream.eventCount) events to \(output)")
        } else {
            let out = OutputBytes()
            while let piece = stream.next() { out.write(piece) }
            out.flush()
        }
    }
}
