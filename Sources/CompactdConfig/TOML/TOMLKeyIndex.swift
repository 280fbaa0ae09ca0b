/// Keys in the order added, and where each is: found by comparing with each while there are
/// `linearLimit` or fewer (a configuration table holds a handful, and comparing a short key
/// with each costs less than hashing it: hashing was a tenth of reading 10,000 compact files),
/// through a dictionary past that, so a table with thousands of keys still finds one at once.
/// `TOMLTable` and the parser's flag tree keep their values beside it, at the same positions.
struct TOMLKeyIndex {
    private(set) var keys: [String] = []
    private var positions: [String: Int]?
    private static let linearLimit = 16

    func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return keys.firstIndex(of: key)
    }

    /// Adds a key the caller has checked is new, at the next position.
    mutating func append(_ key: String) {
        // Room for a typical table's keys at once: grown one by one, the array was
        // reallocated at nearly every insert.
        if keys.isEmpty { keys.reserveCapacity(4) }
        keys.append(key)
        if positions != nil {
            positions?[key] = keys.count - 1
        } else if keys.count > Self.linearLimit {
            positions = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        }
    }
}
