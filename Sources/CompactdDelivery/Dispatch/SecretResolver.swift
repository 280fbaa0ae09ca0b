import CompactdCore
import Foundation
import Synchronization

/// Reads secrets from files or systemd credentials when they are needed. Errors name where
/// the secret was looked for, never its value.
public struct SecretResolver: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var reference: SecretReference
        public var reason: String
        public var description: String { "secret from \(reference) \(reason)" }
    }

    let credentialsDirectory: String?
    /// Secrets already read, so a burst of deliveries reads each file once. A resolver lives as
    /// long as its dispatcher: `compactd --once` reads each secret once; the daemon makes a new
    /// dispatcher every pass, so a rotated secret is picked up at the next pass.
    private let cache = SecretCache()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        credentialsDirectory = environment["CREDENTIALS_DIRECTORY"]
    }

    public func value(of reference: SecretReference) throws(Failure) -> String {
        if let cached = cache.values.withLock({ $0[reference] }) { return cached }
        let value = try read(reference)
        cache.values.withLock { $0[reference] = value }
        return value
    }

    private func read(_ reference: SecretReference) throws(Failure) -> String {
        let path: String
        switch reference {
        case .file(let p):
            path = p
        case .credential(let name):
            guard let credentialsDirectory else {
                throw Failure(reference: reference, reason: "cannot be read: no $CREDENTIALS_DIRECTORY (run under systemd with LoadCredential=, or use a file)")
            }
            guard !name.contains("/") else { throw Failure(reference: reference, reason: "has a '/' in its name") }
            path = credentialsDirectory + "/" + name
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(reference: reference, reason: "cannot be read")
        }
        guard let text = String(validating: data, as: UTF8.self)?.trimmingWhitespace(), !text.isEmpty else {
            throw Failure(reference: reference, reason: "is empty or not text")
        }
        return text
    }
}

/// The secrets one resolver has read.
final class SecretCache: Sendable {
    let values = Mutex<[SecretReference: String]>([:])
}
