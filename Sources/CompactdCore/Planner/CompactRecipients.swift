/// One compact's recipients during a planning pass, worked out when the first of its notices
/// falls in the window: a slice visits every compact, and most have no notice in it (a summer
/// cycle's notices span about five months of the year), so working out each compact's
/// recipients at every visit was spent mostly on compacts that then sent nothing.
struct CompactRecipients {
    private let compact: UnsafePointer<Compact>
    private var everyday: [Recipient]?
    /// A compact's steps mostly share one policy: its escalation recipients found once.
    private var escalationFor: (escalateTo: [RecipientReference], recipients: [Recipient])?

    init(_ compact: UnsafePointer<Compact>) {
        self.compact = compact
    }

    /// Each enabled channel the compact names, and for email channels each of its contacts.
    mutating func normal(_ planner: Planner) -> [Recipient] {
        if let everyday { return everyday }
        let made = planner.normalRecipients(for: compact)
        everyday = made
        return made
    }

    /// Who also hears about a step under `policy` once it is escalated; none if it never is.
    mutating func escalation(for policy: ReminderPolicy, _ planner: Planner) -> [Recipient] {
        guard policy.escalateAfter != nil else { return [] }
        if let known = escalationFor, known.escalateTo == policy.escalateTo { return known.recipients }
        let made = planner.escalationRecipients(for: policy, in: compact)
        escalationFor = (policy.escalateTo, made)
        return made
    }
}
