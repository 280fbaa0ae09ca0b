import CompactdCore
import CompactdStore
import Foundation

/// Turns an outbox row into the bytes on the wire for its channel: a signed JSON POST, a
/// Slack or Teams message, or an email.
public struct DeliveryRequestBuilder: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public let configuration: Configuration
    public let templates: TemplateSet
    public let secrets: SecretResolver
    /// Signs the notices' action links; nil (or keyless) sends none.
    public let linkSigner: ActionLinkSigner?
    let prepared = PreparedWebhooks()

    public init(configuration: Configuration, templates: TemplateSet, secrets: SecretResolver, linkSigner: ActionLinkSigner? = nil) {
        self.configuration = configuration
        self.templates = templates
        self.secrets = secrets
        self.linkSigner = linkSigner
    }

    /// The delivery's "Mark done" and "Snooze" links, when there are any.
    public func links(for delivery: DeliveryRecord) -> ActionLinks? {
        linkSigner.flatMap { ActionLinks.make(for: delivery, configuration: configuration, signer: $0) }
    }

    var limits: (connect: Int, total: Int) {
        (DeliverySettings.milliseconds(configuration.delivery.connectTimeout), DeliverySettings.milliseconds(configuration.delivery.totalTimeout))
    }

    /// The URL of a webhook channel, read from its file or credential when it carries a token,
    /// and checked again: https, or http only to loopback unless allowed; no user information.
    func webhookURL(_ settings: WebhookSettings) throws(Failure) -> String {
        var url = settings.url
        do {
            if url.hasPrefix("file:") {
                url = try secrets.value(of: .file(path: String(url.dropFirst(5))))
            } else if url.hasPrefix("credential:") {
                url = try secrets.value(of: .credential(name: String(url.dropFirst(11))))
            }
        } catch {
            throw Failure(reason: "webhook URL \(error)")
        }
        switch EndpointURL.parse(url, allowedSchemes: ["https", "http"]) {
        case .failure(let problem):
            throw Failure(reason: "webhook URL \(problem) (refused)")
        case .success(let parsed):
            if parsed.scheme == "http" && !parsed.isLoopback && !settings.allowInsecureHTTP {
                throw Failure(reason: "webhook URL uses plain http to a host that is not loopback (refused)")
            }
        }
        return url
    }

    /// - Parameter eventID: the delivery's `webhook-id`, when the caller has already derived it.
    public func webhookRequest(for delivery: DeliveryRecord, settings: WebhookSettings, now: Instant, eventID: String? = nil) throws(Failure) -> TransferRequest {
        let channel = try prepared.entry(for: settings) { () throws(Failure) -> PreparedWebhooks.Entry in
            try PreparedWebhooks.Entry(url: webhookURL(settings), signer: signer(settings))
        }
        let eventID = eventID ?? MessageIdentifier.webhookID(for: delivery.id)
        let body: [UInt8]
        switch settings.format {
        case .standard:
            body = WebhookPayload(noticeID: delivery.id, eventID: eventID, sentAt: now.rfc3339UTC, snapshot: delivery.snapshot, links: links(for: delivery)).encoded()
        case .slack, .teams:
            guard let rendered = templates.render(kind: delivery.snapshot.kind, language: "en", values: NoticeTemplateContext.values(for: delivery.snapshot, contactName: nil, links: links(for: delivery))) else {
                throw Failure(reason: "no template for \(delivery.snapshot.kind) notices")
            }
            body = settings.format == .slack
                ? ChatPayload.slack(subject: rendered.subject, text: rendered.text)
                : ChatPayload.teams(subject: rendered.subject, text: rendered.text, facts: [
                    ("Partner", delivery.snapshot.partner), ("Step", delivery.snapshot.stepTitle), ("Due", delivery.snapshot.dueAtLocal),
                ])
        }
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("User-Agent", "compactd/1")]
        if let signer = channel.signer {
            headers += signer.headers(id: eventID, timestamp: now.secondsSinceEpoch, body: body)
        } else {
            headers.append(("webhook-id", eventID))
        }
        return TransferRequest(
            operation: .httpPost(url: channel.url, headers: headers, body: body),
            connectTimeoutMilliseconds: limits.connect, totalTimeoutMilliseconds: limits.total,
            allowedProtocols: "https,http", caFile: configuration.delivery.caFile,
            maxResponseBytes: configuration.delivery.maxResponseBytes
        )
    }

    /// The channel's signer, from its secrets; nil when it has none (slack, teams).
    func signer(_ settings: WebhookSettings) throws(Failure) -> StandardWebhookSigner? {
        guard !settings.signingSecrets.isEmpty else { return nil }
        var values: [String] = []
        for reference in settings.signingSecrets {
            do { values.append(try secrets.value(of: reference)) } catch { throw Failure(reason: "signing \(error)") }
        }
        do { return try StandardWebhookSigner(secrets: values) } catch {
            throw Failure(reason: "signing secret from \(settings.signingSecrets.map(\.description).joined(separator: ", ")): \(error)")
        }
    }

    /// - Parameter recipient: overrides the delivery's contact (for `compactctl send-test --to`).
    public func emailRequest(for delivery: DeliveryRecord, settings: EmailSettings, now: Instant, recipient: Contact? = nil) throws(Failure) -> TransferRequest {
        let compact = configuration.compact(delivery.snapshot.compactID)
        let contact = recipient ?? delivery.contact.flatMap { id in
            compact.flatMap { configuration.contact(id, in: $0) } ?? configuration.contacts.first { $0.id == id }
        }
        guard let contact else {
            throw Failure(reason: "contact \(delivery.contact ?? "(none)") is no longer configured")
        }
        guard let rendered = templates.render(kind: delivery.snapshot.kind, language: contact.language.rawValue, values: NoticeTemplateContext.values(for: delivery.snapshot, contactName: contact.name, links: links(for: delivery))) else {
            throw Failure(reason: "no template for \(delivery.snapshot.kind) notices")
        }
        let domain = settings.from.split(separator: "@").last.map(String.init) ?? "compactd.invalid"
        let message = MailMessage(
            from: settings.from, fromName: "Education Compacts", to: contact.email, toName: contact.name,
            subject: rendered.subject, textBody: rendered.text, htmlBody: rendered.html,
            messageID: MessageIdentifier.messageID(for: delivery.id, domain: domain),
            date: Date(timeIntervalSince1970: TimeInterval(now.secondsSinceEpoch)),
            listID: "Education Compacts <compacts.\(domain)>"
        )
        let bytes: [UInt8]
        do { bytes = try message.rendered() } catch { throw Failure(reason: error.description) }
        var password: String?
        if let reference = settings.password {
            do { password = try secrets.value(of: reference) } catch { throw Failure(reason: "SMTP password \(error)") }
        }
        return TransferRequest(
            operation: .smtp(url: settings.serverURL, from: settings.from, recipients: [contact.email], message: bytes, tls: settings.tls, username: settings.username, password: password),
            connectTimeoutMilliseconds: limits.connect, totalTimeoutMilliseconds: limits.total,
            allowedProtocols: "smtp,smtps", caFile: configuration.delivery.caFile,
            maxResponseBytes: configuration.delivery.maxResponseBytes
        )
    }
}
