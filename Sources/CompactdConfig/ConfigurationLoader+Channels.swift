import CompactdCore
import Foundation

extension ConfigurationLoader {
    static let channelKeys: [String: [String]] = [
        "log": ["type", "enabled"],
        "webhook": ["type", "enabled", "url", "url_file", "url_credential", "format", "secret_files", "secret_credentials", "allow_insecure_http"],
        "email": ["type", "enabled", "server", "from", "tls", "username", "password_file", "password_credential", "allow_plaintext_auth"],
    ]

    func readChannels(_ root: TOMLTableReader) -> [Channel] {
        var channels: [Channel] = []
        for (name, reader) in root.namedTables("channels") {
            guard TOMLTableReader.isIdentifier(name) else {
                reader.report("", "channel name '\(name)' is not a valid id; expected lower-case letters, digits and dashes")
                continue
            }
            let type = reader.string("type", required: true, expected: "\"log\", \"webhook\" or \"email\"")
            let enabled = reader.bool("enabled") ?? true
            var kind: ChannelKind?
            switch type {
            case "log":
                kind = .log
            case "webhook":
                kind = readWebhook(reader, enabled: enabled).map(ChannelKind.webhook)
            case "email":
                kind = readEmail(reader, enabled: enabled).map(ChannelKind.email)
            case nil:
                break
            case let other?:
                reader.report("type", "'\(other)' is not a channel type; expected \"log\", \"webhook\" or \"email\"")
            }
            for inline in ["secret", "password", "token", "secrets"] where reader.has(inline) {
                _ = reader.value(inline)
                reader.report(inline, "secrets are never written inline; expected a file (\(inline == "password" ? "password_file" : "secret_files")) or a systemd credential (\(inline == "password" ? "password_credential" : "secret_credentials"))")
            }
            reader.finish(known: Self.channelKeys[type ?? "log"] ?? ["type", "enabled"])
            if let kind { channels.append(Channel(id: name, kind: kind, enabled: enabled)) }
        }
        return channels
    }

    private func readWebhook(_ reader: TOMLTableReader, enabled: Bool) -> WebhookSettings? {
        let base = PathText.directory(of: reader.source.displayPath)
        let format = reader.enumValue("format", WebhookFormat.self) ?? .standard
        let allowInsecure = reader.bool("allow_insecure_http") ?? false
        let inlineURL = reader.text("url", expected: "an https URL")
        // Relative paths are relative to the file that names them, as README says, not to
        // wherever compactd or compactctl happens to run.
        let urlFile = reader.text("url_file", expected: "a file path").map { resolvePath($0, relativeTo: base) }
        let urlCredential = reader.text("url_credential", expected: "a credential name")
        let given = [inlineURL, urlFile, urlCredential].compactMap { $0 }.count
        if given != 1 {
            reader.report("url", given == 0
                ? "missing; expected url, or url_file / url_credential when the URL carries a token"
                : "given more than once; expected exactly one of url, url_file, url_credential")
        }
        var url = inlineURL ?? ""
        if let inlineURL {
            if case .failure(let problem) = checkWebhookURL(inlineURL, allowInsecure: allowInsecure) {
                reader.report("url", "'\(inlineURL)' \(problem)")
            }
        }
        if let urlFile {
            url = "file:" + urlFile
            if enabled && checkSecretFile(urlFile, reader: reader, key: "url_file") {
                checkSecretURL(at: urlFile, described: "the URL in '\(urlFile)'", allowInsecure: allowInsecure, reader: reader, key: "url_file")
            }
        }
        if let urlCredential {
            url = "credential:" + urlCredential
            if enabled, checkCredential(urlCredential, reader: reader, key: "url_credential"), let directory = environment["CREDENTIALS_DIRECTORY"] {
                checkSecretURL(at: directory + "/" + urlCredential, described: "the URL in credential '\(urlCredential)'", allowInsecure: allowInsecure, reader: reader, key: "url_credential")
            }
        }
        var secrets: [SecretReference] = []
        for path in (reader.stringArray("secret_files", expected: "an array of file paths") ?? []).map({ resolvePath($0, relativeTo: base) }) {
            secrets.append(.file(path: path))
            if enabled { checkSecretFile(path, reader: reader, key: "secret_files") }
        }
        for name in reader.stringArray("secret_credentials", expected: "an array of systemd credential names") ?? [] {
            secrets.append(.credential(name: name))
            if enabled { checkCredential(name, reader: reader, key: "secret_credentials") }
        }
        if format == .standard && secrets.isEmpty && enabled {
            reader.report("secret_files", "missing; a standard webhook is signed, expected secret_files or secret_credentials with a whsec_ secret")
        }
        return given == 1 ? WebhookSettings(url: url, format: format, signingSecrets: secrets, allowInsecureHTTP: allowInsecure) : nil
    }

