import CompactdCore
import Foundation

/// A table as a command prints it: left-aligned, space-padded columns for people (`render`),
/// or the same columns as CSV for spreadsheets (`csv`), so that the two never disagree.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows { Self.widen(&widths, row) }
        return ([Self.line(headers, widths)] + rows.map { Self.line($0, widths) }).joined(separator: "\n")
    }

    static func widen(_ widths: inout [Int], _ cells: [String]) {
        for (i, cell) in cells.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }

    /// One line: each cell padded to its column's width but the last, two spaces between.
    static func line(_ cells: [String], _ widths: [Int]) -> String {
        cells.enumerated().map { i, cell in
            i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }.joined(separator: "  ")
    }

    /// The CSV header line's fields: "LOCAL TIME" is `local_time`.
    static func csvHeader(_ headers: [String]) -> String {
        headers.map { csvField($0.lowercased().replacingOccurrences(of: " ", with: "_")) }.joined(separator: ",")
    }

    /// A table too large to hold as strings (a year of 10,000 compacts is 420,000 rows; 507 MB
    /// held, measured): `rows` makes the rows in order and hands each to the function it is
    /// given, once. CSV is written as it comes; a table's rows are held as `InternedTable`
    /// holds them (the widths are known only at the end). With no rows a table prints
    /// `ifEmpty` instead of its header. Returns the number of rows.
    @discardableResult
    static func stream(headers: [String], csv: Bool, ifEmpty: String, rows: (_ emit: ([String]) -> Void) -> Void) -> Int {
        let out = OutputBytes()
        var count = 0
        if csv {
            out.write(csvHeader(headers) + "\r\n")
            // A cell CSV leaves as it is (nearly every one) is copied in as it is; any other is
            // quoted once and kept: rows repeat the same times, steps and kinds, and quoting
            // every cell anew was most of a year's CSV. (Every cell was kept, which at 100,000
            // compacts, a million distinct step keys, filled the table, cleared it and filled
            // it again: a year's CSV took 12-17 s.)
            var fields: [String: [UInt8]] = [:]
            rows { row in
                for (i, cell) in row.enumerated() {
                    if i > 0 { out.write(bytes: Self.comma) }
                    if Self.isPlainCSVField(cell) {
                        out.write(cell)
                    } else if let known = fields[cell] {
                        out.write(bytes: known)
                    } else {
                        if fields.count >= 100_000 { fields.removeAll(keepingCapacity: true) }
                        let field = Array(csvField(cell).utf8)
                        fields[cell] = field
                        out.write(bytes: field)
                    }
                }
                out.write(bytes: Self.crlf)
                count += 1
            }
        } else {
            var table = InternedTable(columns: headers.count)
            rows { table.add($0) }
            count = table.count
            if count == 0 {
                out.write(ifEmpty + "\n")
            } else {
                table.write(headers: headers, to: out)
            }
        }
        out.flush()
        return count
    }

    private static let comma = Array(",".utf8)
    private static let crlf = Array("\r\n".utf8)

    /// RFC 4180: a header line of snake_case names ("LOCAL TIME" is `local_time`), CRLF line
    /// ends, fields quoted when they hold a comma, a quote or a line break. An empty table is
    /// its header line alone.
    func csv() -> String {
        ([Self.csvHeader(headers)] + rows.map { $0.map(Self.csvField).joined(separator: ",") }).joined(separator: "\r\n") + "\r\n"
    }

    /// Whether `csvField` leaves `cell` as it is: printable ASCII without a comma or a quote,
    /// not starting with a character a spreadsheet would read as a formula. `csvField` answers
    /// such a cell at once, and `stream` copies it straight out.
    static func isPlainCSVField(_ cell: String) -> Bool {
        var cell = cell
        return cell.withUTF8 { bytes in
            if let first = bytes.first, first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@") {
                return false
            }
            return !bytes.contains { $0 < 0x20 || $0 > 0x7E || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") }
        }
    }

    /// One CSV field. A cell a spreadsheet would run as a formula (=, +, -, @ first, or a tab
    /// or CR: a partner named "=HYPERLINK(…)" in a city's file) is prefixed with an apostrophe,
    /// as OWASP advises; a plain negative number ("-3" days) is left as it is.
    /// Read by scalar, not by Character: a comma, quote or "=" that a combining mark follows
    /// is one Character equal to none of them, yet still a comma, quote or "=" to a reader.
    static func csvField(_ value: String) -> String {
        if isPlainCSVField(value) { return value }
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !(first == "-" && Int(value) != nil) {
            value = "'" + value
        }
        let quoted = value.unicodeScalars.contains { scalar in
            // Quotes, commas, and what Character.isNewline counts as a line break.
            scalar == "," || scalar == "\"" || (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
        }
        // Quotes doubled by byte (Foundation's replacingOccurrences also compares Characters).
        return quoted ? "\"" + ByteEscaping.replacing(value) { $0 == UInt8(ascii: "\"") ? "\"\"" : nil } + "\"" : value
    }
}
