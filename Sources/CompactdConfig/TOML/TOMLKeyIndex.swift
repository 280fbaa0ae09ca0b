/// Keys in the order added, each with its value (a table's entry, a flag tree's child): found
/// by comparing with each while there are `linearLimit` or fewer (a configuration table holds
/// a handful, and comparing a short key with each costs less than hashing it: hashing was a
/// tenth of reading 10,000 compact files), through a dictionary of positions past that, so a
/// table with thousands of keys still finds one at once. Keys and values are kept side by side
/// in one array: two arrays were two allocations for every table of every file.
struct TOMLKeyIndex<Value> {
    struct Item {
        let key: String
        /// The key's length in bytes (`signature(of:)`), compared before the key: most keys of
        /// a table differ in length, and a mismatch found by comparing the strings was a call
        /// into the standard library's string comparison each (two fifths of all lookups' cost).
        /// Its first byte too saved fewer comparisons than reading it cost.
        let signature: Int
        var value: Value
    }

    static func signature(of key: String) -> Int {
        key.utf8.count
    }

    private(set) var items: [Item] = []
    private var positions: [String: Int]?
    private static var linearLimit: Int { 16 }

    var count: Int { items.count }

    var keys: [String] { items.map(\.key) }

    func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        // Each key compared where it lies: `firstIndex(where:)` copied every item (its key
        // and value retained and released) to hand it to the test.
        let signature = Self.signature(of: key)
        for index in items.indices where items[index].signature == signature && items[index].key == key { return index }
        return nil
    }

    /// The value at a position, read and changed in place (a get and a set copied it out
    /// and back).
    subscript(position: Int) -> Value {
        _read { yield items[position].value }
        _modify { yield &items[position].value }
    }

    /// Adds a key the caller has checked is new, at the next position.
    mutating func append(_ key: String, _ value: Value) {
        // Room for a typical table's keys at once: grown one by one, the array was
        // reallocated at nearly every insert.
        if items.isEmpty { items.reserveCapacity(4) }
        items.append(Item(key: key, signature: Self.signature(of: key), value: value))
        if positions != nil {
            positions?[key] = items.count - 1
        } else if items.count > Self.linearLimit {
            positions = Dictionary(uniqueKeysWithValues: items.indices.map { (items[$0].key, $0) })
        }
    }
}
