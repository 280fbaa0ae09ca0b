import CSystemd
import Glibc

/// The fields of one journal entry in a single buffer, sent with `sd_journal_sendv`.
struct JournalEntry {
    private var bytes: [UInt8] = []
    /// Where each `FIELD=value` starts in `bytes`, and its length.
    private var spans: [(offset: Int, count: Int)] = []

    init() {
        bytes.reserveCapacity(512)
        spans.reserveCapacity(20)
    }

    /// One `NAME=value` field.
    mutating func add(_ name: String, _ value: String) {
        let start = bytes.count
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: "="))
        bytes.append(contentsOf: value.utf8)
        spans.append((start, bytes.count - start))
    }

    /// `MESSAGE=`: the event's constant message, and the value of the field it is about.
    mutating func addMessage(_ message: String, shown value: String?) {
        let start = bytes.count
        bytes.append(contentsOf: "MESSAGE=".utf8)
        bytes.append(contentsOf: message.utf8)
        if let value {
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: value.utf8)
        }
        spans.append((start, bytes.count - start))
    }

    /// A metadata field: its key as a journal field name (`JournaldLogHandler.fieldName`), `=`,
    /// its value.
    mutating func add(field key: String, _ value: String) {
        let start = bytes.count
        JournaldLogHandler.appendFieldName(key, to: &bytes)
        bytes.append(UInt8(ascii: "="))
        bytes.append(contentsOf: value.utf8)
        spans.append((start, bytes.count - start))
    }

    func send() {
        bytes.withUnsafeBytes { buffer in
            var vectors = spans.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress! + $0.offset), iov_len: $0.count) }
            _ = sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }
}
