/// Line-level TOML scanning shared by the source map (where keys are) and the pre-check
/// (what would abort the parser): quote-aware searches and bracket counting.
///
/// Everything here looks for ASCII characters, so it walks UTF-8 bytes rather than Characters:
/// a UTF-8 continuation byte is never ASCII, and Character iteration (grapheme breaking) made
/// these scans the costliest part of loading a large configuration.
enum TOMLLineScanning {
    /// The text's lines, split at LF bytes, a CR before the LF dropped (TOML allows CRLF).
    static func lines(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            bytes.last == UInt8(ascii: "\r") ? Substring(bytes.dropLast()) : Substring(bytes)
        }
    }

    /// Opening minus closing brackets and braces outside strings, up to a comment.
    static func bracketDelta(_ text: Substring) -> Int {
        var delta = 0
        var quote: UInt8 = 0
        var escaped = false
        for byte in text.utf8 {
            if quote != 0 {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") { escaped = true } else if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                delta += 1
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                delta -= 1
            } else if byte == UInt8(ascii: "#") {
                break
            }
        }
        return delta
    }

    /// The first `target` (an ASCII character) outside a string.
    static func firstUnquoted(_ target: Character, in text: Substring) -> Substring.Index? {
        guard let wanted = target.asciiValue else { return nil }
        var quote: UInt8 = 0
        var escaped = false
        let bytes = text.utf8
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if quote != 0 {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") { escaped = true } else if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == wanted {
                return i
            }
            i = bytes.index(after: i)
        }
        return nil
    }

    /// The text before an unquoted `#`.
    static func stripComment(_ line: Substring) -> Substring {
        firstUnquoted("#", in: line).map { line[..<$0] } ?? line
    }

    /// How often `needle` (ASCII) occurs, without overlaps (for counting `"""` and `'''`).
    static func count(of needle: String, in text: Substring) -> Int {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return 0 }
        let bytes = text.utf8
        var n = 0
        var i = bytes.startIndex
        while let found = bytes[i...].firstIndex(of: first) {
            if bytes[found...].starts(with: pattern) {
                n += 1
                i = bytes.index(found, offsetBy: pattern.count)
            } else {
                i = bytes.index(after: found)
            }
        }
        return n
    }
}
