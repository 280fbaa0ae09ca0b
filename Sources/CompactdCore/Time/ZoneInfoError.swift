/// Why a time zone could not be loaded.
public struct ZoneInfoError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidIdentifier = "invalid-identifier"
        case notFound = "not-found"
        case malformed = "malformed"
    }

    public var code: Code
    public var identifier: String
    public var detail: String

    public init(code: Code, identifier: String, detail: String) {
        self.code = code
        self.identifier = identifier
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .invalidIdentifier, .notFound:
            "unknown time zone '\(identifier)': \(detail); expected an IANA name such as America/Los_Angeles or UTC"
        case .malformed:
            "time zone '\(identifier)' could not be read: \(detail)"
        }
    }
}
