import CompactdCore
import Foundation

/// One change an operator asks for (`compactctl ack`, `unack`, `snooze`, `retry`), as it travels
/// over the control socket to the running daemon, which applies it with its own store; or, with
/// no daemon running, as root applies it directly. Either way `apply` is the one place it is
/// written, so both record the same thing.
///
/// Who acted is the Unix user the kernel names for the caller (`SO_PEERCRED`), never what the
/// request says; `onBehalfOf` (`--by`, or `$SUDO_USER`) is recorded beside it.
public struct OperatorWrite: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        case ack, unack, snooze, unsnooze, retry
    }

    public var action: Action
    /// ack, unack, snooze: the step occurrence (`carson/deadline/2026-05-01/kickoff`) and its compact.
    public var stepKey: String?
    public var compactID: String?
    public var note: String?
    /// snooze: until when, microseconds since the epoch.
    public var untilMicroseconds: Int64?
    /// retry: one delivery, a channel's dead letters (re-enabling the channel), or all.
    public var deliveryID: String?
    public var channel: String?
    public var all: Bool?
    /// retry: `deliveryID` is a missed notice to send after all (the operator confirmed).
    public var missed: Bool?
    public var onBehalfOf: String?
    /// ack of many step occurrences at once (`ack --through`, a whole occurrence): each is
    /// acknowledged with its own history event; those already done are left as they are.
    public var steps: [StepTarget]?

    /// One step occurrence and its compact.
    public struct StepTarget: Codable, Sendable, Equatable {
        public var key: String
        public var compactID: String

        public init(key: String, compactID: String) {
            self.key = key
            self.compactID = compactID
        }
    }

    public init(action: Action, stepKey: String? = nil, compactID: String? = nil, note: String? = nil, untilMicroseconds: Int64? = nil,
                deliveryID: String? = nil, channel: String? = nil, all: Bool? = nil, missed: Bool? = nil, onBehalfOf: String? = nil, steps: [StepTarget]? = nil) {
        self.missed = missed
        self.steps = steps
        self.action = action
        self.stepKey = stepKey
        self.compactID = compactID
        self.note = note
        self.untilMicroseconds = untilMicroseconds
        self.deliveryID = deliveryID
        self.channel = channel
        self.all = all
        self.onBehalfOf = onBehalfOf
    }

    /// The history's "by": the Unix user, and whom it acted for when that is someone else.
    public func actor(unixUser: String) -> String {
        guard let onBehalfOf, !onBehalfOf.isEmpty, onBehalfOf != unixUser else { return unixUser }
        return "\(unixUser) on behalf of \(onBehalfOf)"
    }

    /// The request as one line of JSON (no newline inside: JSON escapes them).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func decode(_ text: String) -> OperatorWrite? {
        try? JSONDecoder().decode(OperatorWrite.self, from: Data(text.utf8))
    }

    /// Why a write was refused: a code the client maps to its message, and the message.
    public struct Refusal: Error, Sendable, CustomStringConvertible, Equatable {
        public var code: String
        public var message: String
        public var description: String { message }

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// Applies the write; returns what was done, in one line.
    public func apply(to store: any StateStore, unixUser: String, source: String, now: Instant) async throws(Refusal) -> String {
        let by = actor(unixUser: unixUser)
        do {
            switch action {
            case .ack where steps != nil:
                var done = 0, already = 0
                for target in steps ?? [] {
                    if try await acknowledge(target, by: by, source: source, store: store, now: now) { done += 1 } else { already += 1 }
                }
                return "acknowledged \(done) step occurrence\(done == 1 ? "" : "s") by \(by)\(already > 0 ? " (\(already) already acknowledged, left as they were)" : "")"
            case .ack:
                let (key, compact) = try step()
                try await store.acknowledge(StepAcknowledgment(stepKey: key, at: now, by: by, note: note), compactID: compact, source: source)
                return "acknowledged \(key) by \(by)"
            case .unack:
                let (key, compact) = try step()
                try await store.unacknowledge(stepKey: key, compactID: compact, by: by, at: now, source: source)
                return "acknowledgment of \(key) withdrawn by \(by)"
            case .snooze:
                let (key, compact) = try step()
                guard let untilMicroseconds else { throw Refusal(code: "invalid", message: "snooze without an end") }
                let until = Instant(microsecondsSinceEpoch: untilMicroseconds)
                guard until > now else { throw Refusal(code: "invalid", message: "the snooze would end in the past (\(until.rfc3339UTC))") }
                if let done = try await store.plannerState().acknowledgments[key] {
                    // Nothing is sent for a done step: a snooze would change nothing and mislead.
                    throw Refusal(code: "conflict", message: "\(key) is acknowledged (by \(done.by ?? "someone") at \(done.at.rfc3339UTC)): nothing to snooze; unack it first if it is not done")
                }
                try await store.snooze(StepSnooze(stepKey: key, at: now, until: until, by: by, note: note), compactID: compact, source: source)
                return "snoozed \(key) until \(until.rfc3339UTC) by \(by)"
            case .unsnooze:
                let (key, compact) = try step()
                try await store.unsnooze(stepKey: key, compactID: compact, by: by, at: now, source: source)
                return "snooze of \(key) ended by \(by)"
            case .retry where missed == true:
                guard let deliveryID, let delivery = try await store.delivery(id: deliveryID) else {
                    throw Refusal(code: "not-found", message: "unknown delivery '\(deliveryID ?? "")'")
                }
                guard delivery.status == .missed else { throw Refusal(code: "conflict", message: "\(deliveryID) is \(delivery.status.rawValue), not missed") }
                _ = try await store.resendMissed(id: deliveryID, by: by, at: now)
                return "missed notice \(deliveryID) queued to be sent now"
            case .retry:
                if let deliveryID {
                    guard let delivery = try await store.delivery(id: deliveryID) else { throw Refusal(code: "not-found", message: "unknown delivery '\(deliveryID)'") }
                    guard delivery.status == .dead else { throw Refusal(code: "conflict", message: "\(deliveryID) is \(delivery.status.rawValue), not dead-lettered") }
                }
                guard [deliveryID != nil, channel != nil, all == true].filter({ $0 }).count == 1 else {
                    throw Refusal(code: "invalid", message: "give exactly one of: a delivery id, a channel, all")
                }
                var reenabled = false
                if let channel, try await store.disabledChannels().contains(where: { $0.channel == channel }) {
                    try await store.enableChannel(channel, by: by, at: now)
                    reenabled = true
                }
                let count = try await store.retryDead(ids: deliveryID.map { [$0] }, channel: channel, by: by, at: now)
                return "\(count) dead-lettered deliver\(count == 1 ? "y" : "ies") queued again\(reenabled ? "; channel \(channel!) re-enabled" : "")"
            }
        } catch let refusal as Refusal {
            throw refusal
        } catch let error as StateStoreError {
            throw Refusal(code: error.code.rawValue, message: error.code == .conflict || error.code == .notFound ? error.message : error.description)
        } catch {
            throw Refusal(code: "other", message: "\(error)")
        }
    }

    /// Acknowledges one of many; false when it already was.
    private func acknowledge(_ target: StepTarget, by: String, source: String, store: any StateStore, now: Instant) async throws -> Bool {
        do throws(StateStoreError) {
            try await store.acknowledge(StepAcknowledgment(stepKey: target.key, at: now, by: by, note: note), compactID: target.compactID, source: source)
            return true
        } catch {
            if error.code == .conflict { return false }
            throw error
        }
    }

    private func step() throws(Refusal) -> (String, String) {
        guard let stepKey, let compactID else { throw Refusal(code: "invalid", message: "\(action.rawValue) without a step") }
        return (stepKey, compactID)
    }
}
