/// Whether a SQLite state may have changed since a read: equal tokens mean no row was written
/// in between, by this connection (`sqlite3_total_changes64`) or by any other
/// (`PRAGMA data_version`, which moves when another connection commits). A read whose result
/// only the rows decide can be kept under its token and given again while the token holds.
struct SQLiteChangeToken: Equatable {
    let dataVersion: Int64
    let totalChanges: Int64

    static func current(_ connection: SQLiteConnection) throws(StateStoreError) -> SQLiteChangeToken {
        var dataVersion: Int64 = 0
        try connection.query("PRAGMA data_version", operation: "reading the state's change counter") { row in dataVersion = row.int(0) }
        return SQLiteChangeToken(dataVersion: dataVersion, totalChanges: connection.totalChanges)
    }
}
