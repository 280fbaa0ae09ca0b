import CompactdCore
import CompactdStore
import Synchronization

/// The shared state of one `Dispatcher.deliverDue`: claimed deliveries waiting for a worker,
/// outcomes waiting to be written, and the running summary.
///
/// As many workers as transfers may run at once each loop: take the next delivery (claiming a
/// new batch when the queue runs dry; one claim at a time, the other workers waiting for it),
/// send it, leave the outcome here. Outcomes are written in groups, one transaction each, at most
/// one write in flight: by the worker whose outcome fills a group, or by the flusher when an
/// outcome has waited `writeDelay`. No delivery passes through one coordinating task: that cost
/// a task switch per delivery.
final class DeliveryRun: Sendable {
    /// At most this many outcomes are written per transaction, and none waits longer than
    /// `writeDelay` for its transaction: an outcome not yet written when the process dies leaves
    /// its row `sending`, resent under the same identity, so the wait is kept short. (64 a
    /// transaction wrote 7% more pages to the WAL for 20,000 webhooks, and cost 3% more CPU.)
    static let writeBatch = 256
    static let writeDelay = Duration.milliseconds(20)

    private struct State {
        var queue: [DeliveryRecord] = []
        var next = 0
        var exhausted = false
        var claiming = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var unwritten: [AttemptResult] = []
        var writing = false
        var finished = false
        /// The flusher, waiting for an outcome to be left (or the run to finish).
        var flusher: CheckedContinuation<Void, Never>?
        var summary = DispatchSummary()
        /// Claimed but not started: their channel was found gone during this run.
        var skipped: [String] = []
    }

    private let state = Mutex(State())
    /// Channels that answered 410 during this run: their claimed rows are not started.
    let gone = GoneChannels()

    /// What a worker does next.
    enum Step {
        case deliver(DeliveryRecord)
        /// Claim the next batch, then deliver this one: the queue is running low, and the
        /// other workers go on taking from it meanwhile.
        case claimThenDeliver(DeliveryRecord)
        case claim
        case wait
        case done
    }

    /// When fewer unstarted deliveries than this are left, the next claim starts, so workers
    /// do not all stop for it at once: a claim waits its turn on the store's queue behind any
    /// write. (Measured: 17,000 -> 19,300 deliveries/s with the transfer slots as the mark;
    /// twice that, or bigger claims, no further change.)
    let lowWater: Int

    init(lowWater: Int = 0) {
        self.lowWater = lowWater
    }

    /// The next delivery for a worker, or nil when none is left (or stopping).
    func next(shouldStop: () -> Bool, claim: () async -> [DeliveryRecord]) async -> DeliveryRecord? {
        while true {
            let step = state.withLock { s -> Step in
                if shouldStop() { return .done }
                while s.next < s.queue.count {
                    let delivery = s.queue[s.next]
                    s.next += 1
                    if gone.contains(delivery.channel) {
                        s.skipped.append(delivery.id)
                        continue
                    }
                    if s.queue.count - s.next < lowWater && !s.claiming && !s.exhausted {
                        s.claiming = true
                        return .claimThenDeliver(delivery)
                    }
                    return .deliver(delivery)
                }
                if s.exhausted { return .done }
                if s.claiming { return .wait }
                s.claiming = true
                return .claim
            }
            switch step {
            case .deliver(let delivery):
                return delivery
            case .claimThenDeliver(let delivery):
                await claimNext(claim)
                return delivery
            case .done:
                return nil
            case .claim:
                await claimNext(claim)
            case .wait:
                await withCheckedContinuation { (worker: CheckedContinuation<Void, Never>) in
                    let claimDone = state.withLock { s -> Bool in
                        guard s.claiming else { return true }
                        s.waiting.append(worker)
                        return false
                    }
                    if claimDone { worker.resume() }
                }
            }
        }
    }

    /// Claims a batch and queues it behind what is left unstarted; wakes the workers that
    /// found the queue empty meanwhile.
    private func claimNext(_ claim: () async -> [DeliveryRecord]) async {
        let batch = await claim()
        let waiting = state.withLock { s in
            s.queue.removeFirst(s.next)
            s.next = 0
            s.queue.append(contentsOf: batch)
            s.exhausted = batch.isEmpty
            s.claiming = false
            defer { s.waiting.removeAll() }
            return s.waiting
        }
        for worker in waiting { worker.resume() }
    }

    /// Leaves an outcome to be written. Returns a group to write now when this one fills it
    /// (or disabled a channel) and no write is in flight; the caller writes it and calls
    /// `written`.
    func deposit(_ result: AttemptResult) -> [AttemptResult]? {
        var flusher: CheckedContinuation<Void, Never>?
        let group = state.withLock { s -> [AttemptResult]? in
            s.summary.add(result.summary)
            s.unwritten.append(result)
            flusher = s.flusher
            s.flusher = nil
            guard s.unwritten.count >= Self.writeBatch || result.disabledChannel != nil else { return nil }
            return Self.takeGroup(&s)
        }
        flusher?.resume()
        return group
    }

    /// Suspends the flusher until an outcome waits to be written or the run finished, so it
    /// does not tick while transfers are slow. True when there is something to flush.
    func waitForOutcome() async -> Bool {
        await withCheckedContinuation { (flusher: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                guard s.unwritten.isEmpty && !s.finished else { return true }
                s.flusher = flusher
                return false
            }
            if now { flusher.resume() }
        }
        return !isFinished
    }

    /// A group to write now, if any outcome waits and no write is in flight.
    func pendingGroup() -> [AttemptResult]? {
        state.withLock { Self.takeGroup(&$0) }
    }

    private static func takeGroup(_ s: inout State) -> [AttemptResult]? {
        guard !s.writing, !s.unwritten.isEmpty else { return nil }
        s.writing = true
        defer { s.unwritten.removeAll(keepingCapacity: true) }
        return s.unwritten
    }

    /// A write finished (with the store's error, if it failed). Returns the next group when a
    /// full one gathered meanwhile.
    func written(failure: String?) -> [AttemptResult]? {
        state.withLock { s in
            s.writing = false
            if let failure { Self.storageError(&s.summary, failure) }
            return s.unwritten.count >= Self.writeBatch ? Self.takeGroup(&s) : nil
        }
    }

    /// Counts a failed store operation (claiming, recording, releasing).
    func storageError(_ description: String) {
        state.withLock { Self.storageError(&$0.summary, description) }
    }

    private static func storageError(_ summary: inout DispatchSummary, _ description: String) {
        summary.storageErrors += 1
        summary.lastStorageError = description
    }

    /// The workers are done: the flusher stops.
    func finish() {
        let flusher = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.finished = true
            let waiting = s.flusher
            s.flusher = nil
            return waiting
        }
        flusher?.resume()
    }
    var isFinished: Bool { state.withLock { $0.finished } }

    /// What was claimed but never started (stopping, or the channel went away): to release.
    var unstarted: [String] {
        state.withLock { s in s.queue[min(s.next, s.queue.count)...].map(\.id) + s.skipped }
    }

    var summary: DispatchSummary { state.withLock { $0.summary } }
}
