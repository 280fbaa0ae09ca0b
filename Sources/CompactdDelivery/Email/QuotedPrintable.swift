/// Quoted-printable (RFC 2045) for message bodies: lines of at most 76 characters with soft
/// breaks, CRLF line ends, trailing white space encoded.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        var output: [String] = []
        let normalized = text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded: [String] = []
            let bytes = Array(line.utf8)
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast) {
                    encoded.append(String(UnicodeScalar(byte)))
                } else {
                    encoded.append("=" + hex(byte))
                }
            }
            var current = ""
            for piece in encoded {
                if current.count + piece.count > 75 {
                    output.append(current + "=")
                    current = ""
                }
                current += piece
            }
            output.append(current)
        }
        return output.joined(separator: "\r\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
