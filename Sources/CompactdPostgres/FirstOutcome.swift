import Synchronization

/// The first of several outcomes, handed to one waiting continuation whichever comes first:
/// the outcome or the continuation.
final class FirstOutcome<T: Sendable>: Sendable {
    private enum State {
        case open
        case waiting(CheckedContinuation<T, any Error>)
        case finished(Result<T, any Error>)
        case delivered
    }

    private let state = Mutex<State>(.open)

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = state.withLock { state in
            switch state {
            case .open:
                state = .waiting(continuation)
                return nil
            case .finished(let result):
                state = .delivered
                return result
            case .waiting, .delivered:
                preconditionFailure("one continuation waits")
            }
        }
        if let ready { continuation.resume(with: ready) }
    }

    func finish(_ result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .open:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}
