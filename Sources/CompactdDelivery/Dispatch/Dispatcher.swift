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
        secrets: SecretResolver = SecretResolver(), logger: Logger, clock: @escaping @Sendable () -> Instant = { Instant.now },
        faultHook: (@Sendable (FaultPoint) -> Void)? = nil
    ) {
        self.faultHook = faultHook
        self.configuration = configuration
        self.store = store
        self.engine = engine
        self.builder = DeliveryRequestBuilder(configuration: configuration, templates: templates, secrets: secrets)
        self.snapshots = NoticeSnapshotBuilder(configuration: configuration)
        self.retry = RetrySchedule(delays: configuration.delivery.retryDelays)
        self.logger = logger
        self.clock = clock
    }

    /// Channels enabled in the configuration: only their rows are claimed.
    var enabledChannels: Set<String> { Set(configuration.channels.filter(\.enabled).map(\.id)) }

    /// Plans what fell due up to `now` and writes it to the outbox. Notices older than the
    /// catch-up window are written as missed (and logged), never sent.
    public func enqueueDue(now: Instant) async throws(StateStoreError) -> DispatchSummary {
        var summary = DispatchSummary()
        let state = try await store.plannerState()
        let catchUpStart = configuration.catchUp.subtracted(from: LocalDateTime(utcSeconds: now.secondsSinceEpoch))
        let catchUpInstant = Instant(secondsSinceEpoch: catchUpStart.secondsAsIfUTC)
        let from = catchUpInstant.adding(seconds: -Self.missedLookbackSeconds)
        let notices = Planner(configuration: configuration).plan(from: from, to: now.adding(microseconds: 1), state: state)
        let deliveries = notices.map { snapshots.newDelivery(for: $0, missed: $0.sendAt < catchUpInstant) }
        let inserted = Set(try await store.enqueue(deliveries, now: now))
        for delivery in deliveries where inserted.contains(delivery.id) {
            var log = logger
            Self.annotate(&log, delivery.snapshot, id: delivery.id, channel: delivery.channel)
            if delivery.missed {
                summary.missed += 1
                log.warning("reminder missed", metadata: ["send_at": "\(delivery.sendAt.rfc3339UTC)", "catch_up": "\(configuration.catchUp)"])
            } else {
                summary.enqueued += 1
                log.info("reminder due", metadata: ["send_at": "\(delivery.sendAt.rfc3339UTC)"])
            }
        }
        return summary
    }

    /// Claims and sends everything due now, up to the engine's concurrency, until nothing due
    /// is left. Returns when every claimed delivery has a recorded outcome.
    public func deliverDue(shouldStop: @escaping @Sendable () -> Bool = { false }) async -> DispatchSummary {
        let limit = max(1, configuration.delivery.maxConcurrentTransfers)
        let channels = enabledChannels
        var summary = DispatchSummary()
        var queue: [DeliveryRecord] = []
        var exhausted = false
        // Channels that answered 410 during this pass: their claimed rows are not started.
        let gone = GoneChannels()
        var skipped: [String] = []
        await withTaskGroup(of: DispatchSummary.self) { group in
            var inFlight = 0
            while true {
                while inFlight < limit && !shouldStop() {
                    if queue.isEmpty && !exhausted {
                        do {
                            queue = try await store.claimDue(now: clock(), limit: limit * 2, channels: channels)
                        } catch {
                            logger.error("claiming deliveries failed", metadata: ["error": "\(error)"])
                            queue = []
                        }
                        if queue.isEmpty { exhausted = true }
                    }
                    guard !queue.isEmpty else { break }
                    let delivery = queue.removeFirst()
                    if gone.contains(delivery.channel) {
                        skipped.append(delivery.id)
                        continue
                    }
                    inFlight += 1
                    group.addTask {
                        let result = await self.attempt(delivery)
                        if result.channelsDisabled > 0 { gone.insert(delivery.channel) }
                        return result
                    }
                }
                if inFlight == 0 { break }
                if let result = await group.next() {
                    summary.add(result)
                    inFlight -= 1
                }
            }
        }
        let unstarted = queue.map(\.id) + skipped
        if !unstarted.isEmpty {
            // Stopping, or a channel just disabled: what was claimed but not started goes back.
            do { try await store.release(ids: unstarted, now: clock()) } catch {
                logger.error("releasing claimed deliveries failed", metadata: ["error": "\(error)"])
            }
        }
        return summary
    }

    /// One attempt at one delivery, recorded whatever happens.
    func attempt(_ delivery: DeliveryRecord) async -> DispatchSummary {
        var log = logger
        Self.annotate(&log, delivery.snapshot, id: delivery.id, channel: delivery.channel)
        log[metadataKey: "attempt"] = "\(delivery.attempts)"
        let started = clock()
        var summary = DispatchSummary()
        let classification: AttemptClassification
        var httpStatus: Int?
        var smtpReply: String?
        var curlCode: Int?
        var curlError: String?
        var latency: Int64 = 0
        if let channel = configuration.channel(delivery.channel) {
            switch channel.kind {
            case .log:
                log.notice("notice", metadata: ["kind": "\(delivery.snapshot.kind)", "label": "\(delivery.snapshot.label)", "due_at": "\(delivery.snapshot.dueAtUTC)"])
                classification = .delivered
            case .webhook, .email:
                let isSMTP = channel.isEmail
                let request: TransferRequest
                do {
                    request = try buildRequest(delivery, channel: channel, now: started)
                } catch {
                    return await finish(delivery, log: log, started: started, classification: .dead(reason: error.description), summary: &summary)
                }
                let outcome = await engine.perform(request)
                faultHook?(.afterSend)
                switch outcome {
                case .success(let response):
                    latency = response.totalMicroseconds
                    if isSMTP {
                        smtpReply = String(response.statusCode)
                        classification = .smtp(replyCode: response.statusCode == 0 ? 250 : response.statusCode)
                    } else {
                        httpStatus = response.statusCode
                        classification = .http(status: response.statusCode, headers: response.headers)
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
        return await finish(delivery, log: log, started: started, classification: classification, summary: &summary,
                            httpStatus: httpStatus, smtpReply: smtpReply, curlCode: curlCode, curlError: curlError, latencyMicroseconds: latency)
    }

    private func buildRequest(_ delivery: DeliveryRecord, channel: Channel, now: Instant) throws(DeliveryRequestBuilder.Failure) -> TransferRequest {
        switch channel.kind {
        case .webhook(let settings): try builder.webhookRequest(for: delivery, settings: settings, now: now)
        case .email(let settings): try builder.emailRequest(for: delivery, settings: settings, now: now)
        case .log: throw DeliveryRequestBuilder.Failure(reason: "log channels send nothing over the network")
        }
    }

    /// Records the outcome, logs it, and disables the channel on 410.
    private func finish(
        _ delivery: DeliveryRecord, log: Logger, started: Instant, classification: AttemptClassification, summary: inout DispatchSummary,
        httpStatus: Int? = nil, smtpReply: String? = nil, curlCode: Int? = nil, curlError: String? = nil, latencyMicroseconds: Int64 = 0
    ) async -> DispatchSummary {
        let finished = clock()
        let latencyMs = Int(max(latencyMicroseconds, finished.microsecondsSinceEpoch - started.microsecondsSinceEpoch) / 1000)
        var log = log
        log[metadataKey: "latency_ms"] = "\(latencyMs)"
        if let httpStatus { log[metadataKey: "http_status"] = "\(httpStatus)" }
        if let smtpReply { log[metadataKey: "smtp_reply"] = "\(smtpReply)" }
        if let curlCode { log[metadataKey: "curl_error"] = "\(curlCode)" }
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
                log.warning("delivery failed, will retry", metadata: ["reason": "\(reason)", "next_attempt_at": "\(next.rfc3339UTC)"])
            } else {
                outcome = .dead
                detail = "gave up after \(delivery.attempts) attempts: \(reason)"
                summary.dead += 1
                log.error("delivery dead-lettered", metadata: ["reason": "\(detail!)"])
            }
        case .dead(let reason):
            outcome = .dead
            detail = reason
            summary.dead += 1
            log.error("delivery dead-lettered", metadata: ["reason": "\(reason)"])
        case .gone(let reason):
            outcome = .gone
            detail = reason
            summary.dead += 1
            summary.channelsDisabled += 1
            log.critical("channel disabled", metadata: ["reason": "\(reason)"])
        }
        if outcome == .delivered { log.info("delivered") }
        let record = AttemptRecord(
            deliveryID: delivery.id, number: delivery.attempts, startedAt: started, finishedAt: finished, outcome: outcome,
            httpStatus: httpStatus, smtpReply: smtpReply, curlCode: curlCode, curlError: curlError,
            latencyMilliseconds: latencyMs, nextAttemptAt: next, detail: detail
        )
        do {
            try await store.record(record)
            if outcome == .gone {
                try await store.disableChannel(ChannelState(channel: delivery.channel, disabledAt: finished, reason: detail ?? "HTTP 410 Gone"))
            }
        } catch {
            // The attempt happened but is not recorded: the row stays `sending` and is resent
            // under the same identity after recovery. Never dropped.
            log.error("recording an attempt failed", metadata: ["error": "\(error)"])
        }
        return summary
    }

    /// Adds the notice's identifying fields to a logger (journald fields later).
    static func annotate(_ logger: inout Logger, _ snapshot: NoticeSnapshot, id: String, channel: String) {
        logger[metadataKey: "compact_id"] = "\(snapshot.compactID)"
        logger[metadataKey: "partner"] = "\(snapshot.partner)"
        logger[metadataKey: "cycle_id"] = "\(snapshot.cycleID)"
        logger[metadataKey: "step_id"] = "\(snapshot.stepID)"
        logger[metadataKey: "reminder_id"] = "\(id)"
        logger[metadataKey: "delivery_id"] = "\(MessageIdentifier.webhookID(for: id))"
        logger[metadataKey: "channel"] = "\(channel)"
    }

    /// Crash recovery, planning and delivery until nothing is due now: `compactd --once`.
    public func runOnce() async throws(StateStoreError) -> DispatchSummary {
        var summary = DispatchSummary()
        summary.recovered = try await store.recoverInterrupted(now: clock())
        summary.add(try await enqueueDue(now: clock()))
        faultHook?(.afterEnqueue)
        while true {
            let pass = await deliverDue()
            summary.add(pass)
            // Retries due "immediately" (e.g. a 5 s wait in tests with short schedules) are
            // picked up by the next pass; anything later is left for the daemon or the next run.
            if pass.delivered + pass.retrying + pass.dead == 0 { break }
            guard let next = try await store.nextAttemptDue(), next <= clock() else { break }
        }
        summary.nextAttemptAt = try await store.nextAttemptDue()
        return summary
    }
}

/// The channels found gone (410) during one delivery pass.
final class GoneChannels: Sendable {
    private let channels = Mutex<Set<String>>([])

    func insert(_ channel: String) { channels.withLock { _ = $0.insert(channel) } }
    func contains(_ channel: String) -> Bool { channels.withLock { $0.contains(channel) } }
}
