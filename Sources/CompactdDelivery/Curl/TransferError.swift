/// A transfer that failed below the application: could not connect, timed out, TLS refused,
/// the SMTP server rejected a command, and so on. Carries curl's code and message; never the
/// URL's path or query, a password or a token.
public struct TransferError: Error, Sendable, CustomStringConvertible {
    /// The CURLcode.
    public var curlCode: Int
    /// curl_easy_strerror and, when present, curl's more specific error buffer.
    public var message: String
    /// The last HTTP status or SMTP reply code seen, if any (e.g. 550 for a refused recipient).
    public var responseCode: Int?
    public var totalMicroseconds: Int64

    public init(curlCode: Int, message: String, responseCode: Int? = nil, totalMicroseconds: Int64 = 0) {
        self.curlCode = curlCode
        self.message = message
        self.responseCode = responseCode
        self.totalMicroseconds = totalMicroseconds
    }

    public var description: String {
        var text = "curl error \(curlCode): \(message)"
        if let responseCode { text += " (reply \(responseCode))" }
        return text
    }

    /// CURLE_OPERATION_TIMEDOUT.
    public var isTimeout: Bool { curlCode == 28 }
}
