import Crypto
import Foundation

/// Idempotency keys derived from a notice's identity: the same notice always gets the same
/// `webhook-id` and `Message-ID`, so a resend after a crash is recognizably the same message.
public enum MessageIdentifier {
    /// `msg_` and 32 hex digits of SHA-256 over the notice identity.
    public static func webhookID(for noticeID: String) -> String {
        "msg_" + hexDigest(noticeID).prefix(32)
    }

    /// `<32 hex digits@domain>` for the Message-ID header.
    public static func messageID(for noticeID: String, domain: String) -> String {
        "<\(hexDigest(noticeID).prefix(32))@\(domain)>"
    }

    static func hexDigest(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(text.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
