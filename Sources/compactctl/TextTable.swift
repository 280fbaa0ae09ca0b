/// A table as a command prints it: left-aligned, space-padded columns for people (`render`),
/// or the same columns as CSV for spreadsheets (`csv`), so that the two never disagree.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// RFC 4180: a header line of snake_case names ("LOCAL TIME" is `local_time`), CRLF line
    /// ends, fields quoted when they hold a comma, a quote or a line break. An empty table is
    /// its header line alone.
    func csv() -> String {
        let header = headers.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        return ([header] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field. A cell a spreadsheet would run as a formula (=, +, -, @ first, or a tab
    /// or CR: a partner named "=HYPERLINK(…)" in a city's file) is prefixed with an apostrophe,
    /// as OWASP advises; a plain negative number ("-3" days) is left as it is.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first), !(first == "-" && Int(value) != nil) {
            value = "'" + value
        }
        return value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}
