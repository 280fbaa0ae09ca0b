#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Whether stderr is connected to the journal: systemd sets `$JOURNAL_STREAM` to the device and
/// inode of the stream it connected; if stderr is still that stream, structured entries can go
/// to the journal directly.
public enum JournalStream {
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
