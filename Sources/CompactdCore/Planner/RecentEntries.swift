/// The last few keys asked for and their values, compared one by one before anything is hashed
/// or worked out: a planning pass goes compact by compact, and compacts one after another ask
/// for the same handful of due times and instants. For plain values: an entry is copied to be
/// compared, which costs nothing for dates and times but retains every field of a key that
/// holds references (`PlanningCache` keeps its schedules' memo written out for that reason).
struct RecentEntries<Key: Equatable, Value> {
    private var entries: [(key: Key, value: Value)] = []
    private var next = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func value(for key: Key) -> Value? {
        // Compared in place: `for entry in entries` copied each entry to compare it.
        entries.withUnsafeBufferPointer { entries in
            for i in entries.indices where entries[i].key == key { return entries[i].value }
            return nil
        }
    }

    /// Keeps `value`, in place of the oldest entry once `limit` are kept.
    mutating func remember(_ value: Value, for key: Key) {
        if entries.count < limit {
            entries.append((key, value))
        } else {
            entries[next] = (key, value)
            next = (next + 1) % limit
        }
    }
}
