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
        // Room for the file as fstat sizes it and one byte more, so the end is seen without
        // another buffer (a 64 KiB chunk zeroed per file was a tenth of reading 100,000 small
        // ones); grown when the file is larger than it said (a /proc file says 0).
        var info = stat()
        let size = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        var bytes = [UInt8](repeating: 0, count: min(max(size, 0), limit) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                if count > limit { return nil }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, count)))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            count += n
            // A regular file that gave exactly the size fstat gave, asked for one byte more,
            // is at its end: the read that would return 0 is skipped (one system call in five
            // of reading 100,000 compact files). A short read (the file shrank, or an I/O
            // error after some bytes) still reads again, to see the end or the error.
            if count == size && size > 0 { break }
        }
        if count > limit { return nil }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
