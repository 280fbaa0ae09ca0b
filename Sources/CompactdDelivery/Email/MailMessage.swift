import CompactdCore
import Foundation

/// An email compactd builds itself: RFC 5322 headers, `multipart/alternative` with a
/// quoted-printable text part and HTML part, CRLF line ends and no line over 998 octets.
///
/// A CR or LF in any header value is refused, never passed on, so no configured name or
/// template output can add headers or recipients.
public struct MailMessage: Sendable {
    public var from: String
    public var fromName: String?
    public var to: String
    public var toName: String?
    public var subject: String
    public var textBody: String
    public var htmlBody: String
    /// `<id@domain>`, stable for the notice.
    public var messageID: String
    public var date: Date
    /// e.g. `Education Compacts <compacts.district.example.org>`.
    public var listID: String

    public init(from: String, fromName: String? = nil, to: String, toName: String? = nil, subject: String, textBody: String, htmlBody: String, messageID: String, date: Date, listID: String) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.toName = toName
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.messageID = messageID
        self.date = date
        self.listID = listID
    }

    /// The message as sent, CRLF-terminated lines.
    public func rendered() throws(MailMessageError) -> [UInt8] {
        for (field, value) in [("From", from), ("From name", fromName ?? ""), ("To", to), ("To name", toName ?? ""), ("Subject", subject), ("Message-ID", messageID), ("List-Id", listID)] {
            if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) || value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                throw MailMessageError(field: field, reason: "contains a line break (refused: header injection)")
            }
        }
        for (field, address) in [("From", from), ("To", to)] where !EmailAddress.isValid(address) {
            throw MailMessageError(field: field, reason: "is not a plain email address")
        }
        let boundary = "compactd-" + String(messageID.filter { $0.isLetter || $0.isNumber }.prefix(24))
        var headers: [String] = [
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: " + messageID,
            "From: " + Self.mailbox(name: fromName, address: from),
            Self.folded("To: " + Self.mailbox(name: toName, address: to)),
            Self.folded("Subject: " + EncodedWord.encodeIfNeeded(subject)),
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "Auto-Submitted: auto-generated",
            "X-Auto-Response-Suppress: All",
            "List-Id: " + listID,
        ]
        headers.append("")
        var lines = headers
        lines.append("This is a multi-part message in MIME format.")
        for (type, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            lines.append("--\(boundary)")
            lines.append("Content-Type: \(type); charset=UTF-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(QuotedPrintable.encode(body))
        }
        lines.append("--\(boundary)--")
        lines.append("")
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// `Name <address>`, the name quoted or encoded as needed.
    static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        return "\(EncodedWord.phrase(name)) <\(address)>"
    }

    /// Folds a long header at spaces so no line passes 76 characters where possible (RFC 2047
    /// section 2: a line with encoded-words is at most 76; RFC 5322 asks 78 of the others). The
    /// field name always keeps its first word, or the value would unfold with a leading space.
    static let foldedLineLimit = 76

    static func folded(_ header: String) -> String {
        guard header.utf8.count > Self.foldedLineLimit else { return header }
        var lines: [String] = []
        var current = ""
        for (index, word) in header.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index > 1 && !current.isEmpty && current.utf8.count + 1 + word.utf8.count > Self.foldedLineLimit {
                lines.append(current)
                current = " " + word
            } else {
                current = current.isEmpty ? String(word) : current + " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
