/// Where each key of a TOML document was written, so an error can name its line.
///
/// TOMLKit reports positions only for syntax errors, so this reads the text once more: table
/// headers (`[a.b]`, `[[a.b]]`, counting array elements) and `key =` lines outside multi-line
/// values. Keys inside inline tables are not tracked; they fall back to their parent's line.
struct TOMLSourceMap {
    struct Location: Hashable {
        var line: Int
        var column: Int
    }

    private(set) var locations: [String: Location] = [:]

    init(text: String) {
        var current = ""
        var arrayCounts: [String: Int] = [:]
        var depth = 0
        var inMultilineString: String?
        for (index, rawLine) in TOMLLineScanning.lines(text).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if let delimiter = inMultilineString {
                if TOMLLineScanning.count(of: delimiter, in: line) % 2 == 1 { inMultilineString = nil }
                continue
            }
            if depth > 0 {
                depth += TOMLLineScanning.bracketDelta(TOMLLineScanning.stripComment(line))
                continue
            }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            line = TOMLLineScanning.stripComment(line.dropFirst(indent))
            let trimmed = Substring(line.trimmingWhitespace())
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[[") && trimmed.hasSuffix("]]") {
                let names = Self.splitKey(Substring(trimmed.dropFirst(2).dropLast(2)))
                let parent = Self.resolve(names.dropLast(), arrayCounts: arrayCounts)
                let arrayPath = parent.isEmpty ? names.last! : "\(parent).\(names.last!)"
                let n = arrayCounts[arrayPath, default: 0]
                arrayCounts[arrayPath] = n + 1
                current = "\(arrayPath)[\(n)]"
                locations[current] = Location(line: lineNumber, column: indent + 1)
                if locations[arrayPath] == nil { locations[arrayPath] = Location(line: lineNumber, column: indent + 1) }
            } else if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                current = Self.resolve(Self.splitKey(trimmed.dropFirst().dropLast())[...], arrayCounts: arrayCounts)
                locations[current] = Location(line: lineNumber, column: indent + 1)
            } else if let equals = TOMLLineScanning.firstUnquoted("=", in: trimmed) {
                let names = Self.splitKey(Substring(trimmed[..<equals]))
                let path = current.isEmpty ? names.joined(separator: ".") : "\(current).\(names.joined(separator: "."))"
                locations[path] = Location(line: lineNumber, column: indent + 1)
                let value = trimmed[trimmed.index(after: equals)...]
                for delimiter in ["\"\"\"", "'''"] where TOMLLineScanning.count(of: delimiter, in: value) % 2 == 1 {
                    inMultilineString = delimiter
                }
                if inMultilineString == nil { depth = max(0, TOMLLineScanning.bracketDelta(value)) }
            }
        }
    }

    /// The location of a key, or of its nearest ancestor that has one.
    func location(of path: String) -> Location? {
        var candidate = path
        while true {
            if let found = locations[candidate] { return found }
            if let bracket = candidate.lastIndex(of: "["), candidate.hasSuffix("]"), !candidate.contains(".") || bracket > candidate.lastIndex(of: ".")! {
                candidate = String(candidate[..<bracket])
            } else if let dot = candidate.lastIndex(of: ".") {
                candidate = String(candidate[..<dot])
            } else {
                return nil
            }
        }
    }

    /// Resolves header names to a path, taking the last element of arrays of tables.
    private static func resolve(_ names: ArraySlice<String>, arrayCounts: [String: Int]) -> String {
        var path = ""
        for name in names {
            path = path.isEmpty ? name : "\(path).\(name)"
            if let n = arrayCounts[path] { path += "[\(n - 1)]" }
        }
        return path
    }

    private static func splitKey(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "." {
                parts.append(current.trimmingWhitespace())
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current.trimmingWhitespace())
        return parts
    }
}
