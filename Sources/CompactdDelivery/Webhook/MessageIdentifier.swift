import Crypto
import Foundation

/// Idempotency keys derived from a notice's identity: the same notice always gets the same
/// `webhook-id` and `Message-ID`, so a resend after a crash is recognizably the same message.
public enum MessageIdentifier {
    /// `msg_` and 32 hex digits of SHA-256 over the notice identity.
    public static func webhookID(for noticeID: String) -> String {
        "msg_" + digestPrefix(noticeID)
    }

    /// `<32 hex digits@domain>` for the Message-ID header.
    public static func messageID(for noticeID: String, domain: String) -> String {
        "<\(digestPrefix(noticeID))@\(domain)>"
    }

    /// The first 16 bytes of SHA-256 over the text's UTF-8 as 32 lower-case hex digits, hashed
    /// from the string's own bytes and written in place (every delivery derives its id twice).
    static func digestPrefix(_ text: String) -> String {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: 32) { out in
            var at = 0
            for byte in digest.prefix(16) {
                out[at] = hexDigits[Int(byte >> 4)]
                out[at + 1] = hexDigits[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
