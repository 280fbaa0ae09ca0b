/// A TOML table: its keys in the order written, each with its value and where it was
/// defined. A reference type because the parser adds to tables named earlier in the document
/// (`[a]` then `[a.b]`); once parsing ends nothing changes it.
final class TOMLTable {
    struct Entry {
        var value: TOMLValue
        /// Where the key (or the header that made the table) was written: a byte offset in
        /// the document (`TOMLDocument.location(at:)` gives its line and column).
        var offset: Int
    }

    /// The keys, in the order written, each with its entry.
    ///
    /// `@exclusivity(unchecked)`: the runtime check of each access (that no other access to
    /// the property overlaps it) was a tenth of the instructions spent reading a compact
    /// file. No access here can overlap another: the methods below touch the property
    /// directly, call nothing that could reach the same table while doing so, and a table
    /// belongs to the one thread parsing its document.
    @exclusivity(unchecked) private var entries = TOMLKeyIndex<Entry>()

    var keys: [String] { entries.keys }

    /// Where the table itself was opened (its header, or the first key that made it), as an
    /// offset in the document.
    let offset: Int

    init(offset: Int) {
        self.offset = offset
    }

    /// Where `key` is in `keys`, or nil.
    func position(of key: String) -> Int? { entries.position(of: key) }

    /// The value at a position `position(of:)` gave.
    func value(at position: Int) -> TOMLValue { entries[position].value }

    subscript(key: String) -> TOMLValue? { position(of: key).map { entries[$0].value } }

    func entry(_ key: String) -> Entry? { position(of: key).map { entries[$0] } }

    func contains(key: String) -> Bool { position(of: key) != nil }

    /// How many keys the table holds.
    var count: Int { entries.count }

    /// Adds a key that is not there yet; false, and nothing changed, when it is. One scan
    /// for both the check and the insert, where asking `contains` first scanned twice.
    func insertNew(_ key: String, _ value: TOMLValue, at offset: Int) -> Bool {
        if entries.position(of: key) != nil { return false }
        entries.append(key, Entry(value: value, offset: offset))
        return true
    }

    /// An array of tables growing (`[[cycles]]`): `element` appended to the array at `key`,
    /// which is made when the key is new. False, and nothing changed, when the key holds
    /// anything but an array of tables.
    func appendToArrayOfTables(_ key: String, _ element: TOMLTable, at offset: Int) -> Bool {
        guard let position = entries.position(of: key) else {
            return insertNew(key, .array([.table(element)]), at: offset)
        }
        // Static arrays (`a = [{...}]`) are frozen before they get here; this is an array of tables.
        guard case .array(var elements) = entries[position].value, case .table? = elements.first else { return false }
        // The array taken out of its entry first, so appending to it does not copy it.
        entries[position].value = .boolean(false)
        elements.append(.table(element))
        entries[position].value = .array(elements)
        return true
    }
}

/// A line and column (both from 1; the column in Unicode scalars) in a TOML document.
struct TOMLLocation: Hashable {
    var line: Int
    var column: Int
}
