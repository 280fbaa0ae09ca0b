import CompactdCore
import CompactdStore
import Foundation
import Logging
import Synchronization

/// Moves notices from the plan to the receivers, durably:
///
/// 1. `enqueueDue` plans what has fallen due and writes it to the outbox (insert-or-ignore on
///    the notice identity) before anything is sent;
/// 2. `deliverDue` claims due rows (re-checking acknowledgments in the same transaction),
///    sends them through the curl engine, and records every attempt.
///
/// A crash between sending and recording leaves the row `sending`; `recoverInterrupted` puts
/// it back, and it is sent again under the same identity (same `webhook-id`, same
/// `Message-ID`). `compactd --once` and the long-running daemon run exactly this code.
public final class Dispatcher: Sendable {
    public let configuration: Configuration
    let store: any StateStore
    let engine: CurlEngine
    let builder: DeliveryRequestBuilder
    let snapshots: NoticeSnapshotBuilder
    let retry: RetrySchedule
    let logger: Logger
    let clock: @Sendable () -> Instant
    let faultHook: (@Sendable (FaultPoint) -> Void)?

    /// How far before the catch-up window notices are still looked for, to be recorded as missed.
    static let missedLookbackSeconds: Int64 = 30 * 86_400

    public init(
        configuration: Configuration, store: any StateStore, engine: CurlEngine, templates: TemplateSet,
        secrets: SecretResolver = SecretResolver(), linkSigner: ActionLinkSigner? = nil, logger: Logger, clock: @escaping @Sendable () -> Instant = { Instant.now },
        faultHook: (@Sendable (FaultPoint) -> Void)? = nil
    ) {
        self.faultHook = faultHook
        self.configuration = configuration
        self.store = store
        self.engine = engine
        self.builder = DeliveryRequestBuilder(configuration: configuration, templates: templates, secrets: secrets, linkSigner: linkSigner)
        self.snapshots = NoticeSnapshotBuilder(configuration: configuration)
        self.retry = RetrySchedule(delays: configuration.delivery.retryDelays)
        self.logger = logger
        self.clock = clock
    }

    /// Channels enabled in the configuration: only their rows are claimed.
    var enabledChannels: Set<String> { Set(configuration.channels.filter(\.enabled).map(\.id)) }

    /// Notices written to the outbox per transaction by `enqueueDue`.
    static let enqueueChunk = 1_000

