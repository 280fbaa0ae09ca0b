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
