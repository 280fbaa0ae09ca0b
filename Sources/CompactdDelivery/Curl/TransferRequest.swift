import CompactdCore

/// One transfer for the curl engine: an HTTP POST or an SMTP submission, with its limits.
public struct TransferRequest: Sendable {
    public enum Operation: Sendable {
        case httpPost(url: String, headers: [(String, String)], body: [UInt8])
        case smtp(url: String, from: String, recipients: [String], message: [UInt8], tls: EmailTLS, username: String?, password: String?)
    }

    public var operation: Operation
    public var connectTimeoutMilliseconds: Int
    public var totalTimeoutMilliseconds: Int
    /// Which protocols curl may use (CURLOPT_PROTOCOLS_STR), e.g. "https" or "smtp,smtps".
    public var allowedProtocols: String
    /// A CA bundle for private CAs; verification itself is always on.
    public var caFile: String?
    /// Response bytes kept; the rest is read and dropped so memory stays bounded.
    public var maxResponseBytes: Int

    public init(operation: Operation, connectTimeoutMilliseconds: Int = 10_000, totalTimeoutMilliseconds: Int = 30_000, allowedProtocols: String, caFile: String? = nil, maxResponseBytes: Int = 65_536) {
        self.operation = operation
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.allowedProtocols = allowedProtocols
        self.caFile = caFile
        self.maxResponseBytes = maxResponseBytes
    }
}
