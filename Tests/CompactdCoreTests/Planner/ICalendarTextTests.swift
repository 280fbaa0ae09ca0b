@testable import CompactdCore
import Testing

/// Escaping and folding of iCalendar text, checked by undoing them: what a calendar reads back
/// must be the text given (CR dropped), no line may pass 75 octets or split a character, and
/// no separator may go out unescaped, even when a combining mark follows it.
@Suite("iCalendar text")
struct ICalendarTextTests {
    static let pieces = [
        "a", "Z", "7", " ", ";", ",", "\\", "\n", "\r", "\r\n", "é", "e\u{301}", ";\u{301}", "\n\u{301}", "🏫", "中", "ß",
        "Huntington Park", "\u{7}",
    ]

    static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                out.unicodeScalars.append(scalar == "n" ? "\n" : scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    @Test("20,000 texts: escaped, folded, unfolded and unescaped give the text back")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...120, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
            let escaped = ICalendarWriter.escape(text)
            // Nothing that ends or splits a value is left bare.
            let bare = Self.unescapedSeparators(in: escaped)
            #expect(bare.isEmpty, "\(text.debugDescription): \(bare)")
            #expect(Self.unescape(escaped) == text.replacingOccurrences(of: "\r", with: ""), "\(text.debugDescription)")

            let line = "DESCRIPTION:" + escaped
            let folded = ICalendarWriter.fold(line)
            let physical = folded.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
            for (index, bytes) in physical.enumerated() {
                let content = index < physical.count - 1 ? bytes.dropLast() : bytes[...]
                #expect(index == physical.count - 1 || bytes.last == 0x0D)
                #expect(content.count <= 75, "\(text.debugDescription)")
                #expect(index == 0 || content.first == UInt8(ascii: " "))
                #expect(String(validating: content, as: UTF8.self) != nil, "a character split: \(text.debugDescription)")
            }
            // Unfolded by bytes: a break before a combining mark makes " " and the mark one
            // Character, which a String search for "\r\n " would not find.
            #expect(String(decoding: Self.unfoldedBytes(physical), as: UTF8.self) == line, "\(text.debugDescription)")
        }
    }

    /// The physical lines joined again without their CRLF and leading space.
    static func unfoldedBytes(_ physical: [Substring.UTF8View]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, line) in physical.enumerated() {
            var content = line[...]
            if index < physical.count - 1 { content = content.dropLast() }
            if index > 0 { content = content.dropFirst() }
            bytes.append(contentsOf: content)
        }
        return bytes
    }

    /// Separators (";", ",", CR, LF) not preceded by an escaping backslash, by byte.
    static func unescapedSeparators(in escaped: String) -> [UInt8] {
        var bare: [UInt8] = []
        var escaping = false
        for byte in escaped.utf8 {
            if escaping { escaping = false; continue }
            if byte == UInt8(ascii: "\\") { escaping = true; continue }
            if byte == UInt8(ascii: ";") || byte == UInt8(ascii: ",") || byte == 0x0A || byte == 0x0D { bare.append(byte) }
        }
        return bare
    }
}
