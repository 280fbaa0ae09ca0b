/// Checks a TOML text for the shapes that make the toml++ parser inside TOMLKit abort the
/// process (it is built with its assertions on) instead of reporting an error, so that a bad
/// file gets a clear message and a running daemon keeps its configuration.
///
/// Found by the hostile-input tests: a table header whose first character after `[` or `[[`
/// is not a bare-key character or a quote (`[\nname]`, `[.a]`, `[é]`, `[[@contacts]]`).
enum TOMLPreflight {
    struct Finding {
        var line: Int
        var column: Int
        var message: String
    }

    static func check(_ text: String) -> Finding? {
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
                let afterOpening = trimmed.drop { $0 == "[" }.drop { $0 == " " || $0 == "\t" }
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
}
