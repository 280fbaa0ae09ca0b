import CompactdCore

extension ConfigurationLoader {
    static let policyKeys = ["reminders", "overdue_every", "overdue_limit", "escalate_after", "escalate_to", "shift"]

    /// Reads reminder-policy keys from a table, each overriding `base`.
    func readPolicy(_ reader: TOMLTableReader, base: ReminderPolicy, references: ReferenceResolver, compactContacts: [Contact]) -> ReminderPolicy {
        var policy = base
        if let reminders = reader.timeSpanArray("reminders") {
            // Longest lead first; duplicates would give two reminders one identity.
            var seen: Set<TimeSpan> = []
            for span in reminders where !seen.insert(span).inserted {
                reader.report("reminders", "lists '\(span)' twice; expected each reminder offset once")
            }
            policy.reminders = reminders.sorted { $0.maximumSeconds > $1.maximumSeconds }
        }
        if reader.has("overdue_every") {
            if let every = reader.timeSpan("overdue_every") {
                policy.overdueEvery = every.isZero ? nil : every
            }
        }
        if let limit = reader.int("overdue_limit", range: 0...365, expected: "an integer from 0 to 365") {
            policy.overdueLimit = limit
        }
        if let after = reader.int("escalate_after", range: 0...365, expected: "an integer from 0 to 365 (overdue notices before escalating)") {
            policy.escalateAfter = after
        }
        if let names = reader.stringArray("escalate_to", expected: "an array of channel or contact ids") {
            var resolved: [RecipientReference] = []
            for (i, name) in names.enumerated() {
                if let reference = references.resolve(name, compactContacts: compactContacts) {
                    resolved.append(reference)
                } else {
                    let known = references.knownNames(compactContacts: compactContacts)
                    reader.source.report("\(reader.keyPath("escalate_to"))[\(i)]", "unknown channel or contact '\(name)'; expected one of \(known.joined(separator: ", "))")
                }
            }
            policy.escalateTo = resolved
        }
        if let shift = reader.enumValue("shift", BusinessDayShift.self) {
            policy.shift = shift
        }
        return policy
    }
}
