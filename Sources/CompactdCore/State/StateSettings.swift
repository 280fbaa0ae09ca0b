/// Where compactd keeps its state: `[state]`. One SQLite file by default; a PostgreSQL
/// database when several compactd replicas share the work.
public struct StateSettings: Sendable, Hashable {
    public enum Backend: Sendable, Hashable {
        /// One SQLite file (`state_path`, or `$STATE_DIRECTORY/compactd.sqlite`).
        case sqlite
        /// A PostgreSQL database shared by every replica.
        case postgresql(PostgresSettings)
    }

    public var backend: Backend = .sqlite

    public init(backend: Backend = .sqlite) {
        self.backend = backend
    }

    public var postgres: PostgresSettings? {
        if case .postgresql(let settings) = backend { return settings }
        return nil
    }
}
