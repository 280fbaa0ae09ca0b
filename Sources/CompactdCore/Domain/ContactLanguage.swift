/// The language a contact's notices are written in; templates fall back to English.
public enum ContactLanguage: String, Sendable, Hashable, CaseIterable, Codable {
    case en
    case es
}
