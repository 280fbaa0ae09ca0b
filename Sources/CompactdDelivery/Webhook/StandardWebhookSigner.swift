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
    ///
    /// The signed content is made as one buffer and given to the HMAC once, and the MAC is
    /// written in base64 straight into the header's storage: Foundation's `Data` for the MAC and
    /// its base64, and `HMAC.update`'s walk over `DataProtocol` regions for each of two parts
    /// (unspecialized across the module boundary), cost ~12,000 instructions a signature beyond
    /// the hashing itself, the second-largest piece of building a webhook.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var signed: [UInt8] = []
        signed.reserveCapacity(id.utf8.count + 22 + body.count)
        signed.append(contentsOf: id.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: String(timestamp).utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: body)
        // "v1," and 44 base64 characters per secret, a space between.
        let count = keys.count * 48 - 1
        return String(unsafeUninitializedCapacity: max(count, 0)) { out in
            var at = 0
            for key in keys {
                var mac = key.mac
                mac.update(data: signed)
                if at > 0 {
                    out[at] = UInt8(ascii: " ")
                    at += 1
                }
                out[at] = UInt8(ascii: "v")
                out[at + 1] = UInt8(ascii: "1")
                out[at + 2] = UInt8(ascii: ",")
                at += 3
                mac.finalize().withUnsafeBytes { at = Self.base64(UnsafeRawBufferPointer($0), into: out, at: at) }
            }
            return at
        }
    }

    private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding (RFC 4648 section 4) of `bytes`, written at `at`; returns
    /// the end.
    private static func base64(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        base64Alphabet.withUnsafeBufferPointer { alphabet in
            var at = start
            var i = 0
            while i + 3 <= bytes.count {
                let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                out[at] = alphabet[Int(n >> 18)]
                out[at + 1] = alphabet[Int(n >> 12 & 63)]
                out[at + 2] = alphabet[Int(n >> 6 & 63)]
                out[at + 3] = alphabet[Int(n & 63)]
                at += 4
                i += 3
            }
            let left = bytes.count - i
            if left > 0 {
                let n = UInt32(bytes[i]) << 16 | (left == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
                out[at] = alphabet[Int(n >> 18)]
                out[at + 1] = alphabet[Int(n >> 12 & 63)]
                out[at + 2] = left == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "=")
                out[at + 3] = UInt8(ascii: "=")
                at += 4
            }
            return at
        }
    }

    /// The three headers for one send.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature(id: id, timestamp: timestamp, body: body))]
    }
}
