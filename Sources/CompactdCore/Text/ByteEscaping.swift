/// Text with some of its bytes replaced, read byte by byte: the escaping of formats whose
/// special characters are ASCII (HTML, iCalendar, Slack's mrkdwn, CSV quotes). A String
/// iterates grapheme clusters, and an ASCII character that a combining mark follows is one
/// cluster equal to no ASCII character: escaped a Character at a time, it went out raw.
public enum ByteEscaping {
    /// `text` with each byte that `replacement` names replaced by what it returns (nil keeps
    /// the byte; "" drops it); the text itself when no byte is named.
    @inlinable
    public static func replacing(_ text: String, _ replacement: (UInt8) -> StaticString?) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { replacement($0) != nil }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            if let replaced = replacement(byte) {
                replaced.withUTF8Buffer { out.append(contentsOf: $0) }
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
