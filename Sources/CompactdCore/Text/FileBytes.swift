#if canImport(Glibc)
import Glibc
#endif

/// A whole file's bytes through open(2)/read(2): zoneinfo files for the core, configuration files
/// for the loader. Not FileManager: the core does not use Foundation, and
/// FileManager.contents(atPath:) was seen leaking a 4 KiB buffer per call under LeakSanitizer.
public enum FileBytes {
    /// The file's bytes, or nil when it cannot be opened or read. At most `limit` bytes: a
    /// configuration or zone file is small, a device or a huge file is refused rather than read.
    public static func read(_ path: String, limit: Int = 16 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { return nil }
        }
    }
}
