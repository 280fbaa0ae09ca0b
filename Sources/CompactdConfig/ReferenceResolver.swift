import CompactdCore

/// Turns names in `escalate_to` into channels or contacts, knowing which exist.
struct ReferenceResolver {
    let channels: [Channel]
    let districtContacts: [Contact]

    func resolve(_ name: String, compactContacts: [Contact]) -> RecipientReference? {
        if channels.contains(where: { $0.id == name }) { return .channel(name) }
        if compactContacts.contains(where: { $0.id == name }) || districtContacts.contains(where: { $0.id == name }) {
            return .contact(name)
        }
        return nil
    }

    func knownNames(compactContacts: [Contact]) -> [String] {
        channels.map(\.id) + compactContacts.map(\.id) + districtContacts.map(\.id)
    }
}
