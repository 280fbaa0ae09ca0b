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
        // As text, in name order, so an event reads the same every time; the field the summary
        // shows is found in the sorted list. (Two events go out per delivery: each lookup and
        // each copy of a metadata value, which switches over its cases, showed in the profile.)
        let sorted = Self.textFields(fields)
        let shown = Self.shownField(message: message, sortedFields: sorted)
        switch destination {
        case .journal:
            // One buffer holds every NAME=value and the iovecs point into it, instead of a
            // "NAME=value" String and a separate copy per field.
            var entry = JournalEntry()
            entry.addMessage(message, shown: shown.map { sorted[$0].text })
            entry.add("PRIORITY", String(Self.priority(event.level)))
            entry.add("SYSLOG_IDENTIFIER", identifier)
            entry.add("CODE_FILE", event.file)
            entry.add("CODE_LINE", String(event.line))
            entry.add("CODE_FUNC", event.function)
            if let id = JournalMessageID.byMessage[message] { entry.add("MESSAGE_ID", id) }
            for field in sorted {
                entry.add(field: field.key, field.text)
            }
            entry.send()
        case .stderr:
            let line = Self.stderrLine(level: event.level, message: message, sortedFields: sorted, shown: shown)
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
    /// from a service's stderr), the summary (the message, and the value of the field at
    /// `shown`), the other fields as `key=value`, and a newline; CR and LF inside values become
    /// spaces, so one event is always one line.
    static func stderrLine(level: Logger.Level, message: String, sortedFields: [JournalField], shown: Int?) -> [UInt8] {
        // Measured first and written straight into the array's storage: appended a piece at a
        // time, each with its own checks, the line cost 5,000 instructions.
        var length = 3 + message.utf8.count + 1
        if let shown { length += 2 + sortedFields[shown].text.utf8.count }
        for index in sortedFields.indices where index != shown {
            length += 2 + sortedFields[index].key.utf8.count + sortedFields[index].text.utf8.count
        }
        return [UInt8](unsafeUninitializedCapacity: length) { bytes, written in
            bytes[0] = UInt8(ascii: "<")
            bytes[1] = UInt8(ascii: "0") + UInt8(Self.priority(level))
            bytes[2] = UInt8(ascii: ">")
            var end = 3
            func put(_ byte: UInt8) {
                bytes[end] = byte
                end += 1
            }
            // Copied whole from the string's own storage (native strings, nearly all), not
            // through the generic copy from a UTF8View (some 60 instructions a piece, 18 pieces).
            func put(_ text: String) {
                let out = bytes.baseAddress! + end
                let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Int in
                    if let base = utf8.baseAddress { out.initialize(from: base, count: utf8.count) }
                    return utf8.count
                }
                if let copied { end += copied } else { end = bytes[end...].initialize(fromContentsOf: text.utf8) }
            }
            put(message)
            if let shown {
                put(UInt8(ascii: ":"))
                put(UInt8(ascii: " "))
                put(sortedFields[shown].text)
            }
            // The field the summary already shows is not repeated.
            for index in sortedFields.indices where index != shown {
                put(UInt8(ascii: " "))
                put(sortedFields[index].key)
                put(UInt8(ascii: "="))
                put(sortedFields[index].text)
            }
            // Nearly every line has neither: libc's memchr looks for each many bytes at a time
            // (a loop testing every byte cost about 1,000 of the line's 3,600 instructions).
            if memchr(bytes.baseAddress!, 0x0A, end) != nil || memchr(bytes.baseAddress!, 0x0D, end) != nil {
                for i in 0..<end where bytes[i] == 0x0A || bytes[i] == 0x0D { bytes[i] = 0x20 }
            }
            put(0x0A)
            written = end
        }
    }

    /// The fields as (key, text) in key order: strings as they are, other values as their
    /// description.
    static func textFields(_ fields: Logger.Metadata) -> [JournalField] {
        var texts: [JournalField] = []
        texts.reserveCapacity(fields.count)
        for (key, value) in fields {
            switch value {
            case .string(let text): texts.append(JournalField(key, text))
            case .stringConvertible(let convertible): texts.append(JournalField(key, convertible.description))
            case .dictionary, .array: texts.append(JournalField(key, value.description))
            }
        }
        texts.sort { $0.key < $1.key }
        return texts
    }

    /// Which field the summary shows (its place in the sorted fields): the reminder, the
    /// channel disabled, or the error.
    static func shownField(message: String, sortedFields fields: [JournalField]) -> Int? {
        if let index = fields.firstIndex(where: { $0.key == "reminder_id" }) { return index }
        if message == "channel disabled", let index = fields.firstIndex(where: { $0.key == "channel" }) { return index }
        return fields.firstIndex { $0.key == "error" }
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
        appendFieldName(key, to: &name)
        return String(decoding: name, as: UTF8.self)
    }

    /// `fieldName`, written straight into an entry's buffer.
    static func appendFieldName(_ key: String, to bytes: inout [UInt8]) {
        var written = 0
        for byte in key.utf8 where written < 64 {
            let mapped: UInt8
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): mapped = byte - 32
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): mapped = byte
            case 0x80...0xBF: continue  // the rest of a non-ASCII character: one "_" stands for it
            default: mapped = UInt8(ascii: "_")
            }
            if written == 0 && mapped == UInt8(ascii: "_") { continue }  // no leading underscore
            bytes.append(mapped)
            written += 1
        }
        if written == 0 { bytes.append(contentsOf: "FIELD".utf8) }
    }
}
