/// The body a webhook channel posts.
public enum WebhookFormat: String, Sendable, Hashable, CaseIterable {
    /// compactd's versioned JSON event, signed per Standard Webhooks.
    case standard
    /// Slack incoming webhook: `{"text": ...}`.
    case slack
    /// Microsoft Teams: a message carrying an Adaptive Card.
    case teams
}
