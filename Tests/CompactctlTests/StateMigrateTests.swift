import CompactdCore
import CompactdTestSupport
import Foundation
import Testing

/// Moving up: a SQLite state with history copied into a real PostgreSQL database by
/// `compactctl state migrate`, then read through the PostgreSQL store: `status`, `history` and
/// `report` must say exactly what they said on SQLite.
@Suite("compactctl state migrate", .serialized)
struct StateMigrateTests {
    static func json(_ text: String) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSObject, "\(text)")
    }

    /// A report says when it was made; that alone may differ between two runs.
    static func withoutGenerated(_ object: NSObject) -> NSObject {
        guard let dictionary = object as? [String: Any] else { return object }
        return dictionary.filter { !$0.key.hasPrefix("generated") } as NSDictionary
    }

    /// The report's `days` are calendar days: when midnight (UTC, the fixture's zone) falls
    /// between the reads on SQLite and on PostgreSQL, they move by one and only they may differ.
    static func withoutDays(_ object: Any) -> Any {
        if let array = object as? [Any] { return array.map(withoutDays) as NSArray }
        guard let dictionary = object as? [String: Any] else { return object }
        return dictionary.filter { $0.key != "days" }.mapValues(withoutDays) as NSDictionary
    }

    static func utcDate() -> String { String(ISO8601DateFormatter().string(from: Date()).prefix(10)) }

    @Test("a SQLite state with history, moved to PostgreSQL, gives the same status, history and report; a non-empty target is refused")
    func sqliteToPostgres() throws {
        // first: delivered and acknowledged with a note; second: answered 503 once, retry pending;
        // third: due in two and a half days (whole days until it: 2, whenever in the test it is
        // read), snoozed.
        let setup = try DeadlineFixture(deadlinesInSeconds: [("first", -120), ("second", -60), ("third", 2 * 86_400 + 43_200)], responses: "200,503,200")
        defer { setup.remove() }
        let env = setup.environment
        let once = try CommandRunner.run("compactd", ["--once"], environment: env)
        #expect(once.status == 0, "\(once.stdout) \(once.stderr)")
        let first = setup.stepKey("first")
        #expect(try CommandRunner.run("compactctl", ["ack", first, "--note", "met with Carson city manager"], environment: env).status == 0)
        let agenda = try Self.json(try CommandRunner.run("compactctl", ["agenda", "--days", "5", "-o", "json"], environment: env).stdout) as? [[String: Any]]
        let third = try #require(agenda?.first { ($0["step_key"] as? String)?.hasSuffix("/third") == true }?["step_key"] as? String)
        #expect(try CommandRunner.run("compactctl", ["snooze", third, "--for", "3d", "--note", "recess"], environment: env).status == 0)

        let commands = [["status", "-o", "json"], ["history", "-o", "json"], ["report", "-o", "json"]]
        var before: [NSObject] = []
        let firstDate = Self.utcDate()
        for command in commands {
            let run = try CommandRunner.run("compactctl", command, environment: env)
            before.append(Self.withoutGenerated(try Self.json(run.stdout)))
        }

        let database = try PostgresServer.shared().makeDatabase("migrate")
        let migrate = try CommandRunner.run("compactctl", ["state", "migrate", "--from", "sqlite:\(setup.statePath)", "--to", database.url, "-o", "json"], environment: env)
        #expect(migrate.status == 0, "\(migrate.stdout) \(migrate.stderr)")
        let tables = try #require((try Self.json(migrate.stdout) as? [String: Any])?["tables"] as? [[String: Any]])
        #expect(tables.count == 6)
        for table in tables { #expect(table["source"] as? Int == table["target"] as? Int, "\(table)") }
        #expect(tables.first { $0["table"] as? String == "deliveries" }?["source"] as? Int == 2)
        #expect(tables.first { $0["table"] as? String == "attempts" }?["source"] as? Int == 2)
        #expect((tables.first { $0["table"] as? String == "events" }?["source"] as? Int ?? 0) >= 2)
        // Read back by psql, not by the store under test: the identities are the SQLite ones.
        let server = try PostgresServer.shared()
        let ids = try server.psql(database.name, "SELECT id FROM deliveries ORDER BY id").split(separator: "\n").map(String.init)
        #expect(ids.count == 2 && ids.allSatisfy { $0.hasPrefix("carson/deadline/") }, "\(ids)")

        let again = try CommandRunner.run("compactctl", ["state", "migrate", "--from", "sqlite:\(setup.statePath)", "--to", database.url], environment: env)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds a state"), "\(again.stderr)")

        // The same configuration on PostgreSQL.
        let pgConfig = setup.directory.appendingPathComponent("compactd-pg.toml").path
        try setup.usePostgres(database.url, writingTo: pgConfig)
        var pgEnv = env
        pgEnv["COMPACTD_CONFIG"] = pgConfig
        var after: [NSObject] = []
        for command in commands {
            let run = try CommandRunner.run("compactctl", command, environment: pgEnv)
            after.append(Self.withoutGenerated(try Self.json(run.stdout)))
        }
        let sameDate = firstDate == Self.utcDate()
        for (index, command) in commands.enumerated() {
            if sameDate {
                #expect(after[index] == before[index], "\(command[0]): \(after[index])")
            } else {
                #expect(Self.withoutDays(after[index]) as? NSObject == Self.withoutDays(before[index]) as? NSObject, "\(command[0]): \(after[index])")
            }
        }
    }
}
