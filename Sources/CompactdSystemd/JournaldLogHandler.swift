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
        let sorted = fields.sorted { $0.key < $1.key }
        switch destination {
        case .journal:
            // One buffer holds every NAME=value and the iovecs point into it, instead of a
            // "NAME=value" String and a separate copy per field: two events go out per delivery.
            var entry = JournalEntry()
            entry.add("MESSAGE", summary)
            entry.add("PRIORITY", String(Self.priority(event.level)))
            entry.add("SYSLOG_IDENTIFIER", identifier)
            entry.add("CODE_FILE", event.file)
            entry.add("CODE_LINE", String(event.line))
            entry.add("CODE_FUNC", event.function)
            if let id = JournalMessageID.byMessage[message] { entry.add("MESSAGE_ID", id) }
            for (key, value) in sorted {
                entry.add(Self.fieldName(key), value.description)
            }
            entry.send()
        case .stderr:
            let line = Self.stderrLine(level: event.level, summary: summary, sortedFields: sorted, shownKey: Self.summaryKey(message: message, fields: fields))
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { if n < 0 && errno == EINTR { continue } else { break } }
                    offset += n
                }
            }
        }
    }

    /// One event as a stderr line: `<N>` (the syslog priority, which journald and systemd read
    /// from a service's stderr), the summary, the other fields as `key=value`, and a newline;
    /// CR and LF inside values become spaces, so one event is always one line.
    static func stderrLine(level: Logger.Level, summary: String, sortedFields: [(key: String, value: Logger.Metadata.Value)], shownKey: String?) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: "<\(Self.priority(level))>".utf8)
        line.append(contentsOf: summary.utf8)
        // The field the summary already shows is not repeated.
        for (key, value) in sortedFields where key != shownKey {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            line.append(contentsOf: value.description.utf8)
        }
        for i in line.indices where line[i] == 0x0A || line[i] == 0x0D { line[i] = 0x20 }
        line.append(0x0A)
        return line
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

    /// Journal field names: upper case ASCII letters, digits and underscores, not starting with
    /// an underscore (journald refuses other names; `_` starts its trusted fields), at most 64.
    static func fieldName(_ key: String) -> String {
        var name: [UInt8] = []
        name.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): name.append(byte - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): name.append(byte)
            case 0x80...0xBF: continue  // the rest of a non-ASCII character: one "_" stands for it
            default: name.append(UInt8(ascii: "_"))
            }
        }
        let kept = name.drop { $0 == UInt8(ascii: "_") }.prefix(64)
        return kept.isEmpty ? "FIELD" : String(decoding: kept, as: UTF8.self)
    }
}
