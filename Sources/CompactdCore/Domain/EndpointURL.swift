/// The parts of a webhook or SMTP URL that compactd's rules look at, parsed strictly: a
/// scheme compactd allows, a host, an optional port and path, and never user information
/// (`https://user:pass@host` or `https://good.example@evil.example` tricks are refused).
public struct EndpointURL: Sendable, Hashable {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var pathAndQuery: String

    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case notAURL
        case scheme(String)
        case userInfo
        case badHost
        case badPort
        case controlCharacters

        public var description: String {
            switch self {
            case .notAURL: "is not a URL"
            case .scheme(let s): "has scheme '\(s)'"
            case .userInfo: "carries user information before the host"
            case .badHost: "has no valid host"
            case .badPort: "has an invalid port"
            case .controlCharacters: "contains spaces or control characters"
            }
        }
    }

    /// Parses `text`, accepting only the given schemes (lower case).
    public static func parse(_ text: String, allowedSchemes: Set<String>) -> Result<EndpointURL, Problem> {
        guard !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return .failure(.controlCharacters) }
        guard let schemeEnd = text.firstRange(of: "://") else { return .failure(.notAURL) }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 }) else {
            return .failure(.notAURL)
        }
        guard allowedSchemes.contains(scheme) else { return .failure(.scheme(scheme)) }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = String(rest[authorityEnd...])
        if authority.contains("@") { return .failure(.userInfo) }
        var host = Substring(authority)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(.badHost) }
            let after = host[host.index(after: close)...]
            host = host[...close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else { return .failure(.badPort) }
                port = p
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return .failure(.badPort) }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ b in
            (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 45 || b == 46 || b == 58 || b == 91 || b == 93 || b == 95
        }) else { return .failure(.badHost) }
        return .success(EndpointURL(scheme: scheme, host: host.lowercased(), port: port, pathAndQuery: path))
    }

    /// 127.0.0.0/8, ::1 and localhost: where plain http is allowed without asking.
    public var isLoopback: Bool {
        if host == "localhost" || host == "[::1]" { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
