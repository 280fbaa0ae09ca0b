import CompactdCore
import Foundation

extension ConfigurationLoader {
    static let httpKeys = ["enabled", "listen", "public_url", "trusted_proxies", "link_key_files", "link_key_credentials", "snooze_days", "link_valid_days", "undo_minutes", "status_access", "status_token_file", "status_token_credential"]

    /// `[http]`; nil when the table is absent or `enabled = false` (no listener, no links).
    func readHTTP(_ reader: TOMLTableReader, baseDirectory: String) -> HTTPSettings? {
        var settings = HTTPSettings()
        let enabled = reader.bool("enabled") ?? true
        if let listen = reader.text("listen", expected: "an address and port such as \"127.0.0.1:8787\"") {
            if let (host, port) = Self.hostAndPort(listen) {
                settings.listenHost = host
                settings.listenPort = port
                settings.publicURL = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
            } else {
                reader.report("listen", "'\(listen)' is not an address and port; expected one such as \"127.0.0.1:8787\" or \"[::1]:8787\"")
            }
        }
        if let url = reader.text("public_url", expected: "the https address people reach, such as \"https://compacts.example.org\"") {
            switch EndpointURL.parse(url, allowedSchemes: ["https", "http"]) {
            case .success(let parsed):
                if parsed.scheme == "http" && !parsed.isLoopback {
                    reader.report("public_url", "'\(url)' is plain http to a host that is not loopback; expected https (links carry tokens)")
                }
                if url.contains("?") || url.contains("#") {
                    reader.report("public_url", "'\(url)' has a query or fragment; expected a base address such as \"https://compacts.example.org/compactd\"")
                }
                settings.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            case .failure(let problem):
                reader.report("public_url", "\(problem); expected the https address people reach, such as \"https://compacts.example.org\"")
            }
        }
        for proxy in reader.stringArray("trusted_proxies", expected: "an array of IP addresses such as [\"127.0.0.1\"]") ?? [] {
            if Self.isIPAddress(proxy) { settings.trustedProxies.append(proxy) } else {
                reader.report("trusted_proxies", "'\(proxy)' is not an IP address; expected addresses such as \"127.0.0.1\" or \"::1\"")
            }
        }
        for path in reader.stringArray("link_key_files", expected: "an array of file paths") ?? [] {
            let resolved = resolvePath(path, relativeTo: baseDirectory)
            if enabled { checkSecretFile(resolved, reader: reader, key: "link_key_files", otherwise: "or leave link_key_files out: compactd then keeps a key of its own") }
            settings.linkKeys.append(.file(path: resolved))
        }
        for name in reader.stringArray("link_key_credentials", expected: "an array of systemd credential names") ?? [] {
            settings.linkKeys.append(.credential(name: name))
        }
        if let n = reader.int("snooze_days", range: 1...90, expected: "a number of days from 1 to 90") { settings.snoozeDays = n }
        if let n = reader.int("link_valid_days", range: 1...366, expected: "a number of days from 1 to 366") { settings.linkValidDays = n }
        if let n = reader.int("undo_minutes", range: 0...10_080, expected: "a number of minutes from 0 to 10080") { settings.undoMinutes = n }
        switch reader.string("status_access", expected: "\"secret\" or \"open\"") {
        case nil, "secret": break
        case "open": settings.statusAccess = .open
        case let other?: reader.report("status_access", "'\(other)' is not an access mode; expected \"secret\" (a secret address) or \"open\" (the proxy authenticates)")
        }
        if let file = reader.text("status_token_file", expected: "a file path") {
            let resolved = resolvePath(file, relativeTo: baseDirectory)
            if enabled { checkSecretFile(resolved, reader: reader, key: "status_token_file", otherwise: "or leave it out: compactd then keeps a token of its own") }
            settings.statusAccess = .secret(.file(path: resolved))
        } else if let name = reader.text("status_token_credential", expected: "a systemd credential name") {
            settings.statusAccess = .secret(.credential(name: name))
        }
        reader.finish(known: Self.httpKeys)
        return enabled ? settings : nil
    }

    /// "127.0.0.1:8787", "[::1]:8787", "localhost:8787".
    static func hostAndPort(_ text: String) -> (String, Int)? {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:".contains($0) }), let number = Int(port), (0...65_535).contains(number) else { return nil }
        return (String(host), number)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
