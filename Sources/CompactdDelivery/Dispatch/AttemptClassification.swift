import CompactdCore
import Foundation

/// What an attempt's result means for the delivery.
public enum AttemptClassification: Sendable, Equatable {
    case delivered
    /// Worth trying again; `retryAfterSeconds` when the receiver asked for a wait.
    case retry(reason: String, retryAfterSeconds: Int64?)
    /// Will not succeed by trying again (e.g. 404, SMTP 550).
    case dead(reason: String)
    /// 410 Gone: the endpoint is gone for good; disable the channel.
    case gone(reason: String)
    /// Not attempted for good: its channel was disabled meanwhile; it waits, pending.
    case held(reason: String)

    /// HTTP: 2xx delivered; 408, 425, 429 and 5xx retried (honouring Retry-After); 410
    /// disables the channel; any other status is dead-lettered (redirects included: they are
    /// never followed).
    public static func http(status: Int, headers: [String: String], now: Instant) -> AttemptClassification {
        switch status {
        case 200..<300:
            return .delivered
        case 408, 425, 429, 500..<600:
            return .retry(reason: "HTTP \(status)", retryAfterSeconds: headers["retry-after"].flatMap { retryAfterSeconds($0, now: now) })
        case 410:
            return .gone(reason: "HTTP 410 Gone")
        case 300..<400:
            return .dead(reason: "HTTP \(status) redirect (redirects are not followed)")
        default:
            return .dead(reason: "HTTP \(status)")
        }
    }

    /// SMTP: 2xx delivered, 4xx retried, 5xx dead for that recipient.
    public static func smtp(replyCode: Int) -> AttemptClassification {
        switch replyCode {
        case 200..<300: .delivered
        case 400..<500: .retry(reason: "SMTP \(replyCode)", retryAfterSeconds: nil)
        case 500..<600: .dead(reason: "SMTP \(replyCode)")
        default: .retry(reason: "SMTP reply \(replyCode)", retryAfterSeconds: nil)
        }
    }

    /// A transfer that failed below HTTP: connection refused, timeouts, TLS, DNS are retried;
    /// an SMTP refusal is judged by its reply code; refused protocols are dead.
    public static func transferError(_ error: TransferError, isSMTP: Bool) -> AttemptClassification {
        if isSMTP, let code = error.responseCode, code >= 400 {
            return smtp(replyCode: code)
        }
        switch error.curlCode {
        case 1, 3, 4:  // unsupported protocol, malformed URL, not built in
            return .dead(reason: error.description)
        default:
            return .retry(reason: error.description, retryAfterSeconds: nil)
        }
    }

    /// Retry-After as delta-seconds or an HTTP-date, counted from `now` (the dispatcher's clock).
    static func retryAfterSeconds(_ value: String, now: Instant) -> Int64? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int64(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let seconds = date.timeIntervalSince1970 - Double(now.microsecondsSinceEpoch) / 1_000_000
        return max(0, Int64(seconds.rounded(.up)))
    }
}
