/// Which keys may still be opened or extended, as TOML 1.0 says and Python's tomllib decides
/// (its `Flags`): a table given a `[header]` (or made by dotted keys in an earlier section)
/// cannot be declared again, and an inline table or an array assigned by a key is frozen, with
/// everything under it. Kept as a tree by key name, the way tomllib keeps it, so the two agree
/// on what is refused (the differential test checks they do).
final class TOMLNamespaceFlags {
    enum Flag: UInt8 {
        /// Declared by a header, or (pending until the next header) by dotted keys.
        case explicitNest = 1
        /// An inline table or array: nothing may be added under it.
        case frozen = 2
    }

    /// One key's flags (bits of `Flag`) and the keys under it. Children are found through a
    /// `TOMLKeyIndex`, as a table's keys are: a compact file's tree has a handful under each name.
    ///
    /// Its stored properties are `@exclusivity(unchecked)` for the reason `TOMLTable`'s are: the
    /// runtime checks cost more than the work, and no access to them can overlap another.
    final class Node {
        @exclusivity(unchecked) var flags: UInt8 = 0
        @exclusivity(unchecked) var recursiveFlags: UInt8 = 0
        @exclusivity(unchecked) private var children = TOMLKeyIndex<Node>()

        func child(_ name: String) -> Node? {
            children.position(of: name).map { children[$0] }
        }

        func childMade(_ name: String) -> Node {
            if let existing = child(name) { return existing }
            let made = Node()
            children.append(name, made)
            return made
        }

        /// Forgets this key's flags and everything under it (as removing it would).
        func clear() {
            flags = 0
            recursiveFlags = 0
            children = TOMLKeyIndex()
        }
    }

    private let root = Node()
    private var pending: [([String], Flag)] = []

    func addPending(_ key: [String], _ flag: Flag) { pending.append((key, flag)) }

    func finalizePending() {
        for (key, flag) in pending { set(key, flag, recursive: false) }
        pending.removeAll()
    }

    func set(_ key: [String], _ flag: Flag, recursive: Bool) {
        guard !key.isEmpty else { return }
        var node = root
        for name in key { node = node.childMade(name) }
        if recursive { node.recursiveFlags |= flag.rawValue } else { node.flags |= flag.rawValue }
    }

    /// `[[key]]` opens a new element of an array of tables: refused (false) when the key or a
    /// table above it is frozen, as `isSet(key, .frozen)` says; otherwise everything flagged
    /// under the previous element is forgotten and the name marked as declared, as `set(key,
    /// .explicitNest)` would. One walk down the tree, where checking, forgetting and setting
    /// walked it three times (a refusal may leave nodes made on the way: the parse ends there).
    func openArrayElement(_ key: [String]) -> Bool {
        guard let stem = key.last else { return true }
        var node = root
        for name in key.dropLast() {
            node = node.childMade(name)
            if node.recursiveFlags & Flag.frozen.rawValue != 0 { return false }
        }
        let target = node.childMade(stem)
        if (target.flags | target.recursiveFlags) & Flag.frozen.rawValue != 0 { return false }
        target.clear()
        target.flags |= Flag.explicitNest.rawValue
        return true
    }

    func isSet(_ key: [String], _ flag: Flag) -> Bool {
        guard let stem = key.last else { return false }
        var node = root
        for name in key.dropLast() {
            guard let inner = node.child(name) else { return false }
            if inner.recursiveFlags & flag.rawValue != 0 { return true }
            node = inner
        }
        guard let target = node.child(stem) else { return false }
        return (target.flags | target.recursiveFlags) & flag.rawValue != 0
    }
}
