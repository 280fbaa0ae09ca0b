import CompactdCore
import CompactdStore
import Foundation
import PostgresNIO

/// Operators' changes on PostgreSQL, each announced to every replica (NOTIFY).
extension PostgresStateStore {
    public func plannerState() async throws(StateStoreError) -> PlannerState {
        try await perform("reading acknowledgments and snoozes") { client in
            var acks: [StepAcknowledgment] = []
            var snoozes: [StepSnooze] = []
            for try await (key, at, actor, note) in try await client.sql("SELECT step_key, at, actor, note FROM acknowledgments").decode((String, Int64, String?, String?).self) {
                acks.append(StepAcknowledgment(stepKey: key, at: Instant(microsecondsSinceEpoch: at), by: actor, note: note))
            }
            for try await (key, at, until, actor, note) in try await client.sql("SELECT step_key, at, until, actor, note FROM snoozes").decode((String, Int64, Int64, String?, String?).self) {
                snoozes.append(StepSnooze(stepKey: key, at: Instant(microsecondsSinceEpoch: at), until: Instant(microsecondsSinceEpoch: until), by: actor, note: note))
            }
            return PlannerState(acknowledgments: acks, snoozes: snoozes)
        }
    }

    static func insertEvent(_ connection: PostgresConnection, _ event: HistoryEvent) async throws {
        try await connection.sql("""
            INSERT INTO events (at, kind, compact_id, subject, detail, actor)
            VALUES (\(event.at.microsecondsSinceEpoch), \(event.kind), \(event.compactID), \(event.subject), \(event.detail), \(event.actor))
            """)
    }

    public func acknowledge(_ ack: StepAcknowledgment, compactID: String, source: String) async throws(StateStoreError) {
        try await transaction("acknowledging a step") { connection in
            var inserted = false
            let rows = try await connection.sql("""
                INSERT INTO acknowledgments (step_key, compact_id, at, actor, note, source) VALUES (\(ack.stepKey), \(compactID), \(ack.at.microsecondsSinceEpoch), \(ack.by), \(ack.note), \(source))
                ON CONFLICT (step_key) DO NOTHING RETURNING 1
                """)
            for try await _ in rows { inserted = true }
            guard inserted else { throw StateStoreError(code: .conflict, message: "\(ack.stepKey) is already acknowledged", operation: "acknowledging a step") }
            try await connection.sql("DELETE FROM snoozes WHERE step_key = \(ack.stepKey)")
            try await Self.insertEvent(connection, HistoryEvent(at: ack.at, kind: "acknowledged", compactID: compactID, subject: ack.stepKey, detail: ack.note, actor: ack.by))
            try await Self.notifyChange(connection, "acknowledged")
        }
    }

