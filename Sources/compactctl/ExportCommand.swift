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
        if let output {
            let text = ICalendarWriter.calendar(events: feed.events, stamp: now, name: "Education Compacts")
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
            }
            print("wrote \(feed.sources.count) events to \(output)")
        } else {
            // Written as it is made, so the calendar is never held whole.
            var stream = ICalendarStream(events: feed.events.makeIterator(), stamp: now, name: "Education Compacts")
            let out = OutputBytes()
            while let piece = stream.next() { out.write(piece) }
            out.flush()
        }
    }
}
