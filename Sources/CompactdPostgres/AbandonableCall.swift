/// Runs one database operation in a task of its own and answers with the first of: its result,
/// a timeout, or the caller's cancellation; on a timeout or a cancellation the operation is
/// cancelled and left to end by itself, unwaited.
///
/// Why not a task group racing a sleep: a group waits for every child before it returns, and
/// postgres-nio does not cancel a query it has sent (`PostgresConnection.query` awaits a promise
/// that only the server's answer or the connection's end fulfils). A query on a connection whose
/// packets go nowhere (a cut link, a frozen server) or that waits on a lock therefore held the
/// caller past `[state] timeout`, and at a stop held the daemon past SIGTERM until systemd
/// killed it (seen in the replica chaos run: a replica cut off from its database earlier did
/// not stop within 40 s). What the abandoned operation still does is what a timed-out one could
/// always do: commit or not, unknown to the caller, which treats it as not done.
enum AbandonableCall {
    /// The operation ran past its time.
    struct Timeout: Error {}

    static func run<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = FirstOutcome<T>()
        let work = Task {
            do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
        }
        let timer = Task {
            // A cancelled sleep (the work ended first) says nothing.
            guard (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil else { return }
            outcome.finish(.failure(Timeout()))
        }
        defer {
            timer.cancel()
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in outcome.wait(continuation) }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }
}
