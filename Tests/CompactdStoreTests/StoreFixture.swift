import CompactdCore
import CompactdPostgres
import CompactdStore
import CompactdTestSupport
import Foundation
import Testing

/// Which store a conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

/// One state for a test: a fresh SQLite file, or a fresh database on the test process's real
/// PostgreSQL server. `open()` gives another handle on the same state, as another process (or
/// replica) would have; every handle's connections are closed by `close()`.
final class StoreFixture: @unchecked Sendable {
    let kind: StoreKind
    let sqlitePath: String
    let database: (name: String, url: String)?
    private var running: [Task<Void, Never>] = []
    private let lock = NSLock()

    init(_ kind: StoreKind) throws {
        self.kind = kind
        sqlitePath = FileManager.default.temporaryDirectory.appendingPathComponent("compactd-store-\(UUID().uuidString).sqlite").path
        database = kind == .postgresql ? try PostgresServer.shared().makeDatabase() : nil
    }

    static func settings(_ url: String, leaseSeconds: Int = 30) throws -> PostgresSettings {
        var settings = try PostgresURL.parse(url).get()
        settings.leaseSeconds = leaseSeconds
        return settings
    }

    /// A handle on this state; for PostgreSQL, a replica of its own with the given lease.
    func open(leaseSeconds: Int = 30) throws -> any StateStore {
        switch kind {
        case .sqlite: return try SQLiteStateStore(path: sqlitePath)
        case .postgresql: return try openReplica(leaseSeconds: leaseSeconds)
        }
    }

    func openReplica(leaseSeconds: Int = 30) throws -> PostgresStateStore {
        let store = try PostgresStateStore(settings: Self.settings(database!.url, leaseSeconds: leaseSeconds), password: nil)
        let task = Task { await store.runConnections() }
        lock.withLock { running.append(task) }
        return store
    }

    func close() {
        for task in lock.withLock({ running }) { task.cancel() }
    }

    /// Runs `body` on a fresh state of this kind.
    static func with(_ kind: StoreKind, _ body: (StoreFixture) async throws -> Void) async throws {
        let fixture = try StoreFixture(kind)
        defer { fixture.close() }
        try await body(fixture)
    }

    static func snapshot(_ compact: String = "bell") -> NoticeSnapshot {
        NoticeSnapshot(compactID: compact, partner: "City of Bell", cycleID: "summer", cycleTitle: "Summer", occurrence: "2025-05-01", stepID: "kickoff", stepTitle: "Kickoff", kind: "reminder", label: "7d before", detail: "7d", dueAtUTC: "2025-05-15T16:00:00Z", dueAtLocal: "2025-05-15T09:00:00-07:00", timeZone: "America/Los_Angeles", daysUntilDue: 7, commitments: ["Safety"])
    }

    static func delivery(_ id: String, step: String = "bell/summer/2025-05-01/kickoff", channel: String = "hook", at seconds: Int64 = 1000) -> NewDelivery {
        NewDelivery(id: id, stepKey: step, channel: channel, contact: nil, sendAt: Instant(secondsSinceEpoch: seconds), snapshot: snapshot())
    }
}
