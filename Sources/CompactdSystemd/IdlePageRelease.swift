#if canImport(Glibc)
import Glibc
#endif

/// Gives back the memory compactd holds only because it ran once: the code and read-only data
/// of start-up, configuration loading, planning and a burst of deliveries.
///
/// compactd is idle for hours between reminders, and most of what it keeps resident after a
/// pass is clean pages of its own binary and of libraries (measured on the shipped
/// configuration: 22 MiB resident after READY, of it 9 MiB compactd's own file). Two steps:
/// `madvise(MADV_PAGEOUT)` on every mapping that holds only file pages unmaps them (resident
/// set 22 -> 10 MiB) and frees the ones the kernel can, then `posix_fadvise(POSIX_FADV_DONTNEED)`
/// on compactd's own executable drops its cached pages that nothing maps any more (measured:
/// its page cache 35.5 -> 17.3 MB; MADV_PAGEOUT alone left it at 35.4). The next pass reads
/// back what it runs (measured: a reload right after took 4.7-6.7 ms instead of 3.2-3.6).
/// Pages other processes map too (libc, usually) are skipped by the kernel, libraries' page
/// cache is left alone (another process may need it next), and anonymous memory (the heap,
/// relocated data) is never touched, so nothing is swapped. Kernels before 5.4 refuse
/// MADV_PAGEOUT; nothing is released then.
public enum IdlePageRelease {
    public struct Outcome: Sendable, Equatable {
        /// Mappings advised.
        public var mappings: Int
        /// What those mappings had resident before, in KiB.
        public var residentBeforeKiB: Int
        /// The process's resident set before and after, in KiB (`VmRSS`).
        public var processBeforeKiB: Int
        public var processAfterKiB: Int
        /// False when the kernel does not know MADV_PAGEOUT.
        public var supported: Bool
    }

    /// Drops the resident file pages of every mapping that holds only file pages.
    public static func release() -> Outcome {
        let before = residentKiB()
        let mappings = MemoryMapping.parse(smaps: readProcFile("/proc/self/smaps")).filter { $0.holdsOnlyFilePages && $0.residentKiB > 0 }
        var outcome = Outcome(mappings: 0, residentBeforeKiB: 0, processBeforeKiB: before, processAfterKiB: before, supported: true)
        for mapping in mappings {
            guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(address, Int(mapping.end - mapping.start), MADV_PAGEOUT) != 0 {
                if errno == EINVAL {
                    outcome.supported = false
                    break
                }
                continue
            }
            outcome.mappings += 1
            outcome.residentBeforeKiB += mapping.residentKiB
        }
        if outcome.supported { dropUnmappedCache(of: "/proc/self/exe") }
        outcome.processAfterKiB = residentKiB()
        return outcome
    }

    /// Asks the kernel to drop the file's cached pages that no process maps. MADV_PAGEOUT
    /// unmaps pages but, called by the process itself, frees few of them (measured from an
    /// empty page cache: 35.5 MB of the binary cached after a start, 35.4 MB after
    /// MADV_PAGEOUT, 17.3 MB after this; why the kernel keeps the 17 MB, more than compactd
    /// still maps, was not found). Only for compactd's own executable, which nothing else
    /// runs: a library's cached pages may be what another process needs next.
    static func dropUnmappedCache(of path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// `VmRSS` of this process, in KiB (0 if /proc is not there).
    public static func residentKiB() -> Int {
        for line in readProcFile("/proc/self/status").split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        }
        return 0
    }

    /// A /proc file read whole (their size is unknown until read).
    static func readProcFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
