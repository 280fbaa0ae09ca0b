/// What a signed action link says: do this to that step occurrence, on behalf of that
/// recipient, until then. `ActionLinkSigner` signs and checks the bytes; this is their meaning
/// and their versioned layout, so that a token minted by one release is read the same way by the
/// next:
///
///     version (1) | action (1) | expires, seconds since 1970, big-endian (5)
///     | step key length (1) | step key (UTF-8) | recipient length (1) | recipient (UTF-8)
///
/// Step keys and recipients are at most 255 bytes; longer ones get no link.
public struct ActionClaim: Sendable, Hashable {
    public enum Action: UInt8, Sendable, CaseIterable {
        /// Acknowledge the step occurrence.
        case done = 1
        /// Snooze it (for `[http] snooze_days`).
        case snooze = 2
        /// Take back what a `done` link did, shortly after (the result page's button).
        case undoDone = 3
        /// Take back what a `snooze` link did.
        case undoSnooze = 4

        /// The path segment: `/link/done/TOKEN`. The token's own action must match it.
        public var pathSegment: String {
            switch self {
            case .done: "done"
            case .snooze: "snooze"
            case .undoDone: "undo-done"
            case .undoSnooze: "undo-snooze"
            }
        }

        public init?(pathSegment: String) {
            guard let action = Self.allCases.first(where: { $0.pathSegment == pathSegment }) else { return nil }
            self = action
        }
    }

    public static let version: UInt8 = 1

    public var action: Action
    /// `StepOccurrence.key`: compact/cycle/occurrence/step.
    public var stepKey: String
    /// Who the link was sent to: `contact:ID` or `channel:ID` (see `ActionClaim.recipient`).
    public var recipient: String
    /// Whole seconds; a link is refused from this instant on.
    public var expires: Instant

    public init(action: Action, stepKey: String, recipient: String, expires: Instant) {
        self.action = action
        self.stepKey = stepKey
        self.recipient = recipient
        self.expires = expires
    }

    /// The recipient of a delivery: its contact when it went to a person, else its channel.
    public static func recipient(channel: String, contact: String?) -> String {
        contact.map { "contact:\($0)" } ?? "channel:\(channel)"
    }

    /// The layout above; nil when a field does not fit it.
    public var encoded: [UInt8]? {
        let step = Array(stepKey.utf8), to = Array(recipient.utf8)
        let seconds = expires.secondsSinceEpoch
        guard step.count <= 255, to.count <= 255, seconds >= 0, seconds < 1 << 40 else { return nil }
        var bytes: [UInt8] = [Self.version, action.rawValue]
        for shift in stride(from: 32, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: seconds >> Int64(shift))) }
        bytes.append(UInt8(step.count))
        bytes += step
        bytes.append(UInt8(to.count))
        bytes += to
        return bytes
    }

    /// Reads the layout; nil for anything else (another version, a truncated or padded token).
    public init?(decoding bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count >= 9, bytes[0] == Self.version, let action = Action(rawValue: bytes[1]) else { return nil }
        var seconds: Int64 = 0
        for byte in bytes[2..<7] { seconds = seconds << 8 | Int64(byte) }
        var index = 7
        func field() -> String? {
            guard index < bytes.count else { return nil }
            let length = Int(bytes[index])
            index += 1
            guard length > 0, index + length <= bytes.count else { return nil }
            defer { index += length }
            return String(validating: bytes[index..<(index + length)], as: UTF8.self)
        }
        guard let step = field(), let recipient = field(), index == bytes.count else { return nil }
        self.init(action: action, stepKey: step, recipient: recipient, expires: Instant(secondsSinceEpoch: seconds))
    }
}
