import CSystemd
import Foundation
import Logging

/// A swift-log handler for a systemd service: structured entries through `sd_journal_sendv`
/// when stderr is the journal, else one line per event on stderr with a `<N>` priority prefix
/// (which journald, or a reader, understands).
///
/// Each event's message is a constant ("delivered"), its details are fields: metadata keys
/// become upper-case journal fields (`compact_id` → `COMPACT_ID`), with `MESSAGE_ID` from
/// `JournalMessageID`, `SYSLOG_IDENTIFIER=compactd` and `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`.
/// Nothing here adds secrets; callers never put secrets, token-bearing URLs or bodies in metadata.
public struct JournaldLogHandler: LogHandler {
    public enum Destination: Sendable {
        case journal
        case stderr
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let destination: Destination
    let identifier: String

    public init(label: String, destination: Destination, identifier: String = "compactd") {
        self.destination = destination
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Usually only the event has fields: take them as they are, merging only when needed.
        // Precedence: the event's, then the provider's, then the handler's.
        var fields = event.metadata ?? [:]
        if let provided = metadataProvider?.get() { fields.merge(provided) { kept, _ in kept } }
        if !metadata.isEmpty { fields.merge(metadata) { kept, _ in kept } }
        let message = event.message.description
        let summary = Self.summary(message: message, fields: fields)
        switch destination {
        case .journal:
            var entries = [
                "MESSAGE=\(summary)",
                "PRIORITY=\(Self.priority(event.level))",
                "SYSLOG_IDENTIFIER=\(identifier)",
                "CODE_FILE=\(event.file)",
                "CODE_LINE=\(event.line)",
                "CODE_FUNC=\(event.function)",
            ]
            if let id = JournalMessageID.byMessage[message] { entries.append("MESSAGE_ID=\(id)") }
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                entries.append("\(Self.fieldName(key))=\(value)")
            }
            Self.send(entries)
        case .stderr:
            var line = "<\(Self.priority(event.level))>\(summary)"
            // The field the summary already shows is not repeated.
            let shown = Self.summaryKey(message: message, fields: fields)
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) where key != shown {
                line += " \(key)=\(value)"
            }
            // One line per event, whatever the values hold; one write(2), no Foundation.
            var bytes = Array(line.utf8)
            for i in bytes.indices where bytes[i] == 0x0A || bytes[i] == 0x0D { bytes[i] = 0x20 }
            bytes.append(0x0A)
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { if n < 0 && errno == EINTR { continue } else { break } }
                    offset += n
                }
            }
        }
    }

    /// The constant message with the one field that says what it is about.
    static func summary(message: String, fields: Logger.Metadata) -> String {
        guard let key = summaryKey(message: message, fields: fields), let value = fields[key] else { return message }
        return "\(message): \(value)"
    }

    /// Which field the summary shows: the reminder, the channel disabled, or the error.
    static func summaryKey(message: String, fields: Logger.Metadata) -> String? {
        if fields["reminder_id"] != nil { return "reminder_id" }
        if fields["channel"] != nil, message == "channel disabled" { return "channel" }
        if fields["error"] != nil { return "error" }
        return nil
    }

    /// syslog priorities: 2 crit, 3 err, 4 warning, 5 notice, 6 info, 7 debug.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names: upper case letters, digits and underscores, not starting with one.
    static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        while name.hasPrefix("_") { name.removeFirst() }
        return name.isEmpty ? "FIELD" : String(name.prefix(64))
    }

    static func send(_ entries: [String]) {
        let buffers = entries.map { Array($0.utf8) }
        var pointers: [UnsafeMutableRawPointer] = []
        for buffer in buffers {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(1, buffer.count), alignment: 1)
            buffer.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: buffer.count) }
            pointers.append(p)
        }
        defer { pointers.forEach { $0.deallocate() } }
        var vectors = zip(pointers, buffers).map { iovec(iov_base: $0.0, iov_len: $0.1.count) }
        _ = sd_journal_sendv(&vectors, Int32(vectors.count))
    }
}