    /// Plans what fell due up to `now` and writes it to the outbox. Notices older than the
    /// catch-up window are written as missed (and logged), never sent.
    ///
    /// Written in chunks, one transaction each, as a pipeline: while the store writes one chunk,
    /// this task logs the chunk written before it and builds the next (measured on 20,000
    /// notices: 270-330 ms as one transaction, of which the store's writes ~110 ms; about
    /// 200 ms in chunks of 1,000; chunks of 500 to 5,000 measured the same). Each notice is logged
    /// once its row is committed, and nothing is sent before every chunk is written. If a chunk
    /// fails, the chunks before it stay written and logged; the next pass inserts the rest
    /// (insert-or-ignore: nothing is written or logged twice).
    /// `state`: the store's acknowledgments and snoozes when the caller has just read them (the
    /// daemon plans the next wake from the same); read here otherwise.
    /// `after`: the `now` of an earlier pass whose notices are all written, planned with this
    /// configuration and `state`: only notices sent after it are planned, instead of the whole
    /// look-back (windows laid end to end plan what the whole window does). The daemon passes
    /// it between passes, so a pass costs what fell due since the last one, not what fell due
    /// in the last month: at 10,000 compacts with 60,000 notices in that month, each pass
    /// planned, froze and offered all of them again (394 ms of CPU a pass, and 26 MiB more
    /// resident after ten: `make bench-pass`).
    public func enqueueDue(now: Instant, state given: PlannerState? = nil, after written: Instant? = nil) async throws(StateStoreError) -> DispatchSummary {
        var summary = DispatchSummary()
        let state: PlannerState
        if let given { state = given } else { state = try await store.plannerState() }
        let catchUpStart = configuration.catchUp.subtracted(from: LocalDateTime(utcSeconds: now.secondsSinceEpoch))
        let catchUpInstant = Instant(secondsSinceEpoch: catchUpStart.secondsAsIfUTC)
        var from = catchUpInstant.adding(seconds: -Self.missedLookbackSeconds)
        if let written, written.adding(microseconds: 1) > from { from = written.adding(microseconds: 1) }
        let to = now.adding(microseconds: 1)
        // (A clock set back before the earlier pass leaves nothing new to plan.)
        let notices = from < to ? Planner(configuration: configuration).plan(from: from, to: to, state: state) : []
        summary.planned = notices.count
        func chunk(at start: Int) -> [NewDelivery]? {
            guard start < notices.count else { return nil }
            return notices[start..<min(start + Self.enqueueChunk, notices.count)].map { snapshots.newDelivery(for: $0, missed: $0.sendAt < catchUpInstant) }
        }
        var start = 0
        var next = chunk(at: start)
        var written: (deliveries: [NewDelivery], inserted: [String])?
        while let deliveries = next {
            let store = self.store
            async let writing = { () async -> Result<[String], StateStoreError> in
                do throws(StateStoreError) { return .success(try await store.enqueue(deliveries, now: now)) } catch { return .failure(error) }
            }()
            if let written { logWritten(written.deliveries, inserted: written.inserted, summary: &summary) }
            start += deliveries.count
            next = chunk(at: start)
            written = (deliveries, try await writing.get())
        }
        if let written { logWritten(written.deliveries, inserted: written.inserted, summary: &summary) }
        return summary
    }

    /// Logs "reminder due" (or "reminder missed") for the notices a chunk actually inserted.
    private func logWritten(_ deliveries: [NewDelivery], inserted ids: [String], summary: inout DispatchSummary) {
        guard !ids.isEmpty else { return }
        let inserted = Set(ids)
        for delivery in deliveries where inserted.contains(delivery.id) {
            var metadata = Self.metadata(delivery.snapshot, id: delivery.id, channel: delivery.channel)
            metadata["send_at"] = .string(delivery.sendAt.rfc3339UTC)
            if delivery.missed {
                summary.missed += 1
                metadata["catch_up"] = "\(configuration.catchUp)"
                logger.warning("reminder missed", metadata: metadata)
            } else {
                summary.enqueued += 1
                logger.info("reminder due", metadata: metadata)
            }
        }
    }

    /// Claims and sends everything due now, up to the engine's concurrency, until nothing due
    /// is left. Returns when every claimed delivery has a recorded outcome.
    /// `progress` is marked at every claim, finished transfer and committed write.
    public func deliverDue(shouldStop: @escaping @Sendable () -> Bool = { false }, progress: DeliveryProgress? = nil) async -> DispatchSummary {
        let limit = max(1, configuration.delivery.maxConcurrentTransfers)
        let channels = enabledChannels
        let run = DeliveryRun(lowWater: limit)
        let claim: @Sendable () async -> [DeliveryRecord] = {
            do {
                defer { progress?.mark() }
                return try await self.store.claimDue(now: self.clock(), limit: limit * 2, channels: channels)
            } catch {
                self.logger.error("claiming deliveries failed", metadata: ["error": "\(error)"])
                run.storageError("\(error)")
                return []
            }
        }
        // Outcomes waiting less than a group's worth are written after at most writeDelay.
        async let flusher: Void = {
            while await run.waitForOutcome() {
                try? await Task.sleep(for: DeliveryRun.writeDelay)
                await self.write(run.pendingGroup(), in: run, progress: progress)
            }
        }()
        await withTaskGroup(of: Void.self) { workers in
            for _ in 0..<limit {
                workers.addTask {
                    while let delivery = await run.next(shouldStop: shouldStop, claim: claim) {
                        let result = await self.attempt(delivery, gone: run.gone)
                        progress?.mark()
                        let group = run.deposit(result)
                        self.faultHook?(.afterSend)
                        await self.write(group, in: run, progress: progress)
                    }
                }
            }
        }
        run.finish()
        await flusher
        await write(run.pendingGroup(), in: run, progress: progress)
        let unstarted = run.unstarted
        if !unstarted.isEmpty {
            // Stopping, or a channel just disabled: what was claimed but not started goes back.
            do { try await store.release(ids: unstarted, now: clock()) } catch {
                logger.error("releasing claimed deliveries failed", metadata: ["error": "\(error)"])
                run.storageError("\(error)")
            }
        }
        return run.summary
    }

