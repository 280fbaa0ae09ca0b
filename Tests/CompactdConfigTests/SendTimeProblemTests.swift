import CompactdConfig
import CompactdCore
import Foundation
import Testing

/// What used to pass `check` and fail only at send time (dead-lettered), now refused at load.
@Suite("Problems found at load, not at send")
struct SendTimeProblemTests {
    static func load(_ fixture: ConfigFixture, environment: [String: String] = [:]) -> Result<LoadedConfiguration, ConfigError> {
        Result { () throws(ConfigError) in try ConfigurationLoader(environment: environment).load(path: fixture.mainPath) }
    }

    @Test("a contact name or partner with CR/LF is refused at its line, and the message holds no raw line break")
    func lineBreakInHeaderText() throws {
        let compact = ConfigFixture.validCompact
            .replacingFirst("name = \"Bell liaison\"", with: "name = \"Bell liaison\\r\\nBcc: everyone@example.org\"")
            .replacingFirst("partner = \"City of Bell\"", with: "partner = \"City of Bell\\n\"")
        let fixture = try ConfigFixture(compacts: ["bell.toml": compact])
        defer { fixture.remove() }
        guard case .failure(let error) = Self.load(fixture) else { Issue.record("loaded"); return }
        let name = try #require(error.errors.first { $0.key == "contacts[0].name" })
        #expect(name.message.contains("line break"))
        #expect(name.line == 12)
        let partner = try #require(error.errors.first { $0.key == "partner" })
        #expect(partner.line == 2)
        for problem in error.problems {
            #expect(!problem.oneLine.contains("\r") && !problem.oneLine.contains("\n"), "\(problem.oneLine)")
        }
    }

    @Test("a url_file whose URL has a refused scheme is an error at load; the message does not repeat the URL")
    func urlFileScheme() throws {
        let fixture = try ConfigFixture(main: ConfigFixture.validMain.replacingFirst("""
            enabled = false
            url = "https://city.example.org/hook"
            secret_files = ["/nonexistent/but-disabled"]
            """, with: """
            url_file = "hook.url"
            secret_files = ["hook.secret"]
            """))
        defer { fixture.remove() }
        try "ftp://city.example.org/hook?token=s3cr3t-token\n".write(to: fixture.directory.appendingPathComponent("hook.url"), atomically: true, encoding: .utf8)
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(to: fixture.directory.appendingPathComponent("hook.secret"), atomically: true, encoding: .utf8)
        guard case .failure(let error) = Self.load(fixture) else { Issue.record("loaded"); return }
        let problem = try #require(error.errors.first { $0.key == "channels.city-hook.url_file" }, "\(error)")
        #expect(problem.message.contains("has scheme 'ftp'"), "\(problem)")
        #expect(!error.description.contains("s3cr3t-token"))
    }

    @Test("relative secret_files and url_file resolve against the file that names them, not the current directory")
    func relativeSecretPaths() throws {
        let fixture = try ConfigFixture(main: ConfigFixture.validMain.replacingFirst("""
            enabled = false
            url = "https://city.example.org/hook"
            secret_files = ["/nonexistent/but-disabled"]
            """, with: """
            url_file = "secrets/hook.url"
            secret_files = ["secrets/hook.secret"]
            """))
        defer { fixture.remove() }
        let secrets = fixture.directory.appendingPathComponent("secrets")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try "https://city.example.org/hook?token=abc".write(to: secrets.appendingPathComponent("hook.url"), atomically: true, encoding: .utf8)
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".write(to: secrets.appendingPathComponent("hook.secret"), atomically: true, encoding: .utf8)
        // The test runs elsewhere (the package root): a path resolved against it does not exist.
        #expect(FileManager.default.currentDirectoryPath != fixture.directory.path)
        let loaded = try Self.load(fixture).get()
        guard case .webhook(let settings) = try #require(loaded.configuration.channel("city-hook")).kind else { Issue.record("not a webhook"); return }
        #expect(settings.url == "file:" + secrets.appendingPathComponent("hook.url").path)
        #expect(settings.signingSecrets == [.file(path: secrets.appendingPathComponent("hook.secret").path)])
    }

    @Test("tls = \"none\" with a username to a host that is not loopback is refused unless allow_plaintext_auth = true", arguments: [
        ("smtp://smtp.district.example.org:25", "", true),
        ("smtp://smtp.district.example.org:25", "allow_plaintext_auth = true", false),
        ("smtp://127.0.0.1:25", "", false),
    ])
    func plaintextAuth(server: String, extra: String, refused: Bool) throws {
        let fixture = try ConfigFixture(main: ConfigFixture.validMain + """

            [channels.mail]
            type = "email"
            server = "\(server)"
            from = "compacts@district.example.org"
            tls = "none"
            username = "compacts"
            password_file = "smtp.password"
            \(extra)
            """)
        defer { fixture.remove() }
        try "p".write(to: fixture.directory.appendingPathComponent("smtp.password"), atomically: true, encoding: .utf8)
        switch Self.load(fixture) {
        case .success:
            #expect(!refused)
        case .failure(let error):
            #expect(refused, "\(error)")
            let problem = try #require(error.errors.first { $0.key == "channels.mail.tls" }, "\(error)")
            #expect(problem.message.contains("password in clear"))
        }
    }
}
