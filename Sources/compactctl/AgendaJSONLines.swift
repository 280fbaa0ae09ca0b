import CompactdCore
import Foundation

/// `compactctl agenda -o json`: a JSON array written to standard output as it is built, one
/// notice a line, in blocks of about 64 KiB, so the whole document is never held. The notices
/// are formatted as bytes by `AgendaJSONFormatter`, each `,\n{…}`: the first one's comma is dropped.
struct AgendaJSONLines {
    private var buffer: [UInt8] = [UInt8(ascii: "[")]
    private var wroteNotice = false
    private var formatter: AgendaJSONFormatter

    init(formatter: AgendaJSONFormatter) {
        self.formatter = formatter
        buffer.reserveCapacity(80 << 10)
    }

    /// One notice; `fate` with --all.
    mutating func append(_ notice: PlannedNotice, fate: String? = nil) {
        formatter.append(notice, fate: fate, to: &buffer)
        if !wroteNotice {
            buffer.remove(at: 1)
            wroteNotice = true
        }
        if buffer.count >= 64 << 10 { flush() }
    }

    mutating func finish() {
        buffer += wroteNotice ? Array("\n]\n".utf8) : Array("]\n".utf8)
        flush()
    }

    private mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
