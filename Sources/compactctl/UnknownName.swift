import CompactdCore

/// The refusal for a name the configuration does not have (a compact, a cycle, a step, a
/// channel): what was asked, the closest known name when one is close, and the known names.
enum UnknownName {
    static func failure(_ what: String, _ name: String, known: [String]) -> CommandFailure {
        missing("unknown \(what)", name, known: known)
    }

    /// "compact carson has no cycle 'sumer'; did you mean 'summer'? known: ..."
    static func missing(_ statement: String, _ name: String, known: [String]) -> CommandFailure {
        let hint = EditDistance.suggestion(for: name, among: known).map { "did you mean '\($0)'? " } ?? ""
        return CommandFailure("\(statement) '\(name)'; \(hint)known: \(known.joined(separator: ", "))")
    }

    static func compact(_ id: String, in c: Configuration) -> CommandFailure {
        failure("compact", id, known: c.compacts.map(\.id))
    }

    static func channel(_ id: String, in c: Configuration) -> CommandFailure {
        failure("channel", id, known: c.channels.map(\.id))
    }
}
