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

    /// An HMAC already keyed with one secret, copied for each signature: keying it (two
    /// SHA-256 blocks and the key's secure buffer) per notice is done once instead.
    /// `@unchecked`: never changed after `init`; each use mutates its own copy (copy on write).
    private final class KeyedMAC: @unchecked Sendable {
        let mac: HMAC<SHA256>
        init(key: Data) { mac = HMAC<SHA256>(key: SymmetricKey(data: key)) }
    }

    private let keys: [KeyedMAC]

    /// - Parameter secrets: `whsec_...` secrets (the prefix is optional).
    public init(secrets: [String]) throws(SecretError) {
        var keys: [KeyedMAC] = []
        for secret in secrets {
            let trimmed = secret.trimmingWhitespace()
            let encoded = trimmed.hasPrefix("whsec_") ? String(trimmed.dropFirst(6)) : trimmed
            guard let data = Data(base64Encoded: encoded), !data.isEmpty else { throw .notBase64 }
            keys.append(KeyedMAC(key: data))
        }
        self.keys = keys
    }

    /// The `webhook-signature` header value.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        let prefix = Array("\(id).\(timestamp).".utf8)
        return keys.map { key in
            var mac = key.mac
            mac.update(data: prefix)
            mac.update(data: body)
            return "v1," + Data(mac.finalize()).base64EncodedString()
        }.joined(separator: " ")
    }

    /// The three headers for one send.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature(id: id, timestamp: timestamp, body: body))]
    }
}