    /// Writes a group of outcomes, then any full group that gathered meanwhile.
    private func write(_ group: [AttemptResult]?, in run: DeliveryRun, progress: DeliveryProgress?) async {
        var group = group
        while let results = group {
            let failure = await write(results)
            if failure == nil { progress?.mark() }
            group = run.written(failure: failure)
        }
    }

    /// Writes one group of outcomes in one transaction (and disables channels found gone).
    /// Returns the error, logged, when the store refused.
    func write(_ results: [AttemptResult]) async -> String? {
        do {
            try await store.record(results.map(\.record))
            for result in results {
                if let state = result.disabledChannel { try await store.disableChannel(state) }
            }
            return nil
        } catch {
            logger.error("recording attempts failed", metadata: ["error": "\(error)", "count": "\(results.count)"])
            return "\(error)"
        }
    }

    /// One attempt at one delivery, and what to record about it.
    /// `gone`: the channels found gone (410) in this run so far; a 410 from a channel already
    /// in it (a request that was in flight when the first 410 came) does not disable it again.
    func attempt(_ delivery: DeliveryRecord, gone: GoneChannels? = nil) async -> AttemptResult {
        // The idempotency key, derived once: it goes into the log fields and the request.
        let eventID = MessageIdentifier.webhookID(for: delivery.id)
        var metadata = Self.metadata(delivery.snapshot, id: delivery.id, channel: delivery.channel, deliveryID: eventID)
        metadata["attempt"] = .string(String(delivery.attempts))
        let started = clock()
        var summary = DispatchSummary()
        let classification: AttemptClassification
        var httpStatus: Int?
        var smtpReply: String?
        var curlCode: Int?
        var curlError: String?
        var latency: Int64 = 0
        if let damage = delivery.snapshotDamage {
            // Sending it would mean a notice with empty fields: dead-lettered, and said why.
            return await finish(delivery, metadata: metadata, started: started, classification: .dead(reason: "damaged outbox row: \(damage)"), summary: &summary)
        }
        if let channel = configuration.channel(delivery.channel) {
            switch channel.kind {
            case .log:
                var notice = metadata
                notice["kind"] = "\(delivery.snapshot.kind)"
                notice["label"] = "\(delivery.snapshot.label)"
                notice["due_at"] = "\(delivery.snapshot.dueAtUTC)"
                logger.notice("notice", metadata: notice)
                classification = .delivered
            case .webhook, .email:
                let isSMTP = channel.isEmail
                let request: TransferRequest
                do {
                    request = try buildRequest(delivery, channel: channel, now: started, eventID: eventID)
                } catch {
                    return await finish(delivery, metadata: metadata, started: started, classification: .dead(reason: error.description), summary: &summary)
                }
                switch await engine.perform(request) {
                case .success(let response):
                    latency = response.totalMicroseconds
                    if isSMTP {
                        smtpReply = String(response.statusCode)
                        classification = .smtp(replyCode: response.statusCode == 0 ? 250 : response.statusCode)
                    } else {
                        httpStatus = response.statusCode
                        classification = .http(status: response.statusCode, headers: response.headers, now: clock())
                    }
                case .failure(let error):
                    latency = error.totalMicroseconds
                    curlCode = error.curlCode
                    curlError = error.message
                    if isSMTP { smtpReply = error.responseCode.map(String.init) } else { httpStatus = error.responseCode }
                    classification = .transferError(error, isSMTP: isSMTP)
                }
            }
        } else {
            classification = .dead(reason: "channel \(delivery.channel) is no longer configured")
        }
        if case .gone = classification, let gone, !gone.insert(delivery.channel) {
            // The channel was disabled by an earlier 410 of this run: this row waits with the
            // channel's other deliveries (until `compactctl` re-enables it), said once already.
            return await finish(delivery, metadata: metadata, started: started, classification: .held(reason: "HTTP 410 Gone; channel already disabled"), summary: &summary,
                                httpStatus: httpStatus, latencyMicroseconds: latency)
        }
        return await finish(delivery, metadata: metadata, started: started, classification: classification, summary: &summary,
                            httpStatus: httpStatus, smtpReply: smtpReply, curlCode: curlCode, curlError: curlError, latencyMicroseconds: latency)
    }