    /// A URL kept in a file because it carries a token: checked like an inline one at load, so a
    /// refused scheme is found by `check`, not dead-lettered at the first send. The message
    /// never repeats the URL (it is the secret).
    private func checkSecretURL(at path: String, described: String, allowInsecure: Bool, reader: TOMLTableReader, key: String) {
        guard let data = FileBytes.read(path, limit: 65_536), let text = String(validating: data, as: UTF8.self)?.trimmingWhitespace(), !text.isEmpty else {
            reader.report(key, "\(described) is empty or not text; expected one https URL")
            return
        }
        if case .failure(let problem) = checkWebhookURL(text, allowInsecure: allowInsecure) {
            reader.report(key, "\(described) \(problem)")
        }
    }

    /// https anywhere; http only to loopback or when explicitly allowed.
    func checkWebhookURL(_ text: String, allowInsecure: Bool) -> Result<EndpointURL, WebhookURLProblem> {
        switch EndpointURL.parse(text, allowedSchemes: ["https", "http"]) {
        case .failure(let problem):
            return .failure(WebhookURLProblem(detail: problem.description))
        case .success(let url):
            if url.scheme == "http" && !url.isLoopback && !allowInsecure {
                return .failure(WebhookURLProblem(detail: "uses plain http to a host that is not loopback"))
            }
            return .success(url)
        }
    }

    private func readEmail(_ reader: TOMLTableReader, enabled: Bool) -> EmailSettings? {
        let base = PathText.directory(of: reader.source.displayPath)
        let server = reader.text("server", required: true, expected: "an SMTP URL such as \"smtp://smtp.example.org:587\" or \"smtps://smtp.example.org:465\"")
        let from = reader.text("from", required: true, expected: "an email address")
        var tls = reader.enumValue("tls", EmailTLS.self)
        let username = reader.text("username")
        let allowPlaintextAuth = reader.bool("allow_plaintext_auth") ?? false
        if let from { checkSingleLine(from, reader: reader, key: "from") }
        if let username { checkSingleLine(username, reader: reader, key: "username") }
        var password: SecretReference?
        if let file = reader.text("password_file").map({ resolvePath($0, relativeTo: base) }) {
            password = .file(path: file)
            if enabled { checkSecretFile(file, reader: reader, key: "password_file") }
        }
        if let name = reader.text("password_credential") {
            if password != nil { reader.report("password_credential", "given with password_file; expected one of them") }
            password = .credential(name: name)
            if enabled { checkCredential(name, reader: reader, key: "password_credential") }
        }
        if let from, !EmailAddress.isValid(from) {
            reader.report("from", "'\(from)' is not an email address; expected an address such as compacts@example.org")
        }
        guard let server else { return nil }
        switch EndpointURL.parse(server, allowedSchemes: ["smtp", "smtps"]) {
        case .failure(let problem):
            reader.report("server", "'\(server)' \(problem); expected smtp://host:587 or smtps://host:465")
            return nil
        case .success(let url):
            if tls == nil { tls = url.scheme == "smtps" ? .implicit : .starttls }
            if url.scheme == "smtps" && tls != .implicit {
                reader.report("tls", "is \"\(tls!.rawValue)\" but the server is smtps://; expected \"implicit\" (or leave tls out)")
            }
            if url.scheme == "smtp" && tls == .implicit {
                reader.report("tls", "is \"implicit\" but the server is smtp://; expected smtps://host:465 for implicit TLS")
            }
            // A password in clear over the network: only to a relay on this machine, or when
            // the operator says in so many words that the network is trusted.
            if tls == EmailTLS.none && username != nil && !url.isLoopback && !allowPlaintextAuth {
                reader.report("tls", "is \"none\" with a username to \(url.host), which would send the password in clear; expected \"starttls\" or \"implicit\", or allow_plaintext_auth = true for a trusted network")
            }
        }
        if username != nil && password == nil {
            reader.report("username", "given without a password; expected password_file or password_credential too")
        }
        guard let from else { return nil }
        return EmailSettings(serverURL: server, from: from, tls: tls ?? .starttls, username: username, password: password)
    }