    public func unacknowledge(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError) {
        try await transaction("withdrawing an acknowledgment") { connection in
            var removed = false
            for try await _ in try await connection.sql("DELETE FROM acknowledgments WHERE step_key = \(stepKey) RETURNING 1") { removed = true }
            guard removed else { throw StateStoreError(code: .notFound, message: "\(stepKey) is not acknowledged", operation: "withdrawing an acknowledgment") }
            try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "unacknowledged", compactID: compactID, subject: stepKey, detail: "via \(source)", actor: by))
            try await Self.notifyChange(connection, "unacknowledged")
        }
    }

    public func snooze(_ snooze: StepSnooze, compactID: String, source: String) async throws(StateStoreError) {
        try await transaction("snoozing a step") { connection in
            try await connection.sql("""
                INSERT INTO snoozes (step_key, compact_id, at, until, actor, note, source)
                VALUES (\(snooze.stepKey), \(compactID), \(snooze.at.microsecondsSinceEpoch), \(snooze.until.microsecondsSinceEpoch), \(snooze.by), \(snooze.note), \(source))
                ON CONFLICT (step_key) DO UPDATE SET at = excluded.at, until = excluded.until, actor = excluded.actor, note = excluded.note, source = excluded.source
                """)
            try await Self.insertEvent(connection, HistoryEvent(at: snooze.at, kind: "snoozed", compactID: compactID, subject: snooze.stepKey, detail: "until \(snooze.until.rfc3339UTC)" + (snooze.note.map { ": \($0)" } ?? ""), actor: snooze.by))
            try await Self.notifyChange(connection, "snoozed")
        }
    }

    public func unsnooze(stepKey: String, compactID: String, by: String?, at: Instant, source: String) async throws(StateStoreError) {
        let t = at.microsecondsSinceEpoch
        try await transaction("ending a snooze") { connection in
            var until: Int64?
            for try await value in try await connection.sql("SELECT until FROM snoozes WHERE step_key = \(stepKey) AND until > \(t) FOR UPDATE").decode(Int64.self) { until = value }
            guard let until else { throw StateStoreError(code: .notFound, message: "\(stepKey) is not snoozed", operation: "ending a snooze") }
            try await connection.sql("DELETE FROM snoozes WHERE step_key = \(stepKey)")
            // The notices the snooze held wait for its end (the claim moved them there): due now.
            try await connection.sql("UPDATE deliveries SET next_attempt_at = \(t), updated_at = \(t) WHERE step_key = \(stepKey) AND status = 'pending' AND next_attempt_at = \(until)")
            try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "unsnoozed", compactID: compactID, subject: stepKey, detail: "snooze until \(Instant(microsecondsSinceEpoch: until).rfc3339UTC) ended early", actor: by))
            try await Self.notifyChange(connection, "unsnoozed")
        }
    }

    public func disableChannel(_ state: ChannelState) async throws(StateStoreError) {
        try await transaction("disabling a channel") { connection in
            var inserted = false
            for try await _ in try await connection.sql("""
                INSERT INTO channel_state (channel, disabled_at, reason) VALUES (\(state.channel), \(state.disabledAt.microsecondsSinceEpoch), \(state.reason))
                ON CONFLICT (channel) DO NOTHING RETURNING 1
                """) { inserted = true }
            // Two replicas meeting the same 410 record it once.
            if inserted {
                try await Self.insertEvent(connection, HistoryEvent(at: state.disabledAt, kind: "channel-disabled", compactID: nil, subject: state.channel, detail: state.reason))
            }
        }
    }

    public func enableChannel(_ channel: String, by: String?, at: Instant) async throws(StateStoreError) {
        try await transaction("re-enabling a channel") { connection in
            var removed = false
            for try await _ in try await connection.sql("DELETE FROM channel_state WHERE channel = \(channel) RETURNING 1") { removed = true }
            guard removed else { throw StateStoreError(code: .notFound, message: "channel \(channel) is not disabled", operation: "re-enabling a channel") }
            try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "channel-enabled", compactID: nil, subject: channel, actor: by))
            try await Self.notifyChange(connection, "channel-enabled")
        }
    }

    public func disabledChannels() async throws(StateStoreError) -> [ChannelState] {
        try await perform("reading channel state") { client in
            var result: [ChannelState] = []
            for try await (channel, at, reason) in try await client.sql("SELECT channel, disabled_at, reason FROM channel_state ORDER BY channel").decode((String, Int64, String).self) {
                result.append(ChannelState(channel: channel, disabledAt: Instant(microsecondsSinceEpoch: at), reason: reason))
            }
            return result
        }
    }

    /// Rows of one status back to pending, due now, each with a `retried` history event.
    public func requeue(status: DeliveryStatus, ids: [String]?, channel: String?, by: String?, at: Instant, detail: String?) async throws(StateStoreError) -> Int {
        let t = at.microsecondsSinceEpoch
        return try await transaction("retrying deliveries") { connection in
            var targets: [(String, String)] = []
            let rows = try await connection.sql("""
                UPDATE deliveries SET status = 'pending', next_attempt_at = \(t), updated_at = \(t)
                WHERE status = \(status.rawValue) AND (\(ids == nil) OR id = ANY(\(ids ?? []))) AND (\(channel == nil) OR channel = \(channel ?? ""))
                RETURNING id, compact_id
                """)
            for try await (id, compactID) in rows.decode((String, String).self) { targets.append((id, compactID)) }
            for (id, compactID) in targets.sorted(by: { $0.0 < $1.0 }) {
                try await Self.insertEvent(connection, HistoryEvent(at: at, kind: "retried", compactID: compactID, subject: id, detail: detail, actor: by))
            }
            if !targets.isEmpty { try await Self.notifyChange(connection, "retried") }
            return targets.count
        }
    }
}