    private func buildRequest(_ delivery: DeliveryRecord, channel: Channel, now: Instant, eventID: String) throws(DeliveryRequestBuilder.Failure) -> TransferRequest {
        switch channel.kind {
        case .webhook(let settings): try builder.webhookRequest(for: delivery, settings: settings, now: now, eventID: eventID)
        case .email(let settings): try builder.emailRequest(for: delivery, settings: settings, now: now)
        case .log: throw DeliveryRequestBuilder.Failure(reason: "log channels send nothing over the network")
        }
    }

    /// Decides and logs the outcome; the caller records it (and disables the channel on 410).
    private func finish(
        _ delivery: DeliveryRecord, metadata: consuming Logger.Metadata, started: Instant, classification: AttemptClassification, summary: inout DispatchSummary,
        httpStatus: Int? = nil, smtpReply: String? = nil, curlCode: Int? = nil, curlError: String? = nil, latencyMicroseconds: Int64 = 0
    ) async -> AttemptResult {
        let finished = clock()
        let latencyMs = Int(max(latencyMicroseconds, finished.microsecondsSinceEpoch - started.microsecondsSinceEpoch) / 1000)
        // Taken over from the caller (consuming), so adding fields copies no table.
        var metadata = metadata
        metadata["latency_ms"] = .string(String(latencyMs))
        if let httpStatus { metadata["http_status"] = .string(String(httpStatus)) }
        if let smtpReply { metadata["smtp_reply"] = .string(smtpReply) }
        if let curlCode { metadata["curl_error"] = .string(String(curlCode)) }
        func with(_ extra: Logger.Metadata) -> Logger.Metadata { metadata.merging(extra) { $1 } }
        var outcome: AttemptOutcome
        var next: Instant?
        var detail: String?
        switch classification {
        case .delivered:
            outcome = .delivered
            summary.delivered += 1
        case .retry(let reason, let retryAfter):
            detail = reason
            next = retry.nextAttempt(after: delivery.attempts, now: finished, retryAfterSeconds: retryAfter, jitter: Double.random(in: 0...1))
            if let next {
                outcome = .retry
                summary.retrying += 1
                logger.warning("delivery failed, will retry", metadata: with(["reason": "\(reason)", "next_attempt_at": "\(next.rfc3339UTC)"]))
            } else {
                outcome = .dead
                detail = "gave up after \(delivery.attempts) attempts: \(reason)"
                summary.dead += 1
                logger.error("delivery dead-lettered", metadata: with(["reason": "\(detail!)"]))
            }
        case .dead(let reason):
            outcome = .dead
            detail = reason
            summary.dead += 1
            logger.error("delivery dead-lettered", metadata: with(["reason": "\(reason)"]))
        case .held(let reason):
            // Pending again, due now: claimed as soon as its channel is enabled.
            outcome = .retry
            detail = reason
            next = finished
            summary.retrying += 1
            logger.debug("delivery held, channel disabled", metadata: with(["reason": "\(reason)"]))
        case .gone(let reason):
            outcome = .gone
            detail = reason
            summary.dead += 1
            summary.channelsDisabled += 1
            logger.critical("channel disabled", metadata: with(["reason": "\(reason)"]))
        }
        if outcome == .delivered { logger.info("delivered", metadata: metadata) }
        DeliveryMetrics.attemptFinished(channel: delivery.channel, outcome: outcome, latencyMilliseconds: latencyMs)
        let record = AttemptRecord(
            deliveryID: delivery.id, number: delivery.attempts, startedAt: started, finishedAt: finished, outcome: outcome,
            httpStatus: httpStatus, smtpReply: smtpReply, curlCode: curlCode, curlError: curlError,
            latencyMilliseconds: latencyMs, nextAttemptAt: next, detail: detail, channel: delivery.channel, sendAt: delivery.sendAt
        )
        let disabled = outcome == .gone ? ChannelState(channel: delivery.channel, disabledAt: finished, reason: detail ?? "HTTP 410 Gone") : nil
        return AttemptResult(summary: summary, record: record, disabledChannel: disabled)
    }

