import CCurl
import CompactdSystemd
import Foundation
import Synchronization

/// Every transfer compactd makes, through one libcurl multi handle.
///
/// One thread owns the multi handle and drives it with `curl_multi_poll`; `perform` hands a
/// request to that thread, wakes it with `curl_multi_wakeup`, and suspends until the transfer
/// completes. The multi handle keeps connections open for reuse and caps concurrency overall
/// and per host. Nothing here blocks Swift's cooperative thread pool.
public final class CurlEngine: Sendable {
    private struct Submission: @unchecked Sendable {
        var request: TransferRequest
        var continuation: CheckedContinuation<Result<TransferResponse, TransferError>, Never>
    }

    private struct Shared {
        var submissions: [Submission] = []
        var stopping = false
        /// The engine's thread is (about to be) waiting in `curl_multi_poll`: a submission must
        /// wake it. While it works through transfers it picks submissions up on its next turn,
        /// and a wakeup per submission would only cost a write and an extra turn each.
        var polling = false
    }

    private let limits: CurlEngineLimits
    /// The multi handle and its thread, started by the first transfer: a daemon whose channels
    /// are all quiet (or only `log`) never initialises libcurl and its TLS library, which
    /// keeps its memory small.
    private let started = Mutex<MultiHandle?>(nil)
    private let shared = SharedState()

    /// Owns the CURLM pointer; freed when the engine goes. Only the engine's thread touches it,
    /// except `curl_multi_wakeup`, which libcurl allows from any thread.
    private final class MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
        deinit { curl_multi_cleanup(pointer) }
    }

    /// What callers and the engine's thread share, behind a lock.
    private final class SharedState: Sendable {
        let state = Mutex(Shared())
        let finished = Mutex(false)
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        // With CURLOPT_NOSIGNAL, a peer closing a socket must not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }()

    public init(limits: CurlEngineLimits = CurlEngineLimits()) {
        self.limits = limits
    }

    /// The multi handle, creating it and starting its thread the first time.
    private func multi() -> MultiHandle {
        started.withLock { started in
            if let started { return started }
            _ = Self.globalInit
            let multi = MultiHandle(curl_multi_init())
            _ = compactd_curl_multi_setopt_long(multi.pointer, CURLMOPT_MAX_TOTAL_CONNECTIONS, limits.maxConcurrentTransfers)
            _ = compactd_curl_multi_setopt_long(multi.pointer, CURLMOPT_MAX_HOST_CONNECTIONS, limits.maxConnectionsPerHost)
            _ = compactd_curl_multi_setopt_long(multi.pointer, CURLMOPT_MAXCONNECTS, limits.maxConcurrentTransfers)
            NamedThread.start("compactd-curl") { [multi, shared, limits] in
                Self.runLoop(multi: multi.pointer, shared: shared, limits: limits)
                shared.finished.withLock { $0 = true }
            }
            started = multi
            return multi
        }
    }

    deinit {
        shutdown()
    }

    /// Runs one transfer. Returns its response, or the error curl reported.
    public func perform(_ request: TransferRequest) async -> Result<TransferResponse, TransferError> {
        let multi = multi()
        return await withCheckedContinuation { continuation in
            let accepted = shared.state.withLock { state -> Bool? in
                guard !state.stopping else { return nil }
                state.submissions.append(Submission(request: request, continuation: continuation))
                defer { state.polling = false }
                return state.polling
            }
            if let wake = accepted {
                if wake { curl_multi_wakeup(multi.pointer) }
            } else {
                continuation.resume(returning: Result<TransferResponse, TransferError>.failure(TransferError(curlCode: 43, message: "the delivery engine is shutting down")))
            }
        }
    }

    /// Stops accepting transfers, lets those running finish (each is bounded by its own
    /// timeout), and ends the thread.
    public func shutdown() {
        let multi = started.withLock { started in
            shared.state.withLock { $0.stopping = true }
            return started
        }
        guard let multi else { return }
        curl_multi_wakeup(multi.pointer)
        while !shared.finished.withLock({ $0 }) { usleep(1000) }
    }

    private static func runLoop(multi: UnsafeMutableRawPointer, shared: SharedState, limits: CurlEngineLimits) {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        // Easy handles of finished transfers, reset and reused, so a transfer does not allocate
        // and free a handle and its buffers. (Not measurable alone in the delivery benchmark;
        // kept because it costs nothing and this thread is the busiest.)
        var idle: [UnsafeMutableRawPointer] = []
        defer { for handle in idle { curl_easy_cleanup(handle) } }
        func recycle(_ handle: UnsafeMutableRawPointer) {
            if idle.count < limits.maxConcurrentTransfers {
                curl_easy_reset(handle)
                idle.append(handle)
            } else {
                curl_easy_cleanup(handle)
            }
        }
        while true {
            let (newSubmissions, stopping) = shared.state.withLock { state -> ([Submission], Bool) in
                defer { state.submissions.removeAll() }
                // Submissions left while this thread was busy, and any that come before it
                // polls again, do not wake it: it looks here before every poll.
                state.polling = false
                return (state.submissions, state.stopping)
            }
            for submission in newSubmissions {
                guard let handle = idle.popLast() ?? curl_easy_init() else {
                    submission.continuation.resume(returning: .failure(TransferError(curlCode: 27, message: "out of memory creating a transfer")))
                    continue
                }
                let transfer = CurlTransfer(handle: handle, request: submission.request, continuation: submission.continuation)
                let setup = transfer.configure()
                guard setup == CURLE_OK else {
                    let error = CurlTransfer.error(code: setup, buffer: transfer.errorBuffer)
                    recycle(handle)
                    transfer.continuation.resume(returning: .failure(error))
                    continue
                }
                active[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            if stopping && active.isEmpty { return }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let transfer = active.removeValue(forKey: easy) else { continue }
                let code = message.pointee.data.result
                let result = transfer.result(code: code)
                curl_multi_remove_handle(multi, easy)
                recycle(easy)
                transfer.continuation.resume(returning: result)
            }
            // Anything submitted since the look above is taken now; otherwise poll, and from
            // here on a submission wakes the thread (`shutdown` always does).
            let pending = shared.state.withLock { state -> Bool in
                guard state.submissions.isEmpty else { return true }
                state.polling = true
                return false
            }
            if pending { continue }
            // libcurl shortens the wait to its own next timeout; with nothing running the thread
            // sleeps until a wakeup (a long cap, not a tick).
            curl_multi_poll(multi, nil, 0, active.isEmpty ? 3_600_000 : 1000, nil)
        }
    }
}
