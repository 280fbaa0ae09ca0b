import Crypto
import Foundation

/// Signs a webhook per the Standard Webhooks specification: the signed content is
/// `id.timestamp.body`, the key is the base64 part of a `whsec_` secret, and the header carries
/// one `v1,<base64 HMAC-SHA256>` per secret (several during a rotation), space-separated.
public struct StandardWebhookSigner: Sendable {
    public enum SecretError: Error, CustomStringConvertible {
        case notBase64

        public var description: String { "the signing secret is not whsec_ followed by base64" }
    }

    /// The decoded key bytes (SymmetricKey itself is not Sendable).
    private let keys: [Data]

    /// - Parameter secrets: `whsec_...` secrets (the prefix is optional).
    public init(secrets: [String]) throws(SecretError) {
        var keys: [Data] = []
        for secret in secrets {
            let trimmed = secret.trimmingWhitespace()
            let encoded = trimmed.hasPrefix("whsec_") ? String(trimmed.dropFirst(6)) : trimmed
            guard let data = Data(base64Encoded: encoded), !data.isEmpty else { throw .notBase64 }
            keys.append(data)
        }
        self.keys = keys
    }

    /// The `webhook-signature` header value.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return keys.map { key in
            "v1," + Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))).base64EncodedString()
        }.joined(separator: " ")
    }

    /// The three headers for one send.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature(id: id, timestamp: timestamp, body: body))]
    }
}
