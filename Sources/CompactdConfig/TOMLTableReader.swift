import CompactdCore

/// Reads one TOML table strictly: each getter checks the type and records a problem (with
/// file, line and key) when it is wrong, and `finish()` reports every key nobody asked for,
/// so a typo such as `reminder = ...` is an error rather than silently ignored.
final class TOMLTableReader {
    let table: TOMLTable
    /// Where this table is: its parent and the key (and element) under it.
    private let parent: TOMLTableReader?
    private let name: String
    private let element: Int?
    /// This table's path, e.g. `cycles[0].steps[1]`; empty at the top. Written out only when a
    /// message needs it: most tables are read without one.
    var path: String {
        guard let parent else { return name }
        let key = parent.keyPath(name)
        return element.map { "\(key)[\($0)]" } ?? key
    }
    let source: ConfigSourceFile
    /// Which of the table's keys were asked for, by position (`TOMLTable.position(of:)`): the
    /// first 64 as bits, any more in an array (an array for every table was one allocation in
    /// fifteen of reading a compact file). Unchecked for the reason `TOMLTable`'s storage
    /// is: only `value(_:)` and `finish` touch them.
    @exclusivity(unchecked) private var consumedFirst: UInt64 = 0
    @exclusivity(unchecked) private var consumedMore: [Bool] = []

    /// The reader of a file's top table.
    convenience init(document table: TOMLTable, source: ConfigSourceFile) {
        self.init(table: table, parent: nil, name: "", element: nil, source: source)
    }

    private init(table: TOMLTable, parent: TOMLTableReader?, name: String, element: Int?, source: ConfigSourceFile) {
        self.table = table
        self.parent = parent
        self.name = name
        self.element = element
        self.source = source
        if table.count > 64 { consumedMore = Array(repeating: false, count: table.count - 64) }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func report(_ key: String, _ message: String, severity: ConfigProblem.Severity = .error) {
        source.report(keyPath(key), message, severity: severity)
    }

    /// The raw value, marking the key as known.
    func value(_ key: String) -> TOMLValue? {
        guard let position = table.position(of: key) else { return nil }
        if position < 64 { consumedFirst |= 1 << UInt64(position) } else { consumedMore[position - 64] = true }
        return table.value(at: position)
    }

    func has(_ key: String) -> Bool { table.contains(key: key) }

    private func typeName(_ value: TOMLValue) -> String { value.typeName }

    private func wrongType(_ key: String, _ value: TOMLValue, expected: String) {
        report(key, "expected \(expected), found \(typeName(value))")
    }

    private func missing(_ key: String, expected: String) {
        report(key, "missing; expected \(expected)")
    }

    func string(_ key: String, required: Bool = false, expected: String = "a string") -> String? {
        guard let v = value(key) else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard let s = v.string else {
            wrongType(key, v, expected: expected)
            return nil
        }
        return s
    }

    /// A string that must not be empty or blank.
    func text(_ key: String, required: Bool = false, expected: String = "a non-empty string") -> String? {
        guard let s = string(key, required: required, expected: expected) else { return nil }
        if Self.isBlank(s) {
            report(key, "is empty; expected \(expected)")
            return nil
        }
        return s
    }

    /// Empty or white space only. Most text starts with a visible ASCII character, which
    /// answers without walking the string's Characters.
    static func isBlank(_ s: String) -> Bool {
        if let first = s.utf8.first, first > 0x20, first < 0x7F { return false }
        return s.allSatisfy(\.isWhitespace)
    }

    /// An identifier: lower-case letters, digits and dashes, starting with a letter.
    func identifier(_ key: String, required: Bool = true) -> String? {
        let expected = "an id of lower-case letters, digits and dashes, such as \"summer-reengagement\""
        guard let s = string(key, required: required, expected: expected) else { return nil }
        guard Self.isIdentifier(s) else {
            report(key, "'\(s)' is not a valid id; expected \(expected)")
            return nil
        }
        return s
    }

    static func isIdentifier(_ s: String) -> Bool {
        // Over the string's own bytes: through the UTF-8 view, byte by byte, this was a
        // fortieth of reading 10,000 compact files.
        var s = s
        return s.withUTF8 { bytes in
            guard let first = bytes.first, first >= 97 && first <= 122, bytes.count <= 64 else { return false }
            return bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") }
        }
    }

    func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil, expected: String = "an integer") -> Int? {
        guard let v = value(key) else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard let i = v.int else {
            wrongType(key, v, expected: expected)
            return nil
        }
        if let range, !range.contains(i) {
            report(key, "\(i) is out of range; expected \(expected)")
            return nil
        }
        return i
    }

