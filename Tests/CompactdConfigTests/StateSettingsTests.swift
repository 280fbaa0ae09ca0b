import CompactdConfig
import CompactdCore
import Foundation
import Testing

/// `[state]`: SQLite by default; PostgreSQL with a URL read the way libpq reads it, and every
/// mistake named with its file, line and key.
@Suite("[state] settings")
struct StateSettingsTests {
    func load(_ state: String) throws -> (ConfigFixture, Result<Configuration, ConfigError>) {
        let fixture = try ConfigFixture(main: ConfigFixture.validMain + "\n" + state + "\n")
        do {
            return (fixture, .success(try ConfigurationLoader(environment: [:]).load(path: fixture.mainPath).configuration))
        } catch {
            return (fixture, .failure(error))
        }
    }

    @Test("no [state]: SQLite at state_path")
    func defaultIsSQLite() throws {
        let (fixture, result) = try load("")
        defer { fixture.remove() }
        let configuration = try result.get()
        #expect(configuration.state.backend == .sqlite)
        #expect(configuration.statePath.hasSuffix("/state.sqlite"))
    }

    @Test("a PostgreSQL URL: host, port, user, database, sslmode, a password file, the lease")
    func postgres() throws {
        let fixture0 = try ConfigFixture()
        let passwordFile = fixture0.directory.appendingPathComponent("db-password").path
        try "s3cret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        defer { fixture0.remove() }
        let (fixture, result) = try load("""
            [state]
            backend = "postgresql"
            url = "postgres://compactd@db.example.org:6543/compacts"
            password_file = "\(passwordFile)"
            lease = "45s"
            """)
        defer { fixture.remove() }
        let settings = try #require(try result.get().state.postgres)
        #expect(settings.host == "db.example.org" && settings.port == 6543 && settings.user == "compactd" && settings.database == "compacts")
        #expect(settings.sslMode == .verifyFull, "TLS verified unless the URL or sslmode says otherwise")
        #expect(settings.password == .file(path: passwordFile))
        #expect(settings.leaseSeconds == 45)
    }

    @Test("URLs as libpq writes them: a socket directory, sslmode in the query, IPv6, percent-escapes")
    func urlForms() throws {
        let socket = try PostgresURL.parse("postgresql://ops%40district@/compactd?host=/run/postgresql&sslmode=disable").get()
        #expect(socket.socketDirectory == "/run/postgresql" && socket.user == "ops@district" && socket.sslMode == .disable)
        let v6 = try PostgresURL.parse("postgres://compactd@[::1]:5433/compactd").get()
        #expect(v6.host == "::1" && v6.port == 5433)
        #expect(try PostgresURL.parse("postgres://compactd@db").get().database == "compactd", "the database defaults to the user's name, as in libpq")
    }

    @Test("a password in the URL, an unknown sslmode, a missing URL: each named with file, line, key and what was expected")
    func mistakes() throws {
        let cases: [(String, String, String)] = [
            ("url = \"postgres://compactd:hunter2@db.example.org/compactd\"", "url", "never in the URL"),
            ("url = \"postgres://compactd@db.example.org/compactd?sslmode=sometimes\"", "url", "expected one of disable, prefer, require, verify-ca, verify-full"),
            ("url = \"mysql://db.example.org/compactd\"", "url", "is not a PostgreSQL URL"),
            ("url = \"postgres://compactd@db/compactd\"\nlease = \"1s\"", "lease", "expected from 2s to 1h"),
            ("url = \"postgres://compactd@db/compactd\"\nsslmode = \"allow-all\"", "sslmode", "expected one of"),
        ]
        for (lines, key, expected) in cases {
            let (fixture, result) = try load("[state]\nbackend = \"postgresql\"\n" + lines)
            defer { fixture.remove() }
            guard case .failure(let error) = result else {
                Issue.record("\(lines) loaded")
                continue
            }
            let problem = try #require(error.errors.first { $0.key == "state.\(key)" }, "\(error.errors)")
            #expect(problem.file == fixture.mainPath)
            #expect(problem.line != nil)
            #expect(problem.message.contains(expected), "\(problem.message)")
            #expect(!problem.description.contains("hunter2"), "the password is not repeated")
        }
    }

    @Test("replicas with an HTTP listener must share its key and token: refused without them")
    func sharedLinkKey() throws {
        let (fixture, result) = try load("""
            [http]
            listen = "127.0.0.1:8787"
            [state]
            backend = "postgresql"
            url = "postgres://compactd@db.example.org/compactd"
            """)
        defer { fixture.remove() }
        guard case .failure(let error) = result else {
            Issue.record("loaded without a shared key")
            return
        }
        #expect(error.errors.contains { $0.key == "state.backend" && $0.message.contains("must share the action links' key") })
    }

    @Test("PostgreSQL keys under the SQLite backend are refused, not ignored")
    func postgresKeysWithSQLite() throws {
        let (fixture, result) = try load("[state]\nbackend = \"sqlite\"\nurl = \"postgres://compactd@db/compactd\"")
        defer { fixture.remove() }
        guard case .failure(let error) = result else {
            Issue.record("loaded")
            return
        }
        #expect(error.errors.contains { $0.key == "state.url" && $0.message.contains("backend = \"postgresql\"") })
    }
}
