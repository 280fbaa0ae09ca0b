import Synchronization

/// What a command loads once and uses until it ends (the configuration), kept here so it is
/// never freed: compactctl exits when the command ends, and the exit gives the memory back
/// at once, where freeing a configuration of 100,000 compacts piece by piece took 0.06-0.08 s
/// after the command's work was done (perf). The trade clang's compiler makes with
/// `-disable-free`. Only for compactctl: the daemon frees a configuration it replaces.
enum KeptUntilExit {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ value: some Sendable) {
        kept.withLock { $0.append(value) }
    }
}
