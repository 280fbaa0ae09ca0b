import ArgumentParser
import CompactdCore
import CompactdStore

/// `compactctl history`: deliveries, attempts, acknowledgments and snoozes in time order.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show deliveries, attempts, acknowledgments and snoozes in time order.")

    @OptionGroup var config: ConfigOptions
    @Option(help: "Only this compact.") var compact: String?
    @Option(help: "Only since this time: \"YYYY-MM-DD HH:MM\" in the configured zone, or as systemd.time(7) says relative to now: --since=-7d, \"2h ago\", yesterday, today.") var since: String?
    /// What `--kind` accepts: the kinds of line history shows.
    static let kinds = ["enqueued", "attempt", "acknowledged", "unacknowledged", "snoozed", "unsnoozed", "retried", "channel-disabled", "channel-enabled"]

    @Option(help: "Only these kinds (comma-separated): \(HistoryCommand.kinds.joined(separator: ", ")).") var kind: String?
    @Option(help: "At most this many lines.") var limit: Int = 1000
    static let formats: [OutputFormat] = [.table, .json, .csv]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    struct Line: Encodable {
        var at: String
        var atUtc: String
        var kind: String
        var compact: String?
        var subject: String
        var detail: String?
        var actor: String?
    }

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "history")
        let c = try config.load().configuration
        if let compact, c.compact(compact) == nil { throw UnknownName.compact(compact, in: c) }
        var from: Instant?
        if let since {
            guard let parsed = TimestampFormat.parse(since, zone: c.timeZone, now: Instant.now) else {
                throw CommandFailure("--since '\(since)' is not a time; expected \"YYYY-MM-DD HH:MM\" (in \(c.timeZone.identifier)), -7d, \"2h ago\", yesterday or today")
            }
            from = parsed
        }
        let kinds = kind.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        for unknown in (kinds ?? []).sorted() where !Self.kinds.contains(unknown) {
            // A misspelt kind would filter everything out and look like an empty history.
            let hint = EditDistance.suggestion(for: unknown, among: Self.kinds).map { "did you mean '\($0)'? " } ?? ""
            throw CommandFailure("--kind '\(unknown)' is not a kind of history line; \(hint)expected one of \(Self.kinds.joined(separator: ", "))")
        }
        let store = try StateAccess.open(c)
        var lines: [(Instant, Line)] = []
        for event in try await store.history(compactID: compact, since: from, kinds: kinds, limit: limit) {
            lines.append((event.at, Line(at: JSONTime.local(event.at, c.timeZone), atUtc: JSONTime.utc(event.at), kind: event.kind, compact: event.compactID, subject: event.subject, detail: event.detail, actor: event.actor)))
        }
        // Each source gives its newest `limit` entries, filtered in the store; the newest
        // `limit` of all of them are shown, oldest first.
        for d in try await store.recentDeliveries(compactID: compact, since: from, limit: kinds.map { $0.contains("enqueued") ? limit : 0 } ?? limit) {
            lines.append((d.createdAt, Line(at: JSONTime.local(d.createdAt, c.timeZone), atUtc: JSONTime.utc(d.createdAt), kind: "enqueued", compact: d.snapshot.compactID, subject: d.id, detail: "\(d.snapshot.label), now \(d.status.rawValue)")))
        }
        for a in try await store.recentAttempts(compactID: compact, since: from, limit: kinds.map { $0.contains("attempt") ? limit : 0 } ?? limit) {
            var detail = "attempt \(a.number): \(a.outcome.rawValue)"
            if let s = a.httpStatus { detail += ", HTTP \(s)" }
            if let s = a.smtpReply { detail += ", SMTP \(s)" }
            if let e = a.curlError { detail += ", \(e)" }
            detail += ", \(a.latencyMilliseconds) ms"
            // A delivery's id is its notice's identity, which begins with the compact's id.
            let compactID = a.deliveryID.split(separator: "/", maxSplits: 1).first.map(String.init)
            lines.append((a.finishedAt, Line(at: JSONTime.local(a.finishedAt, c.timeZone), atUtc: JSONTime.utc(a.finishedAt), kind: "attempt", compact: compactID, subject: a.deliveryID, detail: detail)))
        }
        let selected = lines.filter { kinds?.contains($0.1.kind) ?? true }.sorted { $0.0 < $1.0 }.suffix(limit).map(\.1)
        if format == .json {
            print(try JSONOutput.encode(selected))
            return
        }
        if selected.isEmpty && format == .table { print("no history"); return }
        var table = TextTable(headers: ["TIME", "KIND", "SUBJECT", "DETAIL"])
        for line in selected { table.add([line.at, line.kind, line.subject, [line.detail, line.actor.map { "by \($0)" }].compactMap { $0 }.joined(separator: " ")]) }
        print(format == .csv ? table.csv() : table.render(), terminator: format == .csv ? "" : "\n")
    }
}
