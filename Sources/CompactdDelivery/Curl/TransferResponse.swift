/// What came back from a transfer that completed at the protocol level (any HTTP status, or
/// an accepted SMTP submission).
public struct TransferResponse: Sendable {
    /// The HTTP status, or the last SMTP reply code.
    public var statusCode: Int
    /// The response headers compactd acts on (Retry-After, Location, Content-Type), by
    /// lower-cased name; the last value wins.
    public var headers: [String: String]
    /// At most the request's `maxResponseBytes`.
    public var body: [UInt8]
    /// Set when the body was longer than the cap and the rest was dropped.
    public var truncated: Bool
    public var totalMicroseconds: Int64

    public init(statusCode: Int, headers: [String: String], body: [UInt8], truncated: Bool, totalMicroseconds: Int64) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.truncated = truncated
        self.totalMicroseconds = totalMicroseconds
    }
}
