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
        if StateAccess.exists(c) {
            let store = try StateAccess.open(c)
            state = try await store.plannerState()
            written = try await store.writtenIDs(sendAtFrom: projection.catchUpStart(now: start))
        }
        // The options read once: a property wrapper's getter per notice cost more than the test.
        let (onlyCompact, all) = (compact, all)
        let inCompact = { (notice: PlannedNotice) in onlyCompact == nil || notice.step.compactID == onlyCompact }
        if format == .json {
            // Streamed, one object a line: a year of 10,000 compacts is 300,000 notices, which
            // Foundation's encoder took 31 s and 1.6 GB to write as one document. Without
            // --all or --from it is also planned as it is written, a month at a time, so the
            // whole window is never held.
            let partners = Dictionary(c.compacts.map { ($0.id, $0.partner) }, uniquingKeysWith: { first, _ in first })
            var output = JSONLinesArray()
            var text = AgendaTextCache(zone: c.timeZone, partners: partners)
            let write = { (notice: PlannedNotice, fate: NoticeProjection.Fate) in
                guard inCompact(notice) else { return }
                output.append(AgendaEntry(notice, fate: all ? Self.describe(fate, zone: c.timeZone) : nil, text: &text))
            }
            if all {
                for (notice, fate) in projection.withFates(from: start, to: end, state: state) { write(notice, fate) }
            } else if from == nil {
                let (state, written) = (state, written)
                PlannedNoticeBatches.planned({ emit in
                    projection.forEachUpcoming(now: start, to: end, state: state, written: written, emit)
                }) { write($0, .willBeSent) }
            } else {
                for notice in Planner(configuration: c).plan(from: start, to: end, state: state) { write(notice, .willBeSent) }
            }
            output.finish()
            return
        }
        let noNotices = "No notices from \(TimestampFormat.short(start, in: c.timeZone)) to \(TimestampFormat.short(end, in: c.timeZone))."
        // STEP is the key `ack`, `snooze` and `unsnooze` take: copy it from here.
        let headers = ["LOCAL TIME", "UTC", "STEP", "KIND", "RECIPIENT"] + (all ? ["FATE"] : [])
        var text = AgendaTextCache(zone: c.timeZone)
        func row(_ notice: PlannedNotice, _ fate: NoticeProjection.Fate) -> [String] {
            let sent = text.shortTimes(notice.sendAt)
            return [sent.local, sent.utc, text.occurrence(notice.step).key,
                    text.kind(notice.kind).label + (notice.resumedFromSnooze ? " (after snooze)" : ""), notice.recipient.description]
                + (all ? [Self.describe(fate, zone: c.timeZone)] : [])
        }
        if !all && from == nil {
            // The upcoming window, planned a month at a time as it is written, twice for a
            // table (widths, then lines): a year of 10,000 compacts held as rows was 225 MB.
            let count = TextTable.stream(headers: headers, csv: format == .csv, ifEmpty: noNotices) { emit in
                projection.forEachUpcoming(now: start, to: end, state: state, written: written) { notice in
                    if inCompact(notice) { emit(row(notice, .willBeSent)) }
                }
            }
            if format == .csv { return }
            if count > 0 { print("\(count) notice\(count == 1 ? "" : "s") in \(days) day\(days == 1 ? "" : "s").") }
            printHeld(state: state, configuration: c, start: start, end: end)
            return
        }
        // --all, or --from: the window held, for the fates or from a given time.
        let entries: [(notice: PlannedNotice, fate: NoticeProjection.Fate)]
        if all {
            entries = projection.withFates(from: start, to: end, state: state).filter { inCompact($0.notice) }
        } else {
            entries = Planner(configuration: c).plan(from: start, to: end, state: state).filter(inCompact).map { ($0, .willBeSent) }
        }
        TextTable.stream(headers: headers, csv: format == .csv, ifEmpty: noNotices) { emit in
            for (notice, fate) in entries { emit(row(notice, fate)) }
        }
        if format == .csv { return }
        if !entries.isEmpty {
            let sent = entries.filter { $0.fate == .willBeSent }.count
            print("\(sent) notice\(sent == 1 ? "" : "s") in \(days) day\(days == 1 ? "" : "s")\(all && sent < entries.count ? "; \(entries.count - sent) not sent" : "").")
        }
        if !all { printHeld(state: state, configuration: c, start: start, end: end) }
    }

    /// What the state holds back, said once per step rather than hidden. Only the compacts
    /// with an acknowledgment or a snooze are planned again, without the state.
    func printHeld(state: PlannerState, configuration c: Configuration, start: Instant, end: Instant) {
        let held = Set((Array(state.acknowledgments.keys) + Array(state.snoozes.keys)).compactMap { StepIdentity(key: $0)?.compactID })
        var subset = c
        subset.compacts = c.compacts.filter { held.contains($0.id) && (compact == nil || $0.id == compact) }
        let window = subset.compacts.isEmpty ? [] : Planner(configuration: subset).plan(from: start, to: end)
        let steps = Set(window.map(\.step.key))
        for key in steps.sorted() {
            if let ack = state.acknowledgments[key] {
                print("acknowledged: \(key) by \(ack.by ?? "someone") on \(TimestampFormat.short(ack.at, in: c.timeZone)): its notices are not sent")
            } else if let snooze = state.snoozes[key], snooze.until > start {
                print("snoozed: \(key) until \(TimestampFormat.short(snooze.until, in: c.timeZone))\(snooze.by.map { " by \($0)" } ?? "")")
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

/// One notice in `compactctl agenda -o json`: keys in snake_case and sorted, as JSONOutput
/// writes them; `contact` and `fate` only when there is one.
struct AgendaEntry {
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

    init(_ notice: PlannedNotice, fate: String? = nil, text: inout AgendaTextCache) {
        self.fate = fate
        let occurrence = text.occurrence(notice.step)
        let kind = text.kind(notice.kind)
        let sent = text.times(notice.sendAt)
        let due = text.times(notice.step.dueAt)
        id = PlannedNotice.id(stepKey: occurrence.key, kind: kind.identity, recipient: notice.recipient)
        stepKey = occurrence.key
        sendAt = sent.local
        sendAtUtc = sent.utc
        dueAt = due.local
        dueAtUtc = due.utc
        compact = notice.step.compactID
        partner = occurrence.partner
        cycle = notice.step.cycleID
        self.occurrence = occurrence.date
        step = notice.step.stepID
        stepTitle = notice.step.stepTitle
        self.kind = kind.name
        label = kind.label
        channel = notice.recipient.channelID
        contact = notice.recipient.contactID
    }

    func write(into w: inout JSONWriter) {
        w.beginObject()
        w.field(verbatim: "channel", channel)
        w.field(verbatim: "compact", compact)
        if let contact { w.field(verbatim: "contact", contact) }
        w.field(verbatim: "cycle", cycle)
        w.field(verbatim: "due_at", dueAt)
        w.field(verbatim: "due_at_utc", dueAtUtc)
        if let fate { w.field(verbatim: "fate", fate) }
        w.field(verbatim: "id", id)
        w.field(verbatim: "kind", kind)
        w.field(verbatim: "label", label)
        w.field(verbatim: "occurrence", occurrence)
        w.field(verbatim: "partner", partner)
        w.field(verbatim: "send_at", sendAt)
        w.field(verbatim: "send_at_utc", sendAtUtc)
        w.field(verbatim: "step", step)
        w.field(verbatim: "step_key", stepKey)
        w.field(verbatim: "step_title", stepTitle)
        w.endObject()
    }
}

/// A JSON array written to standard output as it is built, one element a line, in blocks of
/// about 64 KiB: the whole document is never held.
struct JSONLinesArray {
    private var buffer: [UInt8] = [UInt8(ascii: "[")]
    private var count = 0

    /// One writer for every entry, emptied after each: a new one per entry was an allocation each.
    private var writer = JSONWriter()

    mutating func append(_ entry: AgendaEntry) {
        writer.removeAll()
        entry.write(into: &writer)
        if count > 0 { buffer.append(UInt8(ascii: ",")) }
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: writer.bytes)
        count += 1
        if buffer.count >= 64 << 10 { flush() }
    }

    mutating func finish() {
        buffer += count == 0 ? Array("]\n".utf8) : Array("\n]\n".utf8)
        flush()
    }

    private mutating func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
