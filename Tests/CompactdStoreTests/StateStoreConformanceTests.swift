import CompactdCore
import CompactdStore
import Foundation
import Testing

/// What every state store must do, run against each: a SQLite file and a real PostgreSQL
/// database (Tests/Fixtures/pg_server.py). One suite, parameterized, so the two stores cannot
/// drift apart unseen.
@Suite("state store conformance")
struct StateStoreConformanceTests {
    typealias F = StoreFixture

    @Test("enqueue is insert-or-ignore on the identity", arguments: StoreKind.allCases)
    func enqueueIdempotent(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            let now = Instant(secondsSinceEpoch: 900)
            #expect(try await store.enqueue([F.delivery("a"), F.delivery("b")], now: now) == ["a", "b"])
            #expect(try await store.enqueue([F.delivery("a"), F.delivery("c")], now: now) == ["c"])
            let all = try await store.deliveries(status: nil, channel: nil, limit: 10)
            #expect(all.map(\.id) == ["a", "b", "c"])
            #expect(all[0].snapshot == F.snapshot())
            #expect(try await store.integrityProblems() == nil)
        }
    }

    @Test("37 notices written at once, some already there and one twice: the new ones come back once each, in the order given", arguments: StoreKind.allCases)
    func enqueueManyAtOnce(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            let now = Instant(secondsSinceEpoch: 900)
            #expect(try await store.enqueue(["n3", "n20", "n33"].map { F.delivery($0) }, now: now) == ["n3", "n20", "n33"])
            var ids = (0..<36).map { "n\($0)" }
            ids.insert("n7", at: 12)
            let expected = ids.enumerated().filter { n, id in !["n3", "n20", "n33"].contains(id) && !ids[..<n].contains(id) }.map(\.element)
            #expect(try await store.enqueue(ids.map { F.delivery($0) }, now: now) == expected)
            #expect(try await store.deliveries(status: nil, channel: nil, limit: 100).count == 36)
            #expect(try await store.integrityProblems() == nil)
        }
    }

    @Test("a claim is stamped with the time it is given, not the machine's clock", arguments: StoreKind.allCases)
    func claimUsesGivenClock(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("a", at: 100)], now: Instant(secondsSinceEpoch: 0))
            // A "now" a century away from the machine's: the stamp must be this one.
            let now = Instant(secondsSinceEpoch: 4_102_444_800)
            #expect(try await store.claimDue(now: now, limit: 10, channels: ["hook"]).map(\.id) == ["a"])
            #expect(try await store.delivery(id: "a")?.updatedAt == now)
        }
    }

    @Test("claim takes what is due, marks it sending and counts the attempt", arguments: StoreKind.allCases)
    func claim(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("early", at: 100), F.delivery("late", at: 5000)], now: Instant(secondsSinceEpoch: 0))
            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 10, channels: ["hook", "mail"])
            #expect(claimed.map(\.id) == ["early"])
            #expect(claimed[0].status == .sending && claimed[0].attempts == 1)
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 10, channels: ["hook", "mail"]).isEmpty)
            #expect(try await store.nextAttemptDue() == Instant(secondsSinceEpoch: 5000))
        }
    }

    @Test("claims take due rows in due order, then in the order they were written", arguments: StoreKind.allCases)
    func claimOrder(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("z", at: 200), F.delivery("b", at: 100), F.delivery("a", at: 100), F.delivery("y", at: 300)], now: Instant(secondsSinceEpoch: 0))
            let first = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 3, channels: ["hook"])
            #expect(first.map(\.id) == ["b", "a", "z"])
        }
    }

    @Test("an acknowledged step's pending deliveries are cancelled at claim time, others are not", arguments: StoreKind.allCases)
    func acknowledgedCancelled(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("acked", step: "bell/summer/2025-05-01/kickoff"), F.delivery("other", step: "bell/summer/2025-05-01/review")], now: Instant(secondsSinceEpoch: 0))
            try await store.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 10), by: "ops", note: "done"), compactID: "bell", source: "test")
            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 2000), limit: 10, channels: ["hook", "mail"])
            #expect(claimed.map(\.id) == ["other"])
            #expect(try await store.delivery(id: "acked")?.status == .cancelled)
            await #expect(throws: StateStoreError.self) {
                try await store.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 11)), compactID: "bell", source: "test")
            }
            let history = try await store.history(compactID: "bell", since: nil, kinds: nil, limit: 10)
            #expect(history.map(\.kind) == ["acknowledged"])
            #expect(history[0].actor == "ops")
            try await store.unacknowledge(stepKey: "bell/summer/2025-05-01/kickoff", compactID: "bell", by: "ops", at: Instant(secondsSinceEpoch: 20), source: "test")
            #expect(try await store.plannerState().acknowledgments.isEmpty)
            do {
                try await store.unacknowledge(stepKey: "bell/summer/2025-05-01/kickoff", compactID: "bell", by: "ops", at: Instant(secondsSinceEpoch: 21), source: "test")
                Issue.record("withdrawing an acknowledgment that is not there should fail")
            } catch {
                #expect((error as? StateStoreError)?.code == .notFound)
            }
        }
    }

    @Test("a snoozed step's notice waits for the snooze's end; unsnooze makes it due at once", arguments: StoreKind.allCases)
    func snoozeHolds(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("s", at: 100)], now: Instant(secondsSinceEpoch: 0))
            try await store.snooze(StepSnooze(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 50), until: Instant(secondsSinceEpoch: 5000), by: "ops", note: "after the board meeting"), compactID: "bell", source: "test")
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 10, channels: ["hook"]).isEmpty)
            #expect(try await store.delivery(id: "s")?.nextAttemptAt == Instant(secondsSinceEpoch: 5000))
            try await store.unsnooze(stepKey: "bell/summer/2025-05-01/kickoff", compactID: "bell", by: "ops", at: Instant(secondsSinceEpoch: 1100), source: "test")
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1100), limit: 10, channels: ["hook"]).map(\.id) == ["s"])
            let kinds = try await store.history(compactID: "bell", since: nil, kinds: ["snoozed", "unsnoozed"], limit: 10).map(\.kind)
            #expect(kinds == ["snoozed", "unsnoozed"])
        }
    }

    @Test("outcomes: retry reschedules, dead and gone dead-letter, delivered is final; attempts are kept", arguments: StoreKind.allCases)
    func outcomes(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("d")], now: Instant(secondsSinceEpoch: 0))
            var claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook", "mail"])
            try await store.record([AttemptRecord(deliveryID: "d", number: claimed[0].attempts, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: 1001), outcome: .retry, httpStatus: 503, latencyMilliseconds: 12, nextAttemptAt: Instant(secondsSinceEpoch: 1300), detail: "HTTP 503")])
            #expect(try await store.delivery(id: "d")?.status == .pending)
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1200), limit: 1, channels: ["hook", "mail"]).isEmpty)
            claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1300), limit: 1, channels: ["hook", "mail"])
            #expect(claimed.first?.attempts == 2)
            try await store.record([AttemptRecord(deliveryID: "d", number: 2, startedAt: Instant(secondsSinceEpoch: 1300), finishedAt: Instant(secondsSinceEpoch: 1301), outcome: .dead, httpStatus: 404, latencyMilliseconds: 5, detail: "HTTP 404")])
            #expect(try await store.delivery(id: "d")?.status == .dead)
            #expect(try await store.retryDead(ids: ["d"], channel: nil, by: "ops", at: Instant(secondsSinceEpoch: 1400)) == 1)
            claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1400), limit: 1, channels: ["hook", "mail"])
            try await store.record([AttemptRecord(deliveryID: "d", number: 3, startedAt: Instant(secondsSinceEpoch: 1400), finishedAt: Instant(secondsSinceEpoch: 1401), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 3)])
            #expect(try await store.delivery(id: "d")?.status == .delivered)
            let attempts = try await store.attempts(deliveryID: "d", since: nil, limit: 10)
            #expect(attempts.map(\.outcome) == [.retry, .dead, .delivered])
            #expect(attempts.map(\.httpStatus) == [503, 404, 204])
            let summary = try #require(try await store.channelSummaries().first)
            #expect(summary.count(.delivered) == 1)
            #expect(summary.lastSuccess == Instant(secondsSinceEpoch: 1401))
            #expect(summary.lastFailure == Instant(secondsSinceEpoch: 1301))
            #expect(summary.lastFailureDetail == "HTTP 404")
            #expect(try await store.lastDeliveredByCompact() == ["bell": Instant(secondsSinceEpoch: 1401)])
            #expect(try await store.history(compactID: "bell", since: nil, kinds: ["retried"], limit: 10).map(\.subject) == ["d"])
            #expect(try await store.integrityProblems() == nil)
        }
    }

    @Test("37 outcomes recorded at once: each delivery ends as its outcome says, every attempt kept", arguments: StoreKind.allCases)
    func manyOutcomesAtOnce(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            let ids = (0..<37).map { "d\($0)" }
            try await store.enqueue(ids.map { F.delivery($0) }, now: Instant(secondsSinceEpoch: 0))
            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 100, channels: ["hook"])
            #expect(claimed.count == 37)
            let outcomes: [AttemptOutcome] = [.delivered, .retry, .dead, .gone]
            let attempts = ids.enumerated().map { n, id in
                let outcome = outcomes[n % 4]
                return AttemptRecord(
                    deliveryID: id, number: 1, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: Int64(1001 + n)),
                    outcome: outcome, httpStatus: [204, 503, 404, 410][n % 4], latencyMilliseconds: n,
                    nextAttemptAt: outcome == .retry ? Instant(secondsSinceEpoch: Int64(5000 + n)) : nil, detail: outcome == .delivered ? nil : "detail \(n)"
                )
            }
            try await store.record(attempts)
            for (n, id) in ids.enumerated() {
                let delivery = try #require(try await store.delivery(id: id))
                let expected: DeliveryStatus = [.delivered, .pending, .dead, .dead][n % 4]
                #expect(delivery.status == expected, "\(id)")
                #expect(delivery.lastError == (n % 4 == 0 ? nil : "detail \(n)"), "\(id)")
                #expect(delivery.nextAttemptAt == (n % 4 == 1 ? Instant(secondsSinceEpoch: Int64(5000 + n)) : nil), "\(id)")
                #expect(delivery.updatedAt == Instant(secondsSinceEpoch: Int64(1001 + n)), "\(id)")
                let kept = try await store.attempts(deliveryID: id, since: nil, limit: 10)
                #expect(kept.map(\.httpStatus) == [[204, 503, 404, 410][n % 4]], "\(id)")
                #expect(kept.map(\.latencyMilliseconds) == [n], "\(id)")
            }
            #expect(try await store.integrityProblems() == nil)
        }
    }

    @Test("the queue's counts (pending, retries too, and dead letters) and every row by status, as the summary by channel counts them", arguments: StoreKind.allCases)
    func queueCounts(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            #expect(try await store.queueCounts() == QueueCounts(pending: 0, dead: 0))
            let ids = (0..<37).map { "d\($0)" }
            try await store.enqueue(ids.map { F.delivery($0) } + [F.delivery("later-1"), F.delivery("later-2")], now: Instant(secondsSinceEpoch: 0))
            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 37, channels: ["hook"])
            #expect(claimed.count == 37)
            let outcomes: [AttemptOutcome] = [.delivered, .retry, .dead, .gone]
            try await store.record(ids.enumerated().map { n, id in
                AttemptRecord(deliveryID: id, number: 1, startedAt: Instant(secondsSinceEpoch: 1000), finishedAt: Instant(secondsSinceEpoch: 1001), outcome: outcomes[n % 4],
                              latencyMilliseconds: 1, nextAttemptAt: n % 4 == 1 ? Instant(secondsSinceEpoch: 5000) : nil, detail: "x")
            })
            // Counted by hand: 9 retries (n % 4 == 1) and the 2 never claimed are pending; 18 are dead.
            let counts = try await store.queueCounts()
            #expect(counts == QueueCounts(pending: 11, dead: 18))
            let summaries = try await store.channelSummaries()
            #expect(counts.pending == summaries.reduce(0) { $0 + $1.count(.pending) })
            #expect(counts.dead == summaries.reduce(0) { $0 + $1.count(.dead) })
            // Every row by status (what /metrics reports): the 10 delivered (n % 4 == 0) too.
            let byStatus = try await store.statusCounts()
            #expect(byStatus == [.delivered: 10, .pending: 11, .dead: 18])
            for status in DeliveryStatus.allCases {
                #expect(byStatus[status] ?? 0 == summaries.reduce(0) { $0 + $1.count(status) }, "\(status)")
            }
            #expect(try await store.retryDead(ids: ["d2"], channel: nil, by: "ops", at: Instant(secondsSinceEpoch: 1400)) == 1)
            #expect(try await store.queueCounts() == QueueCounts(pending: 12, dead: 17))
            #expect(try await store.statusCounts() == [.delivered: 10, .pending: 12, .dead: 17])
        }
    }

    @Test("a graceful stop puts claimed, unattempted deliveries back, attempt count and all", arguments: StoreKind.allCases)
    func releaseUnattempted(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("r")], now: Instant(secondsSinceEpoch: 0))
            _ = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook"])
            try await store.release(ids: ["r"], now: Instant(secondsSinceEpoch: 1001))
            let row = try #require(try await store.delivery(id: "r"))
            #expect(row.status == .pending && row.attempts == 0)
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1002), limit: 1, channels: ["hook"]).first?.attempts == 1)
        }
    }

    @Test("after a crash, deliveries left sending are sent again under the same identity", arguments: StoreKind.allCases)
    func recovery(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            do {
                // A lease of 0 s: for PostgreSQL, the crashed replica's lease has run out by the
                // time the next one looks (a live lease is the replica tests' subject).
                let store = try fixture.open(leaseSeconds: 0)
                try await store.enqueue([F.delivery("x")], now: Instant(secondsSinceEpoch: 0))
                _ = try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 1, channels: ["hook", "mail"])
            }
            let reopened = try fixture.open()
            #expect(try await reopened.recoverInterrupted(now: Instant(secondsSinceEpoch: 2000)) == 1)
            let again = try await reopened.claimDue(now: Instant(secondsSinceEpoch: 2000), limit: 1, channels: ["hook", "mail"])
            #expect(again.map(\.id) == ["x"])
            #expect(again[0].attempts == 2)
        }
    }

    @Test("a disabled channel's deliveries wait until it is re-enabled", arguments: StoreKind.allCases)
    func disabledChannel(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            try await store.enqueue([F.delivery("h", channel: "hook"), F.delivery("m", channel: "mail")], now: Instant(secondsSinceEpoch: 0))
            try await store.disableChannel(ChannelState(channel: "hook", disabledAt: Instant(secondsSinceEpoch: 5), reason: "HTTP 410 Gone"))
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 2000), limit: 10, channels: ["hook", "mail"]).map(\.id) == ["m"])
            #expect(try await store.disabledChannels().map(\.channel) == ["hook"])
            #expect(try await store.nextAttemptDue() == nil)
            try await store.enableChannel("hook", by: "ops", at: Instant(secondsSinceEpoch: 3000))
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 3000), limit: 10, channels: ["hook", "mail"]).map(\.id) == ["h"])
        }
    }

    @Test("a missed notice is recorded as missed and can be resent under its identity", arguments: StoreKind.allCases)
    func missedResent(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            var missed = F.delivery("old", at: 100)
            missed.missed = true
            try await store.enqueue([missed], now: Instant(secondsSinceEpoch: 10_000))
            #expect(try await store.delivery(id: "old")?.status == .missed)
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 10_000), limit: 10, channels: ["hook"]).isEmpty)
            #expect(try await store.resendMissed(id: "old", by: "ops", at: Instant(secondsSinceEpoch: 10_001)) == 1)
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 10_001), limit: 10, channels: ["hook"]).map(\.id) == ["old"])
        }
    }

    @Test("a second handle on the same state sees the first's writes", arguments: StoreKind.allCases)
    func twoHandles(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let daemon = try fixture.open()
            let operatorTool = try fixture.open()
            try await daemon.enqueue([F.delivery("a")], now: Instant(secondsSinceEpoch: 0))
            try await operatorTool.acknowledge(StepAcknowledgment(stepKey: "bell/summer/2025-05-01/kickoff", at: Instant(secondsSinceEpoch: 1)), compactID: "bell", source: "compactctl")
            #expect(try await daemon.plannerState().acknowledgments.keys.sorted() == ["bell/summer/2025-05-01/kickoff"])
            #expect(try await daemon.claimDue(now: Instant(secondsSinceEpoch: 5000), limit: 10, channels: ["hook", "mail"]).isEmpty)
        }
    }

    @Test("one compact's history holds its own deliveries and attempts only, beside compacts whose ids begin the same (bell, bell-gardens, bella)", arguments: StoreKind.allCases)
    func historyOfOneCompact(_ kind: StoreKind) async throws {
        func delivery(_ compact: String, _ n: Int) -> NewDelivery {
            NewDelivery(id: "\(compact)/deadline/2025-05-01/d\(n)/remind-0/hook", stepKey: "\(compact)/deadline/2025-05-01/d\(n)", channel: "hook", contact: nil,
                        sendAt: Instant(secondsSinceEpoch: 100), snapshot: F.snapshot(compact))
        }
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            let compacts = ["bell-gardens", "bell", "bella", "be"]
            for n in 0..<3 {
                for compact in compacts { try await store.enqueue([delivery(compact, n)], now: Instant(secondsSinceEpoch: 10)) }
            }
            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 100), limit: 20, channels: ["hook"])
            #expect(claimed.count == 12)
            for (n, record) in claimed.enumerated() {
                try await store.record([AttemptRecord(deliveryID: record.id, number: 1, startedAt: Instant(secondsSinceEpoch: Int64(200 + n)), finishedAt: Instant(secondsSinceEpoch: Int64(200 + n)), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1)])
            }
            for compact in compacts {
                let mine = (0..<3).map { delivery(compact, $0).id }
                #expect(Set(try await store.recentDeliveries(compactID: compact, since: nil, limit: 10).map(\.id)) == Set(mine), "\(compact)")
                #expect(Set(try await store.recentAttempts(compactID: compact, since: nil, limit: 10).map(\.deliveryID)) == Set(mine), "\(compact)")
                #expect(try await store.recentAttempts(compactID: compact, since: Instant(secondsSinceEpoch: 206), limit: 10).allSatisfy { mine.contains($0.deliveryID) }, "\(compact)")
            }
            #expect(try await store.recentDeliveries(compactID: "bel", since: nil, limit: 10).isEmpty)
        }
    }

    @Test("the oldest waiting delivery is the earliest send time among pending and in-flight rows; delivered and dead rows never count", arguments: StoreKind.allCases)
    func oldestWaiting(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            func at(_ seconds: Int64) -> Instant { Instant(secondsSinceEpoch: seconds) }
            // "old" goes out and is delivered; "dead" fails for good; the rest wait.
            try await store.enqueue([F.delivery("old", at: 100), F.delivery("dead", at: 150)], now: at(0))
            let first = try await store.claimDue(now: at(200), limit: 10, channels: ["hook"])
            #expect(first.map(\.id) == ["old", "dead"])
            try await store.record([AttemptRecord(deliveryID: "old", number: 1, startedAt: at(200), finishedAt: at(201), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1),
                                    AttemptRecord(deliveryID: "dead", number: 1, startedAt: at(200), finishedAt: at(201), outcome: .dead, httpStatus: 404, latencyMilliseconds: 1)])
            #expect(try await store.oldestPendingSendAt() == nil)
            try await store.enqueue([F.delivery("in-flight", at: 300), F.delivery("later", at: 500), F.delivery("future", at: 900)], now: at(250))
            #expect(try await store.oldestPendingSendAt() == at(300))
            #expect(try await store.claimDue(now: at(400), limit: 10, channels: ["hook"]).map(\.id) == ["in-flight"])
            #expect(try await store.oldestPendingSendAt() == at(300), "in flight still waits")
            try await store.record([AttemptRecord(deliveryID: "in-flight", number: 1, startedAt: at(400), finishedAt: at(401), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1)])
            #expect(try await store.oldestPendingSendAt() == at(500))
        }
    }

    @Test("each channel's summary: counts by status, its last success and its last failure with what the failure said", arguments: StoreKind.allCases)
    func channelSummaryTimes(_ kind: StoreKind) async throws {
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            // hook: h1 fails (retry) then is delivered, h2 delivered, h3 dead; mail: m1 and m2 delivered,
            // never failed; log: l1 fails and waits (pending, retrying).
            try await store.enqueue(["h1", "h2", "h3"].map { F.delivery($0, channel: "hook") } + ["m1", "m2"].map { F.delivery($0, channel: "mail") } + [F.delivery("l1", channel: "log")],
                                    now: Instant(secondsSinceEpoch: 0))
            func attempt(_ id: String, _ number: Int, at seconds: Int64, _ outcome: AttemptOutcome, _ detail: String? = nil) -> AttemptRecord {
                AttemptRecord(deliveryID: id, number: number, startedAt: Instant(secondsSinceEpoch: seconds - 1), finishedAt: Instant(secondsSinceEpoch: seconds), outcome: outcome,
                              latencyMilliseconds: 1, nextAttemptAt: outcome == .retry ? Instant(secondsSinceEpoch: 1500) : nil, detail: detail)
            }
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1000), limit: 10, channels: ["hook", "mail", "log"]).count == 6)
            try await store.record([
                attempt("h1", 1, at: 1010, .retry, "HTTP 503"), attempt("h2", 1, at: 1020, .delivered), attempt("h3", 1, at: 1030, .dead, "HTTP 404"),
                attempt("m1", 1, at: 1005, .delivered), attempt("m2", 1, at: 1040, .delivered), attempt("l1", 1, at: 1050, .retry, "connection refused"),
            ])
            #expect(try await store.claimDue(now: Instant(secondsSinceEpoch: 1500), limit: 10, channels: ["hook"]).map(\.id) == ["h1"])
            try await store.record([attempt("h1", 2, at: 1510, .delivered)])
            let summaries = try await store.channelSummaries()
            #expect(summaries.map(\.channel) == ["hook", "log", "mail"])
            let hook = summaries[0], log = summaries[1], mail = summaries[2]
            #expect(hook.count(.delivered) == 2 && hook.count(.dead) == 1 && hook.count(.pending) == 0)
            #expect(hook.lastSuccess == Instant(secondsSinceEpoch: 1510))
            #expect(hook.lastFailure == Instant(secondsSinceEpoch: 1030))
            #expect(hook.lastFailureDetail == "HTTP 404")
            #expect(log.count(.pending) == 1 && log.retrying == 1)
            #expect(log.lastSuccess == nil)
            #expect(log.lastFailure == Instant(secondsSinceEpoch: 1050))
            #expect(log.lastFailureDetail == "connection refused")
            #expect(mail.count(.delivered) == 2)
            #expect(mail.lastSuccess == Instant(secondsSinceEpoch: 1040))
            #expect(mail.lastFailure == nil && mail.lastFailureDetail == nil)
        }
    }

    @Test("each compact's last contact: its latest delivered notice that reached a contact, or a note with an acknowledgment; webhooks, dead letters and pending mail do not count", arguments: StoreKind.allCases)
    func lastContact(_ kind: StoreKind) async throws {
        func notice(_ compact: String, _ n: Int, contact: String?) -> NewDelivery {
            NewDelivery(id: "\(compact)/deadline/2025-05-01/d\(n)/remind-0/\(contact == nil ? "hook" : "mail")", stepKey: "\(compact)/deadline/2025-05-01/d\(n)", channel: contact == nil ? "hook" : "mail",
                        contact: contact, sendAt: Instant(secondsSinceEpoch: 100), snapshot: F.snapshot(compact))
        }
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            // (compact, notice, contact, outcome, finished at); nil outcome: left pending.
            let plan: [(String, Int, String?, AttemptOutcome?, Int64)] = [
                ("bell", 1, "liaison@bell.example.org", .delivered, 1001),
                ("bell", 2, "liaison@bell.example.org", .delivered, 1005),
                ("bell", 3, nil, .delivered, 1009),
                ("carson", 1, nil, .delivered, 1002),
                ("cudahy", 1, "liaison@cudahy.example.org", .delivered, 1003),
                ("cudahy", 2, "liaison@cudahy.example.org", .dead, 1008),
                ("maywood", 1, "liaison@maywood.example.org", nil, 0),
            ]
            try await store.enqueue(plan.map { notice($0.0, $0.1, contact: $0.2) }, now: Instant(secondsSinceEpoch: 50))
            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 100), limit: 10, channels: ["hook", "mail"])
            #expect(claimed.count == plan.count)
            for (compact, n, contact, outcome, at) in plan {
                guard let outcome else { continue }
                try await store.record([AttemptRecord(deliveryID: notice(compact, n, contact: contact).id, number: 1, startedAt: Instant(secondsSinceEpoch: at), finishedAt: Instant(secondsSinceEpoch: at), outcome: outcome, httpStatus: outcome == .delivered ? 204 : 404, latencyMilliseconds: 1)])
            }
            try await store.acknowledge(StepAcknowledgment(stepKey: "maywood/deadline/2025-05-01/d1", at: Instant(secondsSinceEpoch: 1500), by: "liaison", note: "met on the 3rd"), compactID: "maywood", source: "test")
            try await store.acknowledge(StepAcknowledgment(stepKey: "vernon/deadline/2025-05-01/d1", at: Instant(secondsSinceEpoch: 1600), by: "liaison", note: ""), compactID: "vernon", source: "test")
            #expect(try await store.lastContactByCompact() == ["bell": Instant(secondsSinceEpoch: 1005), "cudahy": Instant(secondsSinceEpoch: 1003), "maywood": Instant(secondsSinceEpoch: 1500)])
        }
    }

    @Test("the newest deliveries and attempts, oldest first, one compact's or all", arguments: StoreKind.allCases)
    func newestFiltered(_ kind: StoreKind) async throws {
        func delivery(_ id: String, compact: String) -> NewDelivery {
            NewDelivery(id: "\(compact)/deadline/2025-05-01/\(id)/remind-0/hook", stepKey: "\(compact)/deadline/2025-05-01/\(id)", channel: "hook", contact: nil,
                        sendAt: Instant(secondsSinceEpoch: 100), snapshot: F.snapshot(compact))
        }
        try await F.with(kind) { fixture in
            let store = try fixture.open()
            // Five deliveries per compact, written one second apart, bell and carson interleaved.
            for i in 0..<5 {
                for (j, compact) in ["bell", "carson"].enumerated() {
                    try await store.enqueue([delivery("d\(i)", compact: compact)], now: Instant(secondsSinceEpoch: Int64(10 * i + j)))
                }
            }
            let recent = try await store.recentDeliveries(compactID: "bell", since: nil, limit: 3)
            #expect(recent.map(\.stepKey) == ["bell/deadline/2025-05-01/d2", "bell/deadline/2025-05-01/d3", "bell/deadline/2025-05-01/d4"])
            #expect(try await store.recentDeliveries(compactID: nil, since: nil, limit: 2).map(\.snapshot.compactID) == ["bell", "carson"])
            #expect(try await store.recentDeliveries(compactID: nil, since: Instant(secondsSinceEpoch: 35), limit: 10).count == 2)

            let claimed = try await store.claimDue(now: Instant(secondsSinceEpoch: 100), limit: 10, channels: ["hook"])
            #expect(claimed.count == 10)
            for (n, delivery) in claimed.enumerated() {
                try await store.record([AttemptRecord(deliveryID: delivery.id, number: 1, startedAt: Instant(secondsSinceEpoch: Int64(200 + n)), finishedAt: Instant(secondsSinceEpoch: Int64(200 + n)), outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1)])
            }
            let attempts = try await store.recentAttempts(compactID: "carson", since: nil, limit: 2)
            #expect(attempts.count == 2 && attempts.allSatisfy { $0.deliveryID.hasPrefix("carson/") })
            #expect(attempts[0].finishedAt < attempts[1].finishedAt)
            let lastCarson = try #require(claimed.enumerated().last { $0.element.id.hasPrefix("carson/") }?.offset)
            #expect(attempts[1].finishedAt == Instant(secondsSinceEpoch: Int64(200 + lastCarson)))
            #expect(try await store.recentAttempts(compactID: nil, since: Instant(secondsSinceEpoch: 208), limit: 10).count == 2)
            #expect(try await store.writtenIDs(sendAtFrom: Instant(secondsSinceEpoch: 100)).count == 10)
            #expect(try await store.oldestPendingSendAt() == nil)
        }
    }
}
