import ArgumentParser
import CompactdCore
import CompactdStore

/// `compactctl history`: deliveries, attempts, acknowledgments and snoozes in time order.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show deliveries, attempts, acknowledgments and snoozes in time order.")

    @OptionGroup var config: ConfigOptions
    @Option(help: "Only this compact.") var compact: String?
    @Option(help: "Only since this time.") var since: String?
    @Option(help: "Only these kinds (comma-separated): enqueued, attempt, acknowledged, unacknowledged, snoozed, retried, channel-disabled, channel-enabled.") var kind: String?
    @Option(help: "At most this many lines.") var limit: Int = 1000
    @Flag(help: "Print JSON.") var json = false

    struct Line: Encodable {
        var at: String
        var kind: String
        var compact: String?
        var subject: String
        var detail: String?
        var actor: String?
    }

    func run() async throws {
        let c = try config.load().configuration
        if let compact, c.compact(compact) == nil { throw CommandFailure("unknown compact '\(compact)'") }
        var from: Instant?
        if let since {
            guard let parsed = TimestampFormat.parse(since, zone: c.timeZone) else { throw CommandFailure("--since '\(since)' is not a time") }
            from = parsed
        }
        let kinds = kind.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        let store = try StateAccess.open(c)
        var lines: [(Instant, Line)] = []
        for event in try await store.history(compactID: compact, since: from, kinds: nil, limit: limit) {
            lines.append((event.at, Line(at: TimestampFormat.rfc3339(event.at, in: c.timeZone), kind: event.kind, compact: event.compactID, subject: event.subject, detail: event.detail, actor: event.actor)))
        }
        let deliveries = try await store.deliveries(status: nil, channel: nil, limit: 1_000_000).filter { compact == nil || $0.snapshot.compactID == compact }
        let byID = Dictionary(uniqueKeysWithValues: deliveries.map { ($0.id, $0) })
        for d in deliveries where from.map({ d.createdAt >= $0 }) ?? true {
            lines.append((d.createdAt, Line(at: TimestampFormat.rfc3339(d.createdAt, in: c.timeZone), kind: "enqueued", compact: d.snapshot.compactID, subject: d.id, detail: "\(d.snapshot.label), now \(d.status.rawValue)")))
        }
        for a in try await store.attempts(deliveryID: nil, since: from, limit: limit) {
            guard let d = byID[a.deliveryID] else { continue }
            var detail = "attempt \(a.number): \(a.outcome.rawValue)"
            if let s = a.httpStatus { detail += ", HTTP \(s)" }
            if let s = a.smtpReply { detail += ", SMTP \(s)" }
            if let e = a.curlError { detail += ", \(e)" }
            detail += ", \(a.latencyMilliseconds) ms"
            lines.append((a.finishedAt, Line(at: TimestampFormat.rfc3339(a.finishedAt, in: c.timeZone), kind: "attempt", compact: d.snapshot.compactID, subject: d.id, detail: detail)))
        }
        let selected = lines.filter { kinds?.contains($0.1.kind) ?? true }.sorted { $0.0 < $1.0 }.suffix(limit).map(\.1)
        if json {
            print(try JSONOutput.encode(selected))
            return
        }
        if selected.isEmpty { print("no history"); return }
        var table = TextTable(headers: ["TIME", "KIND", "SUBJECT", "DETAIL"])
        for line in selected { table.add([line.at, line.kind, line.subject, [line.detail, line.actor.map { "by \($0)" }].compactMap { $0 }.joined(separator: " ")]) }
        print(table.render())
    }
}
