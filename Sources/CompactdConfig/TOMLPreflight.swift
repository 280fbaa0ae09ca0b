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

    static func check(_ text: String) -> Finding? {
        if let brace = braceInArray(text) { return brace }
        var depth = 0
        var inMultilineString: String?
        for (index, rawLine) in TOMLLineScanning.lines(text).enumerated() {
            let line = Substring(rawLine)
            if let delimiter = inMultilineString {
                if TOMLLineScanning.count(of: delimiter, in: line) % 2 == 1 { inMultilineString = nil }
                continue
            }
            if depth > 0 {
                depth = max(0, depth + TOMLLineScanning.bracketDelta(line))
                continue
            }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            let trimmed = line.dropFirst(indent)
            if trimmed.hasPrefix("[") {
                // A header must start with a key: a bare-key character or a quote.
                // Exactly as toml++ reads it: `[[` (no space between) or `[`, then spaces; a
                // further `[` there (`[[[a]]`, `[ [a]]`) is no key either.
                let afterOpening = trimmed.dropFirst(trimmed.hasPrefix("[[") ? 2 : 1).drop { $0 == " " || $0 == "\t" }
                guard let first = afterOpening.first, first.isASCII, first.isLetter || first.isNumber || first == "_" || first == "-" || first == "\"" || first == "'" else {
                    return Finding(line: index + 1, column: indent + 1, message: "TOML syntax error: a table header must start with a key (letters, digits, _ or -, or a quoted name), such as [[cycles]]; expected valid TOML (https://toml.io)")
                }
                // And close on this line, before any comment.
                let body = (trimmed.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingWhitespace()
                let closing = trimmed.hasPrefix("[[") ? "]]" : "]"
                if !body.hasSuffix(closing) || body == "[" || body == "[[" {
                    return Finding(line: index + 1, column: indent + 1, message: "TOML syntax error: a table header must open and close on one line, such as [[cycles]]; expected valid TOML (https://toml.io)")
                }
                continue
            }
            if let equals = trimmed.firstIndex(of: "=") {
                let value = trimmed[trimmed.index(after: equals)...]
                for delimiter in ["\"\"\"", "'''"] where TOMLLineScanning.count(of: delimiter, in: value) % 2 == 1 {
                    inMultilineString = delimiter
                }
                if inMultilineString == nil { depth = max(0, TOMLLineScanning.bracketDelta(value)) }
            }
        }
        return nil
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
