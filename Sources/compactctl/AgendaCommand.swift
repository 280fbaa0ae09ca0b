import ArgumentParser
import CompactdConfig
import CompactdCore

/// `compactctl agenda`: what will be sent, in time order.
struct AgendaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda",
        abstract: "List the notices that will be sent, in time order."
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: "How many days ahead to list.")
    var days: Int = 30

    @Option(help: "Start of the listing (\"YYYY-MM-DD HH:MM\" in the configured zone, or with UTC); default now.")
    var from: String?

    @Option(help: "Only this compact.")
    var compact: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard days >= 1 && days <= 36_600 else { throw CommandFailure("--days must be between 1 and 36600") }
        let loaded = try config.load()
        let c = loaded.configuration
        if let compact, c.compact(compact) == nil {
            throw UnknownName.compact(compact, in: c)
        }
        let start: Instant
        if let from {
            guard let parsed = TimestampFormat.parse(from, zone: c.timeZone, now: Instant.now) else {
                throw CommandFailure("--from '\(from)' is not a time; expected \"YYYY-MM-DD HH:MM\" (in \(c.timeZone.identifier)) or with UTC")
            }
            start = parsed
        } else {
            start = Instant.now
        }
        let end = start.adding(seconds: Int64(days) * 86_400)
        let notices = Planner(configuration: c).plan(from: start, to: end).filter { compact == nil || $0.step.compactID == compact }
        if json {
            print(try JSONOutput.encode(notices.map { AgendaEntry($0, configuration: c) }))
            return
        }
        if notices.isEmpty {
            print("No notices from \(TimestampFormat.short(start, in: c.timeZone)) to \(TimestampFormat.short(end, in: c.timeZone)).")
            return
        }
        // STEP is the key `ack`, `snooze` and `unsnooze` take: copy it from here.
        var table = TextTable(headers: ["LOCAL TIME", "UTC", "STEP", "KIND", "RECIPIENT"])
        for notice in notices {
            table.add([
                TimestampFormat.short(notice.sendAt, in: c.timeZone),
                TimestampFormat.short(notice.sendAt, in: .utc),
                notice.step.key,
                notice.kind.label,
                notice.recipient.description,
            ])
        }
        print(table.render())
        print("\(notices.count) notice\(notices.count == 1 ? "" : "s") in \(days) day\(days == 1 ? "" : "s").")
    }
}

/// One notice in `compactctl agenda --json`.
struct AgendaEntry: Encodable {
    var id: String
    /// The step occurrence's key, as `ack` takes it.
    var stepKey: String
    var sendAt: String
    var sendAtLocal: String
    var dueAt: String
    var compact: String
    var partner: String
    var cycle: String
    var occurrence: String
    var step: String
    var stepTitle: String
    var kind: String
    var label: String
    var channel: String
    var contact: String?

    init(_ notice: PlannedNotice, configuration: Configuration) {
        id = notice.id
        stepKey = notice.step.key
        sendAt = notice.sendAt.rfc3339UTC
        sendAtLocal = TimestampFormat.rfc3339(notice.sendAt, in: configuration.timeZone)
        dueAt = notice.step.dueAt.rfc3339UTC
        compact = notice.step.compactID
        partner = configuration.compact(notice.step.compactID)?.partner ?? ""
        cycle = notice.step.cycleID
        occurrence = notice.step.occurrence.description
        step = notice.step.stepID
        stepTitle = notice.step.stepTitle
        kind = notice.kind.name
        label = notice.kind.label
        channel = notice.recipient.channelID
        contact = notice.recipient.contactID
    }

    enum CodingKeys: String, CodingKey {
        case id, compact, partner, cycle, occurrence, step, kind, label, channel, contact
        case stepKey = "step_key", sendAt = "send_at", sendAtLocal = "send_at_local", dueAt = "due_at", stepTitle = "step_title"
    }
}
