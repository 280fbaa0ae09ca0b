/// Which keys may still be opened or extended, as TOML 1.0 says and Python's tomllib decides
/// (its `Flags`): a table given a `[header]` (or made by dotted keys in an earlier section)
/// cannot be declared again, and an inline table or an array assigned by a key is frozen, with
/// everything under it. Kept as a tree by key name, the way tomllib keeps it, so the two agree
/// on what is refused (the differential test checks they do).
final class TOMLNamespaceFlags {
    enum Flag: Hashable {
        /// Declared by a header, or (pending until the next header) by dotted keys.
        case explicitNest
        /// An inline table or array: nothing may be added under it.
        case frozen
    }

    final class Node {
        var flags: Set<Flag> = []
        var recursiveFlags: Set<Flag> = []
        var nested: [String: Node] = [:]
    }

    private let root = Node()
    private var pending: [([String], Flag)] = []

    func addPending(_ key: [String], _ flag: Flag) { pending.append((key, flag)) }

    func finalizePending() {
        for (key, flag) in pending { set(key, flag, recursive: false) }
        pending.removeAll()
    }

    /// Forgets everything flagged at or under `key` (a new element of an array of tables).
    func unsetAll(_ key: [String]) {
        guard let stem = key.last else { return }
        var node = root
        for name in key.dropLast() {
            guard let inner = node.nested[name] else { return }
            node = inner
        }
        node.nested[stem] = nil
    }

    func set(_ key: [String], _ flag: Flag, recursive: Bool) {
        guard let stem = key.last else { return }
        var node = root
        for name in key.dropLast() {
            if let inner = node.nested[name] {
                node = inner
            } else {
                let inner = Node()
                node.nested[name] = inner
                node = inner
            }
        }
        let target: Node
        if let existing = node.nested[stem] {
            target = existing
        } else {
            target = Node()
            node.nested[stem] = target
        }
        if recursive { target.recursiveFlags.insert(flag) } else { target.flags.insert(flag) }
    }

    func isSet(_ key: [String], _ flag: Flag) -> Bool {
        guard let stem = key.last else { return false }
        var node = root
        for name in key.dropLast() {
            guard let inner = node.nested[name] else { return false }
            if inner.recursiveFlags.contains(flag) { return true }
            node = inner
        }
        guard let target = node.nested[stem] else { return false }
        return target.flags.contains(flag) || target.recursiveFlags.contains(flag)
    }
}
