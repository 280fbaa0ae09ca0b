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
        var c = loaded.configuration
        if let compact {
            guard let only = c.compact(compact) else { throw UnknownName.compact(compact, in: c) }
            // One compact's agenda is planned from that compact alone (each compact's notices
            // depend on nothing of another's): filtered from every compact's, at 100,000
            // compacts --days 400 took 3.7 s and 304 MiB, with --all 18.5 s and 1.8 GiB.
            c.compacts = [only]
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
        // The option read once: a property wrapper's getter per notice cost more than the test.
        let all = all
        // The window planned a month at a time on a second thread while this one writes it, or
        // holds a table's rows (`InternedTable`): what will be sent from now (the catch-up and
        // the outbox considered), or with --from the plan from that time.
        let (plannedState, plannedWritten, plannedConfiguration, fromNow) = (state, written, c, from == nil)
        func forEachUpcoming(_ body: (PlannedNotice) -> Void) {
            PlannedSliceQueue.planned({ emit in
                if fromNow {
                    projection.forEachUpcomingSlice(now: start, to: end, state: plannedState, written: plannedWritten, emit)
                } else {
                    Planner(configuration: plannedConfiguration).forEachSlice(from: start, to: end, state: plannedState, emit)
                }
            }, body)
        }
        // With --all, every notice planned with its fate, a month at a time on this thread.
        func forEachFated(_ body: (PlannedNotice, NoticeProjection.Fate) -> Void) {
            projection.forEachSliceWithFates(from: start, to: end, state: state) { slice in
                for (notice, fate) in slice { body(notice, fate) }
            }
        }
        if format == .json {
            // Streamed, one object a line: a year of 10,000 compacts is 420,000 notices, which
            // Foundation's encoder took 31 s and 1.6 GB to write as one document. Without
            // --all or --from it is also planned as it is written, a month at a time, so the
            // whole window is never held.
            let zone = c.timeZone
            var output = AgendaJSONLines(formatter: AgendaJSONFormatter(zone: zone, configuration: c))
            if all {
                forEachFated { output.append($0, fate: Self.describe($1, zone: zone)) }
            } else {
                forEachUpcoming { output.append($0) }
            }
            output.finish()
            return
        }
        let noNotices = "No notices from \(TimestampFormat.short(start, in: c.timeZone)) to \(TimestampFormat.short(end, in: c.timeZone))."
        // STEP is the key `ack`, `snooze` and `unsnooze` take: copy it from here.
        let headers = ["LOCAL TIME", "UTC", "STEP", "KIND", "RECIPIENT"] + (all ? ["FATE"] : [])
        var text = AgendaTextCache(zone: c.timeZone, compacts: c.compacts.count)
        func row(_ notice: PlannedNotice, _ fate: NoticeProjection.Fate) -> [String] {
            let sent = text.shortTimes(notice.sendAt)
            return [sent.local, sent.utc, text.occurrence(notice.step).key,
                    text.kind(notice.kind).label + (notice.resumedFromSnooze ? " (after snooze)" : ""), notice.recipient.description]
                + (all ? [Self.describe(fate, zone: c.timeZone)] : [])
        }
        if !all && from == nil {
            if format == .csv {
                TextTable.stream(headers: headers, csv: true, ifEmpty: noNotices) { emit in
                    forEachUpcoming { emit(row($0, .willBeSent)) }
                }
                return
            }
            // The table: rows held as numbers until the widths are known (`AgendaTableRows`).
            var rows = AgendaTableRows(zone: c.timeZone, compacts: c.compacts.count)
            forEachUpcoming { rows.add($0) }
            let count = rows.count
            let out = OutputBytes()
            if count == 0 { out.write(noNotices + "\n") } else { rows.write(to: out) }
            out.flush()
            if count > 0 { print("\(count) notice\(count == 1 ? "" : "s") in \(days) day\(days == 1 ? "" : "s").") }
            printHeld(state: state, configuration: c, start: start, end: end)
            return
        }
        // --all, or --from: each notice written as it comes, counted for the closing line.
        var (listed, sent) = (0, 0)
        TextTable.stream(headers: headers, csv: format == .csv, ifEmpty: noNotices) { emit in
            if all {
                forEachFated { notice, fate in
                    emit(row(notice, fate))
                    listed += 1
                    if fate == .willBeSent { sent += 1 }
                }
            } else {
                forEachUpcoming { notice in
                    emit(row(notice, .willBeSent))
                    listed += 1
                    sent += 1
                }
            }
        }
        if format == .csv { return }
        if listed > 0 {
            print("\(sent) notice\(sent == 1 ? "" : "s") in \(days) day\(days == 1 ? "" : "s")\(all && sent < listed ? "; \(listed - sent) not sent" : "").")
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
