import CompactdCore

/// The refusal for a name the configuration does not have (a compact, a cycle, a step, a
/// channel): what was asked, the closest known name when one is close, and the known names.
enum UnknownName {
    static func failure(_ what: String, _ name: String, known: [String]) -> CommandFailure {
        missing("unknown \(what)", name, known: known)
    }

    /// How many known names the refusal lists: at 10,000 compacts it listed them all, a
    /// 109 KB line.
    static let listed = 20

    /// "compact carson has no cycle 'sumer'; did you mean 'summer'? known: ..."
    static func missing(_ statement: String, _ name: String, known: [String]) -> CommandFailure {
        let hint = EditDistance.suggestion(for: name, among: known).map { "did you mean '\($0)'? " } ?? ""
        var names = known.prefix(listed).joined(separator: ", ")
        if known.count > listed { names += ", and \(known.count - listed) more" }
        return CommandFailure("\(statement) '\(name)'; \(hint)known: \(names)")
    }

    static func compact(_ id: String, in c: Configuration) -> CommandFailure {
        failure("compact", id, known: c.compacts.map(\.id))
    }

    static func channel(_ id: String, in c: Configuration) -> CommandFailure {
        failure("channel", id, known: c.channels.map(\.id))
    }
}
