/// A notice in words: subject, plain text and HTML, in the recipient's language.
public struct RenderedNotice: Sendable, Hashable {
    public var subject: String
    public var text: String
    public var html: String
    public var language: String
}
