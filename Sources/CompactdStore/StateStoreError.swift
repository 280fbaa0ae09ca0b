/// A failure of the state store, with SQLite's code (or PostgreSQL's SQLSTATE in the message)
/// and what was being done.
public struct StateStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The database could not be opened or created.
        case open
        /// Another process holds the lock longer than the busy timeout.
        case busy
        /// The disk is full or the file is read-only.
        case readOnlyOrFull = "read-only-or-full"
        /// The database file is not a database, or is corrupt.
        case corrupt
        /// A migration could not be applied.
        case migration
        /// The requested record does not exist.
        case notFound = "not-found"
        /// The request does not fit the stored state (e.g. acknowledging twice).
        case conflict
        /// The database server cannot be reached, or did not answer in time (PostgreSQL).
        case unavailable
        case other
    }

    public var code: Code
    public var message: String
    /// SQLite's primary result code, when the failure came from SQLite.
    public var sqliteCode: Int32?
    /// What compactd was doing, e.g. "claiming deliveries".
    public var operation: String

    public init(code: Code, message: String, sqliteCode: Int32? = nil, operation: String) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
        self.operation = operation
    }

    public var description: String {
        var text = "state store: \(operation) failed: \(message)"
        if let sqliteCode { text += " (SQLite code \(sqliteCode))" }
        switch code {
        case .busy: text += "; another process holds the database: retry, or stop it"
        case .readOnlyOrFull: text += "; check that the state directory is writable and the disk has room"
        case .corrupt: text += "; restore the state file from a backup"
        case .unavailable: text += "; compactd retries by itself, and sends nothing it could not record"
        default: break
        }
        return text
    }
}