    /// True when the file can be read.
    @discardableResult
    func checkSecretFile(_ path: String, reader: TOMLTableReader, key: String, otherwise: String = "or disable the channel") -> Bool {
        if !FileManager.default.isReadableFile(atPath: path) {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            reader.report(key, "secret file '\(path)' \(reason); expected a readable file (\(otherwise))")
            return false
        }
        return true
    }

    /// True when the credential is there to read.
    @discardableResult
    private func checkCredential(_ name: String, reader: TOMLTableReader, key: String) -> Bool {
        guard let directory = environment["CREDENTIALS_DIRECTORY"] else {
            reader.report(key, "credential '\(name)' can only be checked under systemd (no $CREDENTIALS_DIRECTORY)", severity: .warning)
            return false
        }
        if !FileManager.default.isReadableFile(atPath: directory + "/" + name) {
            reader.report(key, "credential '\(name)' is not in \(directory); expected a LoadCredential=\(name):... line in the unit")
            return false
        }
        return true
    }

    /// Text that ends up in a mail header or a recipient (names, addresses): one line, no
    /// control characters, or a header could be forged, and the notice would be dead-lettered
    /// at send time instead of refused here.
    func checkSingleLine(_ value: String, reader: TOMLTableReader, key: String) {
        if !Self.isSingleLine(value) {
            reader.report(key, "contains a line break or a control character; expected one line of plain text")
        }
    }

    /// No control character (below U+0020, or U+007F) and no line or paragraph separator
    /// (U+2028, U+2029). Read over the UTF-8 bytes, where those are the bytes below 0x20 and
    /// 0x7F (no other character's encoding holds them) and E2 80 A8 / E2 80 A9: every title,
    /// name and partner of every compact file is checked, and scalar by scalar this was a
    /// twentieth of reading 10,000 files.
    static func isSingleLine(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            // Eight bytes at a time while none is a control byte or the first of U+2028/U+2029.
            var i = WordScan.skipWords(bytes, from: 0) { word in
                !WordScan.hasByte(below: 0x20, in: word) && !WordScan.hasByte(0x7F, in: word) && !WordScan.hasByte(0xE2, in: word)
            }
            while i < bytes.count {
                let byte = bytes[i]
                if byte < 0x20 || byte == 0x7F { return false }
                if byte == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 { return false }
                i += 1
            }
            return true
        }
    }

    func readContacts(_ readers: [TOMLTableReader], scope: String) -> [Contact] {
        var contacts: [Contact] = []
        var seen: Set<String> = []
        for reader in readers {
            let id = reader.identifier("id")
            let name = reader.text("name", required: true)
            let email = reader.text("email", required: true, expected: "an email address")
            let language = reader.enumValue("language", ContactLanguage.self) ?? .en
            let role = reader.text("role")
            if let name { checkSingleLine(name, reader: reader, key: "name") }
            if let role { checkSingleLine(role, reader: reader, key: "role") }
            if let email, !EmailAddress.isValid(email) {
                reader.report("email", "'\(email)' is not an email address; expected an address such as liaison@example.org")
            }
            if let id, !seen.insert(id).inserted {
                reader.report("id", "duplicate \(scope) contact id '\(id)'; expected each contact id once")
            }
            reader.finish(known: ["id", "name", "email", "language", "role"])
            if let id, let name, let email {
                contacts.append(Contact(id: id, name: name, email: email, language: language, role: role))
            }
        }
        return contacts
    }
}

struct WebhookURLProblem: Error, CustomStringConvertible {
    var detail: String
    var description: String { "\(detail); expected https://host/path (plain http only to 127.0.0.1/localhost, or with allow_insecure_http = true)" }
}
