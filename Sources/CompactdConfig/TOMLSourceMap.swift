/// Where each key of a parsed TOML document was written, by its path as problems name it
/// (`cycles[0].steps[1].due`), so an error can give its line and column. The parser records
/// every key's place, inline tables' keys included.
struct TOMLSourceMap {
    struct Location: Hashable {
        var line: Int
        var column: Int

        init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }

        init(_ location: TOMLLocation) {
            self.init(line: location.line, column: location.column)
        }
    }

    private(set) var locations: [String: Location] = [:]

    init(document: TOMLDocument?) {
        guard let document else { return }
        let lines = document.lineIndex()
        add(document.root, prefix: "", lines: lines)
    }

    private mutating func add(_ table: TOMLTable, prefix: String, lines: TOMLLineIndex) {
        for key in table.keys {
            guard let entry = table.entry(key) else { continue }
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            locations[path] = Location(lines.location(at: entry.offset))
            add(entry.value, path: path, lines: lines)
        }
    }

    private mutating func add(_ value: TOMLValue, path: String, lines: TOMLLineIndex) {
        switch value {
        case .table(let inner):
            add(inner, prefix: path, lines: lines)
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                let elementPath = "\(path)[\(i)]"
                if case .table(let inner) = element {
                    locations[elementPath] = Location(lines.location(at: inner.offset))
                }
                add(element, path: elementPath, lines: lines)
            }
        default:
            break
        }
    }

    /// The location of a key, or of its nearest ancestor that has one.
    func location(of path: String) -> Location? {
        var candidate = path
        while true {
            if let found = locations[candidate] { return found }
            if let bracket = candidate.lastIndex(of: "["), candidate.hasSuffix("]"), !candidate.contains(".") || bracket > (candidate.lastIndex(of: ".") ?? candidate.startIndex) {
                candidate = String(candidate[..<bracket])
            } else if let dot = candidate.lastIndex(of: ".") {
                candidate = String(candidate[..<dot])
            } else {
                return nil
            }
        }
    }
}
