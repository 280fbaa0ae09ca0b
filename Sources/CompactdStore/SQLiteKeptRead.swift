/// A read of the state kept with the change token it was made under, and given again while
/// the token holds (`SQLiteChangeToken`): for reads of every row that are asked for often and
/// change rarely (`/metrics`' counts and oldest waiting row). Touched only on the store's queue.
struct SQLiteKeptRead<Value> {
    private var kept: (token: SQLiteChangeToken, value: Value)?

    /// The kept value while nothing was written since, else `read()`'s, kept in its place.
    mutating func value(on connection: SQLiteConnection, read: () throws(StateStoreError) -> Value) throws(StateStoreError) -> Value {
        let token = try SQLiteChangeToken.current(connection)
        if let kept, kept.token == token { return kept.value }
        let value = try read()
        kept = (token, value)
        return value
    }
}
