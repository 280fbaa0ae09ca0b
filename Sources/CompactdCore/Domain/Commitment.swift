/// One shared commitment of a compact, e.g. "Safety Collaboratives".
public struct Commitment: Sendable, Hashable {
    public var id: String
    public var title: String
    /// Who carries it, when the compact says so.
    public var owner: String?

    public init(id: String, title: String, owner: String? = nil) {
        self.id = id
        self.title = title
        self.owner = owner
    }
}
