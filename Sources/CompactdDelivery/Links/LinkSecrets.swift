import CompactdCore
import CompactdStore
import Foundation

/// Where the HTTP side's secrets come from: the action links' signing keys and the status
/// pages' secret address. Configured files or credentials when `[http]` names them; else
/// compactd's own, kept beside its state (`http-link.key`, `http-status.token`, mode 0600),
/// made on the daemon's first start, so that a deployment works without a step of its own and
/// its links survive restarts.
public struct LinkSecrets: Sendable {
    public var signer: ActionLinkSigner
    /// The status pages' and calendar feed's secret path segment; nil when access is `open`.
    public var statusToken: String?

    public static let linkKeyFile = "http-link.key"
    public static let statusTokenFile = "http-status.token"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter create: make the state directory's own secrets when missing (the daemon);
    ///   compactctl only reads them.
    public static func load(_ http: HTTPSettings, statePath: String, secrets: SecretResolver = SecretResolver(), create: Bool) throws(Failure) -> LinkSecrets {
        let directory = PathText.directory(of: statePath)
        var keys: [String] = []
        if http.linkKeys.isEmpty {
            keys = [try own(PathText.joining(directory, linkKeyFile), create: create)]
        } else {
            for reference in http.linkKeys {
                do { keys.append(try secrets.value(of: reference)) } catch { throw Failure(description: "link signing key \(error)") }
            }
        }
        if keys.contains(where: { $0.trimmingWhitespace().utf8.count < 16 }) {
            throw Failure(description: "a link signing key is shorter than 16 bytes; expected one made with `openssl rand -base64 32`")
        }
        var token: String?
        switch http.statusAccess {
        case .open: token = nil
        case .secret(let reference?):
            do { token = try secrets.value(of: reference) } catch { throw Failure(description: "status token \(error)") }
        case .secret(nil):
            token = try own(PathText.joining(directory, statusTokenFile), create: create)
        }
        if let token, token.utf8.count < 16 || !token.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) {
            throw Failure(description: "the status token must be at least 16 characters of A-Z, a-z, 0-9, - and _ (it is a path segment)")
        }
        return LinkSecrets(signer: ActionLinkSigner(keys: keys), statusToken: token)
    }

    /// A secret of compactd's own: read, or (when allowed) made from 32 random bytes, written
    /// 0600 before anything is in it.
    static func own(_ path: String, create: Bool) throws(Failure) -> String {
        if let bytes = FileBytes.read(path, limit: 4096), let text = String(validating: bytes, as: UTF8.self)?.trimmingWhitespace(), !text.isEmpty {
            return text
        }
        guard create else { throw Failure(description: "\(path) cannot be read (compactd makes it on its first start; its owner reads it)") }
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let text = ActionLinkSigner.base64URL(bytes)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(path) cannot be created: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let line = Array((text + "\n").utf8)
        guard line.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == line.count, fsync(fd) == 0 else {
            unlink(path)
            throw Failure(description: "\(path) cannot be written: \(String(cString: strerror(errno)))")
        }
        return text
    }
}
