/// One command from `compactctl` over the control socket, and the way to answer it.
public struct ControlRequest: Sendable {
    /// `reload`, `poke` or `status`.
    public var command: String
    /// Who sent it, from the kernel (`SO_PEERCRED`); nil if it could not be read.
    public var peer: ControlPeer?
    /// Writes the one-line answer (`ok ...` or `error ...`) and closes the connection; only
    /// the first call does anything.
    public var reply: @Sendable (String) -> Void
}
