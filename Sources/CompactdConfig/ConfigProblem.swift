import CompactdCore

/// One thing wrong with the configuration, where it is, and what was expected.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key's path, e.g. `cycles[0].steps[1].due`; empty for the file as a whole.
    public var key: String
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.severity = severity
    }

    /// Problems in reading order: by file, then line, then column (a problem without a line,
    /// about the file as a whole, first).
    public static func inReadingOrder(_ a: ConfigProblem, _ b: ConfigProblem) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if (a.line ?? 0) != (b.line ?? 0) { return (a.line ?? 0) < (b.line ?? 0) }
        return (a.column ?? 0) < (b.column ?? 0)
    }

    /// The description on one line whatever the values quoted in it hold: a CR, LF or other
    /// control character is shown escaped (`\r`, `\n`, `\u{1B}`), never written raw.
    public var oneLine: String {
        var text = ""
        for scalar in description.unicodeScalars {
            switch scalar {
            case "\r": text += "\\r"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// `FILE:LINE:COLUMN: KEY: what is wrong, what was expected`, as compilers print.
    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        let prefix = severity == .warning ? "warning: " : ""
        return key.isEmpty ? "\(place): \(prefix)\(message)" : "\(place): \(key): \(prefix)\(message)"
    }
}
