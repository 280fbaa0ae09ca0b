@testable import CompactdConfig
import Foundation
import Testing

/// The configuration's text checks read UTF-8 bytes; each must say exactly what its definition
/// over characters says, for text mixing ASCII, control characters, the separators and other
/// characters whose encodings share their lead byte (E2: "…", "€", U+2027, U+202A).
@Suite("Configuration text checks")
struct TextCheckTests {
    /// Scalars chosen to sit on every edge of both checks.
    static let pool: [Unicode.Scalar] = [
        "a", "z", "0", "9", "-", "_", " ", "A", "é", "🏫", "\u{0}", "\u{9}", "\u{A}", "\u{D}", "\u{1F}", "\u{7F}", "\u{80}", "\u{85}",
        "\u{2026}", "\u{20AC}", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{E2}", "\u{A8}",
    ]

    static func texts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { _ in
            var scalars = String.UnicodeScalarView()
            for _ in 0..<next(12) { scalars.append(pool[next(pool.count)]) }
            return String(scalars)
        }
    }

    @Test("one line of plain text: no control character, no U+2028 or U+2029, as the scalars say")
    func singleLine() {
        var flagged = 0
        for text in Self.texts(count: 20_000, seed: 7) {
            let expected = !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x2028 || $0.value == 0x2029 }
            #expect(ConfigurationLoader.isSingleLine(text) == expected, "\(Array(text.unicodeScalars.map(\.value)))")
            if !expected { flagged += 1 }
        }
        #expect(flagged > 1_000 && flagged < 19_000)
    }

    /// The checks pass over eight bytes at a time while none can matter: one character that
    /// matters, put at every place of a longer text, across the words' edges, is seen at each.
    @Test("one line of plain text: a control character or separator is seen at every place of a 40-byte text")
    func singleLineEveryPlace() {
        for place in 0...40 {
            let (before, after) = (String(repeating: "a", count: place), String(repeating: "b", count: 40 - place))
            for bad in ["\u{0}", "\u{9}", "\u{A}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}"] {
                #expect(!ConfigurationLoader.isSingleLine(before + bad + after), "\(Array(bad.unicodeScalars)) at \(place)")
            }
            for fine in ["é", "\u{2026}", "\u{202A}", "\u{80}", " ", "🏫"] {
                #expect(ConfigurationLoader.isSingleLine(before + fine + after), "\(Array(fine.unicodeScalars)) at \(place)")
            }
        }
    }

    /// A basic string is taken as it stands, passed over eight bytes at a time, until a quote,
    /// a backslash or a control byte: each, put at every place of a longer string, ends the
    /// string, is read as its escape, or is refused (a tab is let through), as TOML says.
    @Test("TOML basic strings: the quote, an escape, a tab and a control byte are each seen at every place")
    func basicStringEveryPlace() throws {
        for place in 0...40 {
            let (before, after) = (String(repeating: "a", count: place), String(repeating: "b", count: 40 - place))
            let cases: [(written: String, read: String)] = [
                ("\\n", "\n"), ("\\\"", "\""), ("\\\\", "\\"), ("\t", "\t"), ("\\u00e9", "é"), ("é", "é"), ("\u{2026}", "\u{2026}"),
            ]
            for (written, read) in cases {
                let table = try TOMLParser.parse("k = \"\(before)\(written)\(after)\"\n")
                #expect(table["k"]?.string == before + read + after, "\(written) at \(place)")
            }
            // The string ends at the first unescaped quote: what follows is not a value's end.
            #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse("k = \"\(before)\"\(after)\"\n") }
            for control in ["\u{1}", "\u{1F}", "\u{7F}", "\n"] {
                #expect(throws: TOMLSyntaxError.self, "\(Array(control.unicodeScalars)) at \(place)") {
                    try TOMLParser.parse("k = \"\(before)\(control)\(after)\"\n")
                }
            }
            #expect(try TOMLParser.parse("k = \"\(before)\(after)\"\n")["k"]?.string == before + after)
        }
    }

    @Test("identifiers: a lower-case letter, then lower-case letters, digits and hyphens, at most 64")
    func identifiers() {
        var valid = 0
        let letters: [Unicode.Scalar] = ["a", "q", "z", "0", "9", "-"]
        for (i, text) in Self.texts(count: 20_000, seed: 11).enumerated() {
            // Half the texts drawn from the identifier alphabet alone, so that both answers occur.
            let candidate = i % 2 == 0 ? text : String(String.UnicodeScalarView(text.unicodeScalars.map { letters[Int($0.value) % letters.count] }))
            // `\z`, not `$`: ICU's `$` also matches before a final line break.
            let expected = candidate.range(of: "^[a-z][a-z0-9-]{0,63}\\z", options: .regularExpression) != nil
            #expect(TOMLTableReader.isIdentifier(candidate) == expected, "\(candidate)")
            if expected { valid += 1 }
        }
        #expect(valid > 1_000)
        #expect(TOMLTableReader.isIdentifier(String(repeating: "a", count: 64)))
        #expect(!TOMLTableReader.isIdentifier(String(repeating: "a", count: 65)))
    }
}
