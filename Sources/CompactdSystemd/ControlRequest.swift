/// One command from `compactctl` over the control socket, and the way to answer it.
public struct ControlRequest: Sendable {
    /// `reload` or `poke`.
    public var command: String
    /// Writes the one-line answer (`ok ...` or `error ...`) and closes the connection.
    public var reply: @Sendable (String) -> Void
}
