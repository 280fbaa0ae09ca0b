import CompactdCore

/// `compactctl agenda -o json`: a JSON array written to standard output as it is built, one
/// notice a line, in blocks of about 64 KiB, so the whole document is never held. The notices
/// are formatted as bytes by `AgendaJSONFormatter`, each `,\n{…}`: the first one's comma is dropped.
struct AgendaJSONLines {
    private let output = OutputBytes()
    private var wroteNotice = false
    private var formatter: AgendaJSONFormatter

    init(formatter: AgendaJSONFormatter) {
        self.formatter = formatter
        output.append([UInt8(ascii: "[")])
    }

    /// One notice; `fate` with --all.
    mutating func append(_ notice: PlannedNotice, fate: String? = nil) {
        formatter.append(notice, fate: fate, to: output)
        if !wroteNotice {
            output.remove(at: 1)
            wroteNotice = true
        }
        output.flushIfFull()
    }

    func finish() {
        output.append(wroteNotice ? Array("\n]\n".utf8) : Array("]\n".utf8))
        output.flush()
    }
}
