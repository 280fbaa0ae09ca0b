/// The ids read so far in one list of a compact file (commitments, cycles, a cycle's steps,
/// deadlines), to refuse one written twice. Compared one by one while there are few, as a
/// compact file names a handful (a `Set` for each list, made, grown and hashed into, was 5% of
/// reading a compact file); a set past that, so a compact with thousands of deadlines is still
/// read in linear time.
struct SeenIDs {
    private var few: [String] = []
    private var many: Set<String>?
    private static let linearLimit = 16

    func contains(_ id: String) -> Bool { many?.contains(id) ?? few.contains(id) }

    /// Every id, in code-point order (for a message).
    func sorted() -> [String] { (many.map(Array.init) ?? few).sorted() }

    /// Adds `id`; false if it was already there.
    mutating func insert(_ id: String) -> Bool {
        if many != nil { return many!.insert(id).inserted }
        if few.contains(id) { return false }
        few.append(id)
        if few.count > Self.linearLimit {
            many = Set(few)
            few = []
        }
        return true
    }
}
