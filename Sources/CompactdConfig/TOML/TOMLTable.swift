/// A TOML table: its keys in the order written, each with its value and where it was
/// defined. A reference type because the parser adds to tables named earlier in the document
/// (`[a]` then `[a.b]`); once parsing ends nothing changes it.
final class TOMLTable {
    struct Entry {
        var value: TOMLValue
        /// Where the key (or the header that made the table) was written.
        var location: TOMLLocation
    }

    private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]
    /// Where the table itself was opened (its header, or the first key that made it).
    let location: TOMLLocation

    init(location: TOMLLocation) {
        self.location = location
    }

    subscript(key: String) -> TOMLValue? { entries[key]?.value }

    func entry(_ key: String) -> Entry? { entries[key] }

    func contains(key: String) -> Bool { entries[key] != nil }

    /// Adds a key; the parser has checked that it is new.
    func insert(_ key: String, _ value: TOMLValue, at location: TOMLLocation) {
        if entries[key] == nil { keys.append(key) }
        entries[key] = Entry(value: value, location: location)
    }

    /// Replaces the value of an existing key (an array of tables growing), keeping its place.
    func replace(_ key: String, with value: TOMLValue) {
        entries[key]?.value = value
    }
}

/// A line and column (both from 1; the column in Unicode scalars) in a TOML document.
struct TOMLLocation: Hashable {
    var line: Int
    var column: Int
}
