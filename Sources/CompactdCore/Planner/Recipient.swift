/// Who one notice goes to: a channel, and for email channels the contact it is addressed to.
public struct Recipient: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var channelID: String
    public var contactID: String?

    public init(channelID: String, contactID: String? = nil) {
        self.channelID = channelID
        self.contactID = contactID
    }

    /// `district-log`, or `district-email:bell-liaison` for a contact through a channel.
    public var description: String {
        contactID.map { "\(channelID):\($0)" } ?? channelID
    }

    public static func < (lhs: Recipient, rhs: Recipient) -> Bool { lhs.description < rhs.description }
}
