/// A table's rows held as numbers naming their cells, each distinct cell kept once: a year's
/// agenda at 10,000 compacts is 420,000 rows of five cells but only a few hundred times, 30,000
/// step keys, a dozen kinds and a few recipients, so it is held in a few megabytes (as strings,
/// 225 MB) and planned once rather than twice (once for the widths, once for the lines).
struct InternedTable {
    private let columns: Int
    /// Per column, each distinct cell and its number.
    private var numbers: [[String: UInt32]]
    private var values: [[String]]
    /// `columns` numbers a row.
    private var cells: [UInt32] = []
    /// Per column, the last cell added and its number, compared before the cell is hashed:
    /// rows come in send order, so the times, kinds and recipients mostly repeat the row
    /// before (and a cell made once by a cache compares equal to itself at once).
    private var lastCells: [(cell: String, number: UInt32)?]

    init(columns: Int) {
        self.columns = columns
        numbers = Array(repeating: [:], count: columns)
        values = Array(repeating: [], count: columns)
        lastCells = Array(repeating: nil, count: columns)
    }

    var count: Int { cells.count / columns }

    /// One row of exactly `columns` cells.
    mutating func add(_ row: [String]) {
        precondition(row.count == columns, "a row of \(row.count) cells in a table of \(columns) columns")
        for (column, cell) in row.enumerated() { append(cellNumber: number(of: cell, column: column)) }
    }

    /// The number naming `cell` in `column`, made if it is new. A caller that keeps the numbers
    /// of what it has seen (by identity, say) adds rows with `append(cellNumber:)` instead.
    mutating func number(of cell: String, column: Int) -> UInt32 {
        if let last = lastCells[column], last.cell == cell { return last.number }
        let number: UInt32
        if let known = numbers[column][cell] {
            number = known
        } else {
            number = UInt32(values[column].count)
            numbers[column][cell] = number
            values[column].append(cell)
        }
        lastCells[column] = (cell, number)
        return number
    }

    /// The next cell of the row being added, by its number: a row is `columns` calls, in
    /// column order.
    mutating func append(cellNumber: UInt32) {
        cells.append(cellNumber)
    }

    /// The header line and every row as `TextTable.line` writes them: each cell but the last
    /// padded to its column's width, two spaces between.
    func write(headers: [String], to out: OutputBytes) {
        var widths = headers.map(\.count)
        for column in 0..<columns {
            for value in values[column] { widths[column] = max(widths[column], value.count) }
        }
        out.write(TextTable.line(headers, widths) + "\n")
        // Each distinct cell as the bytes a line holds for it, padding and separator included.
        let written: [[[UInt8]]] = (0..<columns).map { column in
            values[column].map { value in
                column == columns - 1 ? Array((value + "\n").utf8)
                    : Array((value + String(repeating: " ", count: widths[column] - value.count) + "  ").utf8)
            }
        }
        var row = 0
        while row < cells.count {
            for column in 0..<columns { out.write(bytes: written[column][Int(cells[row + column])]) }
            row += columns
        }
    }
}
