import ArgumentParser
import CompactdCore
import CompactdDelivery
import CompactdStore
import Foundation

/// `compactctl send-test`: a clearly marked test notice through one channel, so an operator
/// can prove a city's endpoint or the mail server works.
struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send a clearly marked test notice through a channel and report the outcome."
    )

    @OptionGroup var config: ConfigOptions

    @Argument(help: "The channel id.")
    var channel: String

    @Option(help: "For email channels: the address to send to (default: the first district contact; never a partner city's).")
    var to: String?

    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() async throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "send-test")
        let loaded = try config.load()
        let c = loaded.configuration
        guard let channel = c.channel(self.channel) else {
            throw UnknownName.channel(self.channel, in: c)
        }
        let compact = c.compacts.first { $0.notify.contains(channel.id) }
        let now = Instant.now
        let snapshot = NoticeSnapshot(
            compactID: compact?.id ?? "test", partner: compact?.partner ?? "compactd", cycleID: "test", cycleTitle: "Test",
            occurrence: c.timeZone.localDateTime(at: now).date.description, stepID: "test", stepTitle: "Test notice",
            kind: "test", label: "test", detail: "", dueAtUTC: now.rfc3339UTC, dueAtLocal: TimestampFormat.short(now, in: c.timeZone),
            timeZone: c.timeZone.identifier, daysUntilDue: 0, commitments: []
        )
        let id = "test/\(channel.id)/\(now.microsecondsSinceEpoch)"
        let delivery = DeliveryRecord(id: id, stepKey: "test", channel: channel.id, contact: nil, sendAt: now, status: .sending, attempts: 1, nextAttemptAt: nil, lastError: nil, createdAt: now, updatedAt: now, snapshot: snapshot)
        let templates = TemplateSet(directory: c.templatesDirectory)
        guard !templates.hasErrors else { throw CommandFailure("the templates have errors; run compactctl check") }
        let builder = DeliveryRequestBuilder(configuration: c, templates: templates, secrets: SecretResolver())
        let request: TransferRequest
        var destination = ""
        do {
            switch channel.kind {
            case .log:
                try ActionResult.print(format, command: "send-test", result: "\(channel.id): log channels write to the journal only; nothing to test over the network", zone: c.timeZone)
                return
            case .webhook(let settings):
                request = try builder.webhookRequest(for: delivery, settings: settings, now: now)
                destination = "to \(Self.redactedURL(settings.url))"
            case .email(let settings):
                // A test goes to the district's own people, never to a partner city by surprise.
                var recipient = c.contacts.first
                if let to {
                    guard EmailAddress.isValid(to) else { throw CommandFailure("--to '\(to)' is not an email address") }
                    recipient = Contact(id: "send-test", name: to, email: to)
                }
                guard let recipient else { throw CommandFailure("\(channel.id): no district contact to send to; give --to ADDRESS") }
                request = try builder.emailRequest(for: delivery, settings: settings, now: now, recipient: recipient)
                destination = "to \(recipient.name) <\(recipient.email)>"
            }
        } catch let failure as DeliveryRequestBuilder.Failure {
            throw CommandFailure("\(channel.id): cannot send: \(failure)")
        }
        let engine = CurlEngine()
        defer { engine.shutdown() }
        let result = await engine.perform(request)
        let classification: AttemptClassification
        var latency: Int64 = 0
        switch result {
        case .success(let response):
            latency = response.totalMicroseconds / 1000
            classification = channel.isEmail ? .smtp(replyCode: response.statusCode == 0 ? 250 : response.statusCode) : .http(status: response.statusCode, headers: response.headers, now: Instant.now)
        case .failure(let error):
            latency = error.totalMicroseconds / 1000
            classification = .transferError(error, isSMTP: channel.isEmail)
        }
        switch classification {
        case .delivered:
            try ActionResult.print(format, command: "send-test", result: "\(channel.id): test notice delivered \(destination) in \(latency) ms\(channel.isEmail ? "" : " (webhook-id \(MessageIdentifier.webhookID(for: id)))")", zone: c.timeZone)
        case .retry(let reason, _), .held(let reason):
            throw CommandFailure("\(channel.id): test notice failed, would be retried: \(reason)")
        case .dead(let reason):
            throw CommandFailure("\(channel.id): test notice refused: \(reason)")
        case .gone(let reason):
            throw CommandFailure("\(channel.id): the endpoint is gone: \(reason)")
        }
    }

    /// Where a webhook goes, without what may be its secret: scheme, host and port only, since
    /// a URL kept in a file or a credential usually carries a token in its path or query.
    static func redactedURL(_ url: String) -> String {
        if url.hasPrefix("file:") || url.hasPrefix("credential:") {
            return "the URL in \(url.hasPrefix("file:") ? "file \(url.dropFirst(5))" : "credential \(url.dropFirst(11))")"
        }
        guard case .success(let parsed) = EndpointURL.parse(url, allowedSchemes: ["http", "https"]) else { return "the configured URL" }
        return "\(parsed.scheme)://\(parsed.host)\(parsed.port.map { ":\($0)" } ?? "")/..."
    }
}
