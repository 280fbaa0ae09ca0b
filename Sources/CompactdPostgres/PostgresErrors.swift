import CompactdStore
import PostgresNIO

/// postgres-nio's errors as the store's: a server that cannot be reached is `.unavailable`
/// (the daemon goes degraded and retries), the server's own refusals keep their SQLSTATE.
enum PostgresErrors {
    static func storeError(_ error: any Error, operation: String) -> StateStoreError {
        if let error = error as? StateStoreError { return error }
        if error is AbandonableCall.Timeout {
            return StateStoreError(code: .unavailable, message: "the database did not answer in time", operation: operation)
        }
        if let transaction = error as? PostgresTransactionError {
            if let closure = transaction.closureError { return storeError(closure, operation: operation) }
            if let begin = transaction.beginError { return storeError(begin, operation: operation) }
            if let commit = transaction.commitError { return storeError(commit, operation: operation) }
            if let rollback = transaction.rollbackError { return storeError(rollback, operation: operation) }
        }
        if let psql = error as? PSQLError {
            if let state = psql.serverInfo?[.sqlState] {
                let message = (psql.serverInfo?[.message] ?? "server error") + " (SQLSTATE \(state))"
                let code: StateStoreError.Code = switch state {
                case "23505": .conflict
                case "25006", "53100", "53200": .readOnlyOrFull
                case "40001", "40P01", "55P03": .busy
                case let s where s.hasPrefix("57") || s.hasPrefix("08"): .unavailable
                default: .other
                }
                return StateStoreError(code: code, message: message, operation: operation)
            }
            return StateStoreError(code: .unavailable, message: "no usable connection to the database (\(psql.code))", operation: operation)
        }
        if error is CancellationError {
            return StateStoreError(code: .unavailable, message: "cancelled", operation: operation)
        }
        // The pool's own errors (its circuit breaker, a shut-down client) and I/O errors.
        return StateStoreError(code: .unavailable, message: "\(error)", operation: operation)
    }
}
