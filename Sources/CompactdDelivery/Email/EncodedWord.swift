import Foundation

/// RFC 2047 encoded-words for non-ASCII header text (names such as "Rocío Rivas"), and
/// RFC 5322 quoting for ASCII display names.
enum EncodedWord {
    /// The text as is when it is printable ASCII, else `=?UTF-8?B?...?=` words of at most 75
    /// characters each, split on character boundaries.
    static func encodeIfNeeded(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return text }
        var words: [String] = []
        var chunk = ""
        // 39 bytes make 52 base64 characters, a 64-character word: with "Subject: " before it
        // the first line stays under 78, and each folded line under 76 (RFC 2047).
        for character in text {
            let candidate = chunk + String(character)
            if candidate.utf8.count > 39 {
                words.append(chunk)
                chunk = String(character)
            } else {
                chunk = candidate
            }
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: " ")
    }

    /// A display name: an atom when plain, a quoted string when it has specials, encoded
    /// words when it is not ASCII.
    static func phrase(_ name: String) -> String {
        if !name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return encodeIfNeeded(name) }
        let specials = "()<>[]:;@\\,.\"".unicodeScalars
        if name.unicodeScalars.contains(where: { specials.contains($0) }) {
            return "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        return name
    }
}
