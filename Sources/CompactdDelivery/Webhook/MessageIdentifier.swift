import Crypto
import Foundation

/// Idempotency keys derived from a notice's identity: the same notice always gets the same
/// `webhook-id` and `Message-ID`, so a resend after a crash is recognizably the same message.
public enum MessageIdentifier {
    /// `msg_` and 32 hex digits of SHA-256 over the notice identity.
    public static func webhookID(for noticeID: String) -> String {
        "msg_" + hexDigest(noticeID, bytes: 16)
    }

    /// `<32 hex digits@domain>` for the Message-ID header.
    public static func messageID(for noticeID: String, domain: String) -> String {
        "<\(hexDigest(noticeID, bytes: 16))@\(domain)>"
    }

    /// The first `count` bytes of SHA-256 over the text's UTF-8, in lower-case hex, hashed from
    /// the string's own bytes and written in place (every delivery derives its id twice).
    static func hexDigest(_ text: String, bytes count: Int = 32) -> String {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: 2 * count) { out in
            var at = 0
            for byte in digest.prefix(count) {
                out[at] = hexDigits[Int(byte >> 4)]
                out[at + 1] = hexDigits[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
