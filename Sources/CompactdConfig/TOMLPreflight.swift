/// Checks a TOML text for the shapes that make the toml++ parser inside TOMLKit abort the
/// process (it is built with its assertions on) instead of reporting an error, so that a bad
/// file gets a clear message and a running daemon keeps its configuration.
///
/// Found by the hostile-input tests: a table header whose first character after `[` or `[[`
/// is not a bare-key character or a quote (`[\nname]`, `[.a]`, `[é]`, `[[@contacts]]`), and, by the
/// twenty-times-longer fuzzing of `make chaos`, `[[[cycles.steps]]` and `[ [a]]`.
enum TOMLPreflight {
    struct Finding {
        var line: Int
        var column: Int
        var message: String
    }

    /// Multi-line string delimiters.
    static let multilineDelimiters = ["\"\"\"", "'''"]

    static func check(_ text: String) -> Finding? {
        if let brace = braceInArray(text) { return brace }
        var depth = 0
        var inMultilineString: String?
        // Lines are looked at as UTF-8 bytes: everything searched for is ASCII, and walking
        // Characters (grapheme breaking) made this check a fifth of loading a large configuration.
        for (index, line) in TOMLLineScanning.lines(text).enumerated() {
            if let delimiter = inMultilineString {
                if TOMLLineScanning.count(of: delimiter, in: line) % 2 == 1 { inMultilineString = nil }
                continue
            }
            if depth > 0 {
                depth = max(0, depth + TOMLLineScanning.bracketDelta(line))
                continue
            }
            let bytes = line.utf8
            let start = bytes.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? bytes.endIndex
            let indent = bytes.distance(from: bytes.startIndex, to: start)
            let trimmed = line[start...]
            if trimmed.utf8.first == UInt8(ascii: "[") {
                // A header must start with a key: a bare-key character or a quote.
                // Exactly as toml++ reads it: `[[` (no space between) or `[`, then spaces; a
                // further `[` there (`[[[a]]`, `[ [a]]`) is no key either.
                let isArrayHeader = trimmed.utf8.starts(with: [UInt8(ascii: "["), UInt8(ascii: "[")])
                let afterOpening = trimmed.utf8.dropFirst(isArrayHeader ? 2 : 1).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                guard let first = afterOpening.first, Self.startsKey(first) else {
                    return Finding(line: index + 1, column: indent + 1, message: "TOML syntax error: a table header must start with a key (letters, digits, _ or -, or a quoted name), such as [[cycles]]; expected valid TOML (https://toml.io)")
                }
                // And close on this line, before any comment.
                var body = trimmed.utf8.prefix { $0 != UInt8(ascii: "#") }
                while let last = body.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == UInt8(ascii: "\r") { body = body.dropLast() }
                let closing: [UInt8] = isArrayHeader ? [UInt8(ascii: "]"), UInt8(ascii: "]")] : [UInt8(ascii: "]")]
                if !body.reversed().starts(with: closing) || body.count <= closing.count {
                    return Finding(line: index + 1, column: indent + 1, message: "TOML syntax error: a table header must open and close on one line, such as [[cycles]]; expected valid TOML (https://toml.io)")
                }
                continue
            }
            if let equals = trimmed.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let value = trimmed[trimmed.utf8.index(after: equals)...]
                for delimiter in Self.multilineDelimiters where TOMLLineScanning.count(of: delimiter, in: value) % 2 == 1 {
                    inMultilineString = delimiter
                }
                if inMultilineString == nil { depth = max(0, TOMLLineScanning.bracketDelta(value)) }
            }
        }
        return nil
    }

    /// What may follow a header's opening bracket: an ASCII letter or digit, `_`, `-`, a quote.
    static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            true
        default:
            false
        }
    }

    /// A `}` whose innermost open bracket is an array's `[` (`a = [1, }`): toml++ asserts there,
    /// expecting a value. Valid TOML never has one: `}` only closes an inline table's `{`.
    /// Scans the whole text, skipping strings (all four kinds) and comments.
    static func braceInArray(_ text: String) -> Finding? {
        let bytes = Array(text.utf8)
        var open: [UInt8] = []
        var line = 1
        var lineStart = 0
        var i = 0
        func at(_ j: Int) -> UInt8 { j < bytes.count ? bytes[j] : 0 }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = i + 1
            case UInt8(ascii: "#"):
                while i + 1 < bytes.count && bytes[i + 1] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let triple = at(i + 1) == b && at(i + 2) == b
                i += triple ? 3 : 1
                // To the closing delimiter (escapes only in basic strings); a one-line string
                // ends at the line's end, where toml++ reports it.
                while i < bytes.count {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\\") && b == UInt8(ascii: "\"") {
                        if at(i + 1) == UInt8(ascii: "\n") {
                            line += 1
                            lineStart = i + 2
                        }
                        i += 2
                        continue
                    }
                    if c == UInt8(ascii: "\n") {
                        if !triple { break }
                        line += 1
                        lineStart = i + 1
                    }
                    if c == b && (!triple || (at(i + 1) == b && at(i + 2) == b)) {
                        i += triple ? 2 : 0
                        break
                    }
                    i += 1
                }
                if i < bytes.count && bytes[i] == UInt8(ascii: "\n") { continue }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                open.append(b)
            case UInt8(ascii: "]"):
                if open.last == UInt8(ascii: "[") { open.removeLast() }
            case UInt8(ascii: "}"):
                if open.last == UInt8(ascii: "[") {
                    return Finding(line: line, column: i - lineStart + 1, message: "TOML syntax error: '}' where an array expects a value or ']'; expected valid TOML (https://toml.io)")
                }
                if open.last == UInt8(ascii: "{") { open.removeLast() }
            default:
                break
            }
            i += 1
        }
        return nil
    }
}
