/// Where a secret lives. Secrets are never written inline in configuration: they come from a
/// file (mode 0600, owned by the service) or a systemd credential (`LoadCredential=`).
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    case file(path: String)
    case credential(name: String)

    /// Safe to print: names where the secret is, never the secret.
    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .credential(let name): "credential \(name)"
        }
    }
}