    func bool(_ key: String, expected: String = "true or false") -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else {
            wrongType(key, v, expected: expected)
            return nil
        }
        return b
    }

    func stringArray(_ key: String, required: Bool = false, expected: String = "an array of strings") -> [String]? {
        guard let v = value(key) else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard let array = v.array else {
            wrongType(key, v, expected: expected)
            return nil
        }
        var result: [String] = []
        for (i, element) in array.enumerated() {
            guard let s = element.string else {
                source.report("\(keyPath(key))[\(i)]", "expected a string, found \(typeName(element))")
                return nil
            }
            result.append(s)
        }
        return result
    }

    /// A calendar date, written as a TOML date (`2024-06-04`) or a string.
    func date(_ key: String, required: Bool = false) -> LocalDate? {
        let expected = "a date such as 2024-06-04"
        guard let v = value(key) else {
            if required { missing(key, expected: expected) }
            return nil
        }
        if let d = v.date, let date = LocalDate(validatingYear: d.year, month: d.month, day: d.day) { return date }
        if let s = v.string, let date = LocalDate(parsing: s) { return date }
        if let s = v.string {
            report(key, "'\(s)' is not a date; expected \(expected)")
        } else {
            wrongType(key, v, expected: expected)
        }
        return nil
    }

    /// A wall-clock date and time in the configured zone: a TOML local date-time
    /// (`2025-01-15T09:00:00`), or a date, which means `defaultTime` that day.
    func localDateTime(_ key: String, required: Bool = false, defaultHour: Int = 9) -> LocalDateTime? {
        let expected = "a local date-time such as 2025-01-15T09:00:00, or a date"
        guard let v = value(key) else {
            if required { missing(key, expected: expected) }
            return nil
        }
        if let dt = v.dateTime {
            if dt.offset != nil {
                report(key, "has a UTC offset; expected \(expected) without an offset (times are in the configured time_zone)")
                return nil
            }
            guard let date = LocalDate(validatingYear: dt.date.year, month: dt.date.month, day: dt.date.day) else {
                report(key, "is not a valid date; expected \(expected)")
                return nil
            }
            return LocalDateTime(date: date, hour: dt.time.hour, minute: dt.time.minute, second: dt.time.second)
        }
        if let d = v.date, let date = LocalDate(validatingYear: d.year, month: d.month, day: d.day) {
            return LocalDateTime(date: date, hour: defaultHour)
        }
        wrongType(key, v, expected: expected)
        return nil
    }

    /// A systemd time span such as `30d` or `1w 2d`.
    func timeSpan(_ key: String, required: Bool = false) -> TimeSpan? {
        let expected = "a time span such as \"30d\", \"1w 2d\", \"2h 30min\" or \"0\""
        guard let v = value(key) else {
            if required { missing(key, expected: expected) }
            return nil
        }
        let text: String
        if let s = v.string {
            text = s
        } else if let i = v.int, i == 0 {
            text = "0"
        } else {
            wrongType(key, v, expected: expected)
            return nil
        }
        guard let span = TimeSpan(parsing: text) else {
            report(key, "'\(text)' is not a time span; expected \(expected)")
            return nil
        }
        return span
    }

    func timeSpanArray(_ key: String) -> [TimeSpan]? {
        let expected = "an array of time spans such as [\"30d\", \"7d\", \"1d\", \"0\"]"
        guard let v = value(key) else { return nil }
        guard let array = v.array else {
            wrongType(key, v, expected: expected)
            return nil
        }
        var result: [TimeSpan] = []
        for (i, element) in array.enumerated() {
            let text = element.string ?? (element.int == 0 ? "0" : nil)
            guard let text, let span = TimeSpan(parsing: text) else {
                source.report("\(keyPath(key))[\(i)]", "\(element.string.map { "'\($0)'" } ?? typeName(element)) is not a time span; expected \(expected)")
                return nil
            }
            result.append(span)
        }
        return result
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = false) -> E? where E.RawValue == String {
        // Written out only for a message: building it for every value read cost more than the read.
        let expected = { "one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }
        guard let v = value(key) else {
            if required { missing(key, expected: expected()) }
            return nil
        }
        guard let s = v.string else {
            wrongType(key, v, expected: expected())
            return nil
        }
        guard let e = E(rawValue: s) else {
            report(key, "'\(s)' is not allowed; expected \(expected())")
            return nil
        }
        return e
    }

    func table(_ key: String) -> TOMLTableReader? {
        guard let v = value(key) else { return nil }
        guard let t = v.table else {
            wrongType(key, v, expected: "a table")
            return nil
        }
        return TOMLTableReader(table: t, parent: self, name: key, element: nil, source: source)
    }

    /// The sub-tables of a table such as `[channels.NAME]`, in name order.
    func namedTables(_ key: String) -> [(name: String, reader: TOMLTableReader)] {
        guard let outer = table(key) else { return [] }
        var result: [(String, TOMLTableReader)] = []
        for name in outer.table.keys.sorted() {
            guard let inner = outer.table(name) else { continue }
            result.append((name, inner))
        }
        return result
    }

    /// An array of tables (`[[cycles]]`).
    func tableArray(_ key: String) -> [TOMLTableReader] {
        guard let v = value(key) else { return [] }
        guard let array = v.array else {
            wrongType(key, v, expected: "an array of tables ([[\(keyPath(key))]])")
            return []
        }
        var result: [TOMLTableReader] = []
        result.reserveCapacity(array.count)
        for (i, element) in array.enumerated() {
            guard let t = element.table else {
                source.report("\(keyPath(key))[\(i)]", "expected a table, found \(typeName(element))")
                continue
            }
            result.append(TOMLTableReader(table: t, parent: self, name: key, element: i, source: source))
        }
        return result
    }

    private func wasAsked(_ position: Int) -> Bool {
        position < 64 ? consumedFirst & (1 << UInt64(position)) != 0 : consumedMore[position - 64]
    }

    /// Reports every key that was never read, suggesting the closest known one.
    func finish(known: [String]) {
        let count = table.count
        let firstAll: UInt64 = count >= 64 ? .max : (1 << UInt64(count)) - 1
        guard consumedFirst != firstAll || consumedMore.contains(false) else { return }
        let keys = table.keys
        let unknown = keys.indices.filter { !wasAsked($0) }.map { keys[$0] }
        for key in unknown.sorted() {
            if let suggestion = EditDistance.suggestion(for: key, among: known) {
                report(key, "unknown key; did you mean '\(suggestion)'? expected one of \(known.joined(separator: ", "))")
            } else {
                report(key, "unknown key; expected one of \(known.joined(separator: ", "))")
            }
        }
    }
}
