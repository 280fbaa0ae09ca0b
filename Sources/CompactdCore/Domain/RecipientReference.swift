/// A name in a `notify` or `escalate_to` list: a channel, or a contact reached through the
/// compact's email channels.
public enum RecipientReference: Sendable, Hashable, CustomStringConvertible {
    case channel(String)
    case contact(String)

    public var description: String {
        switch self {
        case .channel(let id): id
        case .contact(let id): id
        }
    }
}
