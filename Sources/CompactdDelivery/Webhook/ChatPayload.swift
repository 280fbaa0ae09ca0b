import CompactdCore
import Foundation

/// Bodies for chat webhooks: Slack's `{"text": ...}` and a Teams message with an Adaptive Card.
public enum ChatPayload {
    public static func slack(subject: String, text: String) -> [UInt8] {
        encode(["text": "*\(slackEscaped(subject))*\n\(slackEscaped(text))"])
    }

    /// Slack's mrkdwn reads `&`, `<` and `>` as markup (`<url|label>`, `<!channel>`): a partner's
    /// name or a step title with them must be shown, not interpreted. Slack asks for exactly
    /// these three entities and no others.
    /// Byte by byte (`ByteEscaping`: a "<" that a combining mark follows is still a "<" to Slack).
    static func slackEscaped(_ text: String) -> String {
        ByteEscaping.replacing(text) { byte in
            switch byte {
            case UInt8(ascii: "&"): "&amp;"
            case UInt8(ascii: "<"): "&lt;"
            case UInt8(ascii: ">"): "&gt;"
            default: nil
            }
        }
    }

    public static func teams(subject: String, text: String, facts: [(String, String)]) -> [UInt8] {
        let card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                ["type": "TextBlock", "size": "Medium", "weight": "Bolder", "text": subject, "wrap": true],
                ["type": "TextBlock", "text": text, "wrap": true],
                ["type": "FactSet", "facts": facts.map { ["title": $0.0, "value": $0.1] }],
            ],
        ]
        return encode([
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": NSNull(), "content": card]],
        ])
    }

    private static func encode(_ object: Any) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }
}
