import CompactdCore
import CompactdStore
import Foundation
import Testing

/// What only the SQLite store has: a file.
@Suite("SQLite state store")
struct SQLiteStateStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("compactd-store-\(UUID().uuidString).sqlite").path
    }

    @Test("a file that is not a database is reported clearly")
    func notADatabase() throws {
        let path = Self.temporaryPath()
        try Data("this is not sqlite, just text padding the header out......................................".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SQLiteStateStore(path: path)
            Issue.record("opening a text file as a database should fail")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.description.contains("restore the state file from a backup"))
        }
    }
}
