import Logging
import PostgresNIO

extension PostgresConnection {
    /// A query with compactd's quiet logger (the store logs what matters itself).
    @discardableResult
    func sql(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: PostgresStateStore.queryLogger)
    }
}

extension PostgresClient {
    @discardableResult
    func sql(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: PostgresStateStore.queryLogger)
    }
}
