/// A person or office that receives a compact's notices by email.
public struct Contact: Sendable, Hashable {
    public var id: String
    public var name: String
    public var email: String
    public var language: ContactLanguage
    public var role: String?

    public init(id: String, name: String, email: String, language: ContactLanguage = .en, role: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
        self.language = language
        self.role = role
    }
}
