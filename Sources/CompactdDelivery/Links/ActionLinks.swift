import CompactdCore
import CompactdStore

/// The "Mark done" and "Snooze" links of one notice, signed for its recipient. Every notice
/// about a step carries them (email text and HTML, the webhook payload's `links`, Slack and
/// Teams messages); a GET on one shows a page with a button, only the button's POST acts.
public struct ActionLinks: Sendable, Hashable, Encodable {
    public var markDone: String
    public var snooze: String
    public var snoozeDays: Int
    /// When the links stop working (RFC 3339, UTC).
    public var expires: String

    public init(markDone: String, snooze: String, snoozeDays: Int, expires: String) {
        self.markDone = markDone
        self.snooze = snooze
        self.snoozeDays = snoozeDays
        self.expires = expires
    }

    /// The links for a delivery; nil without `[http]`, a signing key, or a step (a test notice).
    /// They stay valid until `link_valid_days` after the last notice the step can get (its due
    /// time plus every overdue interval).
    public static func make(for delivery: DeliveryRecord, configuration: Configuration, signer: ActionLinkSigner) -> ActionLinks? {
        guard let due = TimestampFormat.parse(delivery.snapshot.dueAtUTC, zone: .utc) else { return nil }
        return make(stepKey: delivery.stepKey, due: due, channel: delivery.channel, contact: delivery.contact, configuration: configuration, signer: signer)
    }

    /// The links for a notice of `stepKey`, due at `due`, to this channel and contact.
    public static func make(stepKey: String, due: Instant, channel: String, contact: String?, configuration: Configuration, signer: ActionLinkSigner) -> ActionLinks? {
        guard let http = configuration.http, signer.canSign, let step = StepIdentity(key: stepKey),
              let described = step.described(in: configuration) else { return nil }
        let overdue = (described.policy.overdueEvery?.maximumSeconds ?? 0) * Int64(described.policy.overdueLimit)
        let expires = Instant(secondsSinceEpoch: due.secondsSinceEpoch + overdue + Int64(http.linkValidDays) * 86_400)
        let recipient = ActionClaim.recipient(channel: channel, contact: contact)
        guard let done = signer.token(for: ActionClaim(action: .done, stepKey: step.key, recipient: recipient, expires: expires)),
              let snooze = signer.token(for: ActionClaim(action: .snooze, stepKey: step.key, recipient: recipient, expires: expires)) else { return nil }
        // The page in the recipient's language, whatever their browser says (`?lang=` is not
        // signed: it changes only the words).
        let language = contact.flatMap { id in configuration.contact(id, in: described.compact) }?.language.rawValue
        let query = language.map { $0 == "en" ? "" : "?lang=\($0)" } ?? ""
        return ActionLinks(markDone: "\(http.publicURL)/link/done/\(done)\(query)", snooze: "\(http.publicURL)/link/snooze/\(snooze)\(query)", snoozeDays: http.snoozeDays, expires: expires.rfc3339UTC)
    }
}
