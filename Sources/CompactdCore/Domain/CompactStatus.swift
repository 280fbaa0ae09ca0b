/// Where a compact stands with the partner city.
public enum CompactStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case draft
    case negotiating
    case active
    case expired

    /// Whether reminders are planned for the compact: review cycles and deadlines run while a
    /// compact is being negotiated or is in force, not while it is a draft or after it ends.
    public var isScheduled: Bool { self == .active || self == .negotiating }
}