    /// The notice's identifying fields for log events (journal fields, upper-cased there).
    /// `deliveryID` is the notice's `webhook-id`, when the caller has already derived it.
    static func metadata(_ snapshot: NoticeSnapshot, id: String, channel: String, deliveryID: String? = nil) -> Logger.Metadata {
        // Room for the fields callers add (send time, attempt, latency, status, reason): made
        // for these seven, the table grew, and rehashed every key, once or twice per event.
        var metadata = Logger.Metadata(minimumCapacity: 14)
        metadata["compact_id"] = .string(snapshot.compactID)
        metadata["partner"] = .string(snapshot.partner)
        metadata["cycle_id"] = .string(snapshot.cycleID)
        metadata["step_id"] = .string(snapshot.stepID)
        metadata["reminder_id"] = .string(id)
        metadata["delivery_id"] = .string(deliveryID ?? MessageIdentifier.webhookID(for: id))
        metadata["channel"] = .string(channel)
        return metadata
    }

    /// Crash recovery, planning and delivery until nothing is due now: `compactd --once`.
    public func runOnce() async throws(StateStoreError) -> DispatchSummary {
        let recovered = try await store.recoverInterrupted(now: clock())
        var summary = try await runPass()
        summary.recovered = recovered
        return summary
    }

    /// One pass of the daemon's loop: plan and enqueue what fell due, deliver until nothing
    /// due now is left (or `shouldStop` says so), and report when the next retry is due.
    public func runPass(shouldStop: @escaping @Sendable () -> Bool = { false }) async throws(StateStoreError) -> DispatchSummary {
        var summary = DispatchSummary()
        summary.add(try await enqueueDue(now: clock()))
        faultHook?(.afterEnqueue)
        while !shouldStop() {
            let pass = await deliverDue(shouldStop: shouldStop)
            summary.add(pass)
            // Retries due "immediately" (e.g. a 5 s wait in tests with short schedules) are
            // picked up by the next pass; anything later is left for the daemon or the next run.
            if pass.delivered + pass.retrying + pass.dead == 0 || pass.storageErrors > 0 { break }
            guard let next = try await store.nextAttemptDue(), next <= clock() else { break }
        }
        summary.nextAttemptAt = try await store.nextAttemptDue()
        return summary
    }
}

/// The channels found gone (410) during one delivery pass.
final class GoneChannels: Sendable {
    private let channels = Mutex<Set<String>>([])

    /// True for the first report of a channel in this run: only that one disables it.
    @discardableResult
    func insert(_ channel: String) -> Bool { channels.withLock { $0.insert(channel).inserted } }
    func contains(_ channel: String) -> Bool { channels.withLock { $0.contains(channel) } }
}

/// One attempt's outcome, before it is written.
struct AttemptResult: Sendable {
    var summary: DispatchSummary
    var record: AttemptRecord
    var disabledChannel: ChannelState?
}
