import ArgumentParser
import CompactdConfig
import CompactdCore
import Foundation

/// `compactctl agenda`: what will be sent, in time order, as the daemon will send it: with the
/// store's acknowledgments and snoozes, and (from now) what falls within the catch-up window
/// but is not in the outbox yet (`NoticeProjection`, the code the agenda-equals-daemon test holds
/// the dispatcher to). `--all` lists every planned notice with its fate.
struct AgendaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda",
        abstract: "List the notices that will be sent, in time order (acknowledged and snoozed steps honoured)."
    )

    @OptionGroup var config: ConfigOptions

    @Option(help: "How many days ahead to list.")
    var days: Int = 30

    @Option(help: "Start of the listing (\"YYYY-MM-DD HH:MM\" in the configured zone, or with UTC); default now.")
    var from: String?

    @Option(help: "Only this compact.")
    var compact: String?

    @Flag(help: "Also what will not be sent (acknowledged, held by a snooze), with its fate.")
    var all = false

    static let formats: [OutputFormat] = [.table, .json, .csv]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "agenda")
        guard days >= 1 && days <= 36_600 else { throw CommandFailure("--days must be between 1 and 36600") }
        let loaded = try config.load()
        let c = loaded.configuration
        if let compact, c.compact(compact) == nil {
            throw UnknownName.compact(compact, in: c)
        }
        let now = Instant.now
        let start: Instant
        if let from {
            guard let parsed = TimestampFormat.parse(from, zone: c.timeZone, now: now) else {
                throw CommandFailure("--from '\(from)' is not a time; expected \"YYYY-MM-DD HH:MM\" (in \(c.timeZone.identifier)) or with UTC")
            }
            start = parsed
        } else {
            start = now
        }
        let end = start.adding(seconds: Int64(days) * 86_400)
        // The store's word, when there is a store: before compactd's first start there is none.
        var state = PlannerState.empty
        var written: Set<String> = []
        let projection = NoticeProjection(configuration: c)
        if FileManager.default.fileExists(atPath: StateAccess.path(c)) {
            let store = try StateAccess.open(c)
            state = try await store.plannerState()
            written = try await store.writtenIDs(sendAtFrom: projection.catchUpStart(now: start))
        }
        let inCompact = { (notice: PlannedNotice) in compact == nil || notice.step.compactID == compact }
        let entries: [(notice: PlannedNotice, fate: NoticeProjection.Fate)]
        if all {
            entries = projection.withFates(from: start, to: end, state: state).filter { inCompact($0.notice) }
        } else if from == nil {
            entries = projection.upcoming(now: start, to: end, state: state, written: written).filter(inCompact).map { ($0, .willBeSent) }
        } else {
            entries = Planner(configuration: c).plan(from: start, to: end, state: state).filter(inCompact).map { ($0, .willBeSent) }
        }
        if format == .json {
            print(try JSONOutput.encode(entries.map { AgendaEntry($0.notice, fate: all ? Self.describe($0.fate, zone: c.timeZone) : nil, configuration: c) }))
            return
        }
        if entries.isEmpty && format == .table {
            print("No notices from \(TimestampFormat.short(start, in: c.timeZone)) to \(TimestampFormat.short(end, in: c.timeZone)).")
        } else {
            // STEP is the key `ack`, `snooze` and `unsnooze` take: copy it from here.
            var table = TextTable(headers: ["LOCAL TIME", "UTC", "STEP", "KIND", "RECIPIENT"] + (all ? ["FATE"] : []))
            for (notice, fate) in entries {
                table.add([
                    TimestampFormat.short(notice.sendAt, in: c.timeZone),
                    TimestampFormat.short(notice.sendAt, in: .utc),
                    notice.step.key,
                    notice.kind.label + (notice.resumedFromSnooze ? " (after snooze)" : ""),
                    notice.recipient.description,
                ] + (all ? [Self.describe(fate, zone: c.timeZone)] : []))
            }
            if format == .csv {
                print(table.csv(), terminator: "")
                return
            }
            print(table.render())
            let sent = entries.filter { $0.fate == .willBeSent }.count
            print("\(sent) notice\(sent == 1 ? "" : "s") in \(days) day\(days == 1 ? "" : "s")\(all && sent < entries.count ? "; \(entries.count - sent) not sent" : "").")
        }
        if !all {
            // What the state holds back, said once per step rather than hidden.
            let window = Planner(configuration: c).plan(from: start, to: end).filter(inCompact)
            let steps = Set(window.map(\.step.key))
            for key in steps.sorted() {
                if let ack = state.acknowledgments[key] {
                    print("acknowledged: \(key) by \(ack.by ?? "someone") on \(TimestampFormat.short(ack.at, in: c.timeZone)): its notices are not sent")
                } else if let snooze = state.snoozes[key], snooze.until > start {
                    print("snoozed: \(key) until \(TimestampFormat.short(snooze.until, in: c.timeZone))\(snooze.by.map { " by \($0)" } ?? "")")
                }
            }
        }
    }

    static func describe(_ fate: NoticeProjection.Fate, zone: ZoneInfo) -> String {
        switch fate {
        case .willBeSent: "will be sent"
        case .acknowledged(let ack): "not sent: acknowledged by \(ack.by ?? "someone") on \(TimestampFormat.short(ack.at, in: zone))"
        case .heldBySnooze(let snooze): "held: snoozed until \(TimestampFormat.short(snooze.until, in: zone))"
        }
    }
}

/// One notice in `compactctl agenda --json`.
struct AgendaEntry: Encodable {
    var id: String
    /// The step occurrence's key, as `ack` takes it.
    var stepKey: String
    var sendAt: String
    var sendAtUtc: String
    var dueAt: String
    var dueAtUtc: String
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
    /// With --all: what happens to it.
    var fate: String?

    init(_ notice: PlannedNotice, fate: String? = nil, configuration: Configuration) {
        self.fate = fate
        id = notice.id
        stepKey = notice.step.key
        sendAt = JSONTime.local(notice.sendAt, configuration.timeZone)
        sendAtUtc = JSONTime.utc(notice.sendAt)
        dueAt = JSONTime.local(notice.step.dueAt, configuration.timeZone)
        dueAtUtc = JSONTime.utc(notice.step.dueAt)
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
        case id, compact, partner, cycle, occurrence, step, kind, label, channel, contact, fate
        case stepKey = "step_key", sendAt = "send_at", sendAtUtc = "send_at_utc", dueAt = "due_at", dueAtUtc = "due_at_utc", stepTitle = "step_title"
    }
}
