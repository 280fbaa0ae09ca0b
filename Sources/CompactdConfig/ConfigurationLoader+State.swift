import CompactdCore
import Foundation

extension ConfigurationLoader {
    static let stateKeys = ["backend", "url", "password_file", "password_credential", "sslmode", "ca_file", "lease", "timeout"]

    /// `[state]`: `backend = "sqlite"` (the default: `state_path`) or `"postgresql"` with `url`,
    /// the password's file or credential, `sslmode`, `ca_file`, `lease` and `timeout`.
    func readState(_ reader: TOMLTableReader, baseDirectory: String, http: HTTPSettings?) -> StateSettings {
        defer { reader.finish(known: Self.stateKeys) }
        let backend = reader.string("backend", expected: "\"sqlite\" or \"postgresql\"") ?? "sqlite"
        switch backend {
        case "sqlite":
            for key in ["url", "password_file", "password_credential", "sslmode", "ca_file", "lease", "timeout"] where reader.has(key) {
                reader.report(key, "\(key) is for backend = \"postgresql\"; expected it left out with the SQLite backend (which uses state_path)")
            }
            return StateSettings()
        case "postgresql", "postgres":
            break
        default:
            reader.report("backend", "'\(backend)' is not a state backend; expected \"sqlite\" or \"postgresql\"")
            return StateSettings()
        }
        guard let url = reader.text("url", required: true, expected: "a URL such as \"postgres://compactd@db.example.org:5432/compactd\"") else { return StateSettings() }
        var settings: PostgresSettings
        switch PostgresURL.parse(url) {
        case .success(let parsed): settings = parsed
        case .failure(let problem):
            reader.report("url", problem.description)
            return StateSettings()
        }
        if let file = reader.text("password_file", expected: "a file path") {
            let resolved = resolvePath(file, relativeTo: baseDirectory)
            checkSecretFile(resolved, reader: reader, key: "password_file", otherwise: "or use password_credential")
            settings.password = .file(path: resolved)
        }
        if let name = reader.text("password_credential", expected: "a systemd credential name") {
            if settings.password != nil { reader.report("password_credential", "both password_file and password_credential are set; expected one of them") }
            settings.password = .credential(name: name)
        }
        if let mode = reader.string("sslmode", expected: "one of \(PostgresSettings.SSLMode.allCases.map(\.rawValue).joined(separator: ", "))") {
            if let parsed = PostgresSettings.SSLMode(rawValue: mode) { settings.sslMode = parsed } else {
                reader.report("sslmode", "'\(mode)' is not an sslmode; expected one of \(PostgresSettings.SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let file = reader.text("ca_file", expected: "a PEM file of certificate authorities") {
            let resolved = resolvePath(file, relativeTo: baseDirectory)
            if !FileManager.default.isReadableFile(atPath: resolved) {
                reader.report("ca_file", "'\(resolved)' cannot be read; expected a PEM file of the certificate authorities that signed the server's certificate")
            }
            settings.caFile = resolved
        }
        if let lease = reader.timeSpan("lease") {
            let seconds = lease.months > 0 ? Int.max : lease.days * 86_400 + Int(lease.microseconds / 1_000_000)
            if (2...3600).contains(seconds) { settings.leaseSeconds = seconds } else {
                reader.report("lease", "'\(lease)' is out of range; expected from 2s to 1h (how long a claimed delivery stays its replica's without a heartbeat)")
            }
        }
        if let timeout = reader.timeSpan("timeout") {
            let seconds = timeout.months > 0 ? Int.max : timeout.days * 86_400 + Int(timeout.microseconds / 1_000_000)
            if (1...300).contains(seconds) { settings.timeoutSeconds = seconds } else {
                reader.report("timeout", "'\(timeout)' is out of range; expected from 1s to 5min")
            }
        }
        if let http, http.linkKeys.isEmpty || http.statusAccess == .secret(nil) {
            // Each replica would make a key of its own: a link sent by one would be refused by
            // the others, and each would show the status pages at another address.
            reader.report("backend", "replicas on PostgreSQL must share the action links' key and the status pages' token; expected [http] link_key_files (or link_key_credentials) and status_token_file (or status_token_credential, or status_access = \"open\")")
        }
        return StateSettings(backend: .postgresql(settings))
    }
}
