import Synchronization

/// Where each compact sits in the configuration's list, by id, made the first time it is
/// asked (`Configuration.compact(_:)` and `compactIndex(_:)` use it): a scan of the list per
/// lookup cost compacts × notices (10,000 notices due at once over 10,000 compacts compared 50
/// million ids). Made on demand: most of the daemon's passes look nothing up.
public final class CompactPlaces: Sendable {
    private let places = Mutex<[String: Int]?>(nil)

    public init() {}

    /// The compact's place in `compacts` (always the same list for one instance), or nil.
    public func place(of id: String, in compacts: [Compact]) -> Int? {
        places.withLock { places in
            if places == nil {
                var made = [String: Int](minimumCapacity: compacts.count)
                // The first of a repeated id, as `Configuration.compact(_:)` finds it.
                for place in compacts.indices where made[compacts[place].id] == nil { made[compacts[place].id] = place }
                places = made
            }
            return places![id]
        }
    }
}
