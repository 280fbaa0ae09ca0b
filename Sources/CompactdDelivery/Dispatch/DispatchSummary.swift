import CompactdCore

/// What one pass of the dispatcher did.
public struct DispatchSummary: Sendable, Hashable, CustomStringConvertible {
    /// Notices the planning looked at (written before or not): what a pass cost.
    public var planned = 0
    public var enqueued = 0
    public var missed = 0
    public var delivered = 0
    public var retrying = 0
    public var dead = 0
    public var channelsDisabled = 0
    public var recovered = 0
    /// Store operations that failed during delivery (claiming, recording). Outcomes not
    /// recorded leave their rows `sending`, to be recovered and resent under the same identity.
    public var storageErrors = 0
    public var lastStorageError: String?
    /// When the next retry or planned notice is due, if any.
    public var nextAttemptAt: Instant?

    public init() {}

    public var description: String {
        var text = "enqueued \(enqueued) (\(missed) missed), delivered \(delivered), retrying \(retrying), dead-lettered \(dead)"
        if channelsDisabled > 0 { text += ", channels disabled \(channelsDisabled)" }
        if recovered > 0 { text += ", recovered after interruption \(recovered)" }
        if storageErrors > 0 { text += ", state store errors \(storageErrors) (last: \(lastStorageError ?? "?"))" }
        if let nextAttemptAt { text += ", next attempt \(nextAttemptAt.rfc3339UTC)" }
        return text
    }

    mutating func add(_ other: DispatchSummary) {
        planned += other.planned
        enqueued += other.enqueued
        missed += other.missed
        delivered += other.delivered
        retrying += other.retrying
        dead += other.dead
        channelsDisabled += other.channelsDisabled
        recovered += other.recovered
        storageErrors += other.storageErrors
        lastStorageError = other.lastStorageError ?? lastStorageError
    }
}
