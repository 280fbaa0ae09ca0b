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

    /// The keys, in the order written (`index`); `entries` holds their values at the same
    /// positions.
    ///
    /// `@exclusivity(unchecked)` on both stored properties: the runtime check of each access
    /// (that no other access to the property overlaps it) was a tenth of the instructions
    /// spent reading a compact file. No access here can overlap another: the methods below
    /// touch these properties directly, call nothing that could reach the same table while
    /// doing so, and a table belongs to the one thread parsing its document.
    @exclusivity(unchecked) private var index = TOMLKeyIndex()
    @exclusivity(unchecked) private var entries: [Entry] = []

    var keys: [String] { index.keys }

    /// Where the table itself was opened (its header, or the first key that made it), as an
    /// offset in the document.
    let offset: Int

    init(offset: Int) {
        self.offset = offset
    }

    /// Where `key` is in `keys`, or nil.
    func position(of key: String) -> Int? { index.position(of: key) }

    /// The value at a position `position(of:)` gave.
    func value(at position: Int) -> TOMLValue { entries[position].value }

    subscript(key: String) -> TOMLValue? { position(of: key).map { entries[$0].value } }

    func entry(_ key: String) -> Entry? { position(of: key).map { entries[$0] } }

    func contains(key: String) -> Bool { position(of: key) != nil }

    /// Adds a key; the parser has checked that it is new.
    func insert(_ key: String, _ value: TOMLValue, at offset: Int) {
        if let existing = position(of: key) {
            entries[existing] = Entry(value: value, offset: offset)
            return
        }
        if entries.isEmpty { entries.reserveCapacity(4) }  // as the index does for the keys
        index.append(key)
        entries.append(Entry(value: value, offset: offset))
    }

    /// Replaces the value of an existing key (an array of tables growing), keeping its place.
    func replace(_ key: String, with value: TOMLValue) {
        guard let existing = position(of: key) else { return }
        entries[existing].value = value
    }
}

/// A line and column (both from 1; the column in Unicode scalars) in a TOML document.
struct TOMLLocation: Hashable {
    var line: Int
    var column: Int
}
