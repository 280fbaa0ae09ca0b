/// Reads `postgres://USER@HOST:PORT/DATABASE?sslmode=...` (libpq's URI form) into settings.
///
/// A password in the URL is refused: configuration files are readable by the service's group,
/// and URLs end up in logs and `ps`; the password comes from a file or a systemd credential.
public enum PostgresURL {
    public static func parse(_ text: String) -> Result<PostgresSettings, Problem> {
        let schemes = ["postgres://", "postgresql://"]
        guard let scheme = schemes.first(where: { text.hasPrefix($0) }) else {
            return .failure(Problem("'\(text)' is not a PostgreSQL URL; expected one such as \"postgres://compactd@db.example.org:5432/compactd\""))
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user = "compactd"
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if userInfo.contains(":") {
                return .failure(Problem("the URL carries a password; expected the password in password_file or password_credential, never in the URL"))
            }
            user = percentDecoded(userInfo)
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port = 5432
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(Problem("'\(text)': unclosed [ in the host")) }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65_535).contains(p) else { return .failure(Problem("'\(text)': the port is not a number from 1 to 65535")) }
                port = p
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65_535).contains(p) else { return .failure(Problem("'\(text)': the port is not a number from 1 to 65535")) }
            port = p
            host = String(host[..<colon])
        }
        let database = path.isEmpty ? user : percentDecoded(path)
        var settings = PostgresSettings(url: text, host: host, port: port, user: user, database: database)
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]), value = parts.count > 1 ? percentDecoded(parts[1]) : ""
            switch key {
            case "sslmode":
                guard let mode = PostgresSettings.SSLMode(rawValue: value) else {
                    return .failure(Problem("sslmode '\(value)' is not one compactd knows; expected one of \(PostgresSettings.SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                settings.sslMode = mode
            case "host":
                // libpq: a host starting with / is a Unix socket directory.
                guard value.hasPrefix("/") else { return .failure(Problem("host '\(value)' in the query is not a socket directory; expected a path such as /run/postgresql")) }
                settings.socketDirectory = value
            case "port":
                guard let p = Int(value), (1...65_535).contains(p) else { return .failure(Problem("port '\(value)' is not a number from 1 to 65535")) }
                settings.port = p
            case "password":
                return .failure(Problem("the URL carries a password; expected the password in password_file or password_credential, never in the URL"))
            default:
                return .failure(Problem("'\(key)' in the URL is not a parameter compactd uses; expected sslmode, host or port"))
            }
        }
        if settings.host.isEmpty && settings.socketDirectory == nil {
            return .failure(Problem("'\(text)' names no host; expected one such as \"postgres://compactd@db.example.org/compactd\""))
        }
        if settings.host.isEmpty { settings.host = "localhost" }
        return .success(settings)
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%"), let h = utf8.index(i, offsetBy: 2, limitedBy: utf8.endIndex), h < utf8.endIndex,
               let value = UInt8(String(decoding: utf8[utf8.index(after: i)...h], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i = utf8.index(after: h)
            } else {
                bytes.append(byte)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
