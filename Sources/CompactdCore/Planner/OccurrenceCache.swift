/// Remembers a calendar expression's elapses over a window during one planning pass: most
/// compacts share the same few cycle expressions, so each is walked once, not once per compact.
struct OccurrenceCache {
    private struct Key: Hashable {
        var spec: CalendarSpec
        var from: Instant
        var to: Instant
    }

    private var entries: [Key: [Instant]] = [:]

    /// Elapses at or after `from` and at or before `to`.
    mutating func occurrences(of spec: CalendarSpec, from: Instant, to: Instant, zone: ZoneInfo) -> [Instant] {
        let key = Key(spec: spec, from: from, to: to)
        if let cached = entries[key] { return cached }
        var result: [Instant] = []
        var cursor = from.adding(microseconds: -1)
        while let next = spec.nextElapse(after: cursor, localZone: zone), next <= to {
            result.append(next)
            cursor = next
        }
        entries[key] = result
        return result
    }
}
