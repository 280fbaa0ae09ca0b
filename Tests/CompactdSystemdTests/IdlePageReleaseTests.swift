@testable import CompactdSystemd
import Foundation
import Testing

@Suite("Idle page release")
struct IdlePageReleaseTests {
    /// Four mappings as Linux 6.x prints them, trimmed to the fields that matter.
    static let sample = """
        5581c2f69000-5581c33a2000 r--p 00000000 fe:00 5317991                    /usr/local/bin/compactd
        Size:               4324 kB
        Rss:                1116 kB
        Anonymous:             0 kB
        5581c33a2000-5581c463c000 r-xp 00438000 fe:00 5317991                    /usr/local/bin/compactd
        Rss:                5152 kB
        Anonymous:             0 kB
        5581c463c000-5581c46f0000 r--p 016d1000 fe:00 5317991                    /usr/local/bin/compactd
        Rss:                 720 kB
        Anonymous:           716 kB
        5581c46f0000-5581c6b5d000 rw-p 01784000 fe:00 5317991                    /usr/local/bin/compactd
        Rss:                1968 kB
        Anonymous:          1200 kB
        7f0000000000-7f0000021000 rw-p 00000000 00:00 0                          [heap]
        Rss:                 140 kB
        Anonymous:           140 kB
        7f0000100000-7f0000108000 rw-s 00000000 fe:00 77                         /var/lib/compactd/state.sqlite-shm
        Rss:                  32 kB
        Anonymous:             0 kB
        7f0000200000-7f0000300000 r--p 00000000 00:00 0 
        Rss:                   8 kB
        7f0000300000-7f0000301000 r--p 00000000 fe:00 99                         /tmp/a file (deleted)
        Rss:                   4 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me sd
        """

    @Test("smaps headers and sizes are read, with paths that hold spaces")
    func parsesSmaps() {
        let mappings = MemoryMapping.parse(smaps: Self.sample)
        #expect(mappings.count == 8)
        #expect(mappings[0] == MemoryMapping(start: 0x5581c2f69000, end: 0x5581c33a2000, permissions: "r--p", path: "/usr/local/bin/compactd", residentKiB: 1116, anonymousKiB: 0))
        #expect(mappings[2].anonymousKiB == 716)
        #expect(mappings[4].path == "[heap]")
        #expect(mappings[6].path == "")
        #expect(mappings[7].path == "/tmp/a file (deleted)")
    }

    @Test("only private, read-only, file-backed mappings without relocated pages are released")
    func selection() {
        let released = MemoryMapping.parse(smaps: Self.sample).map(\.holdsOnlyFilePages)
        // code and read-only data: yes; relocated read-only data, data, heap, the shared WAL
        // index, anonymous: no; a deleted file's pages are still its file's: yes.
        #expect(released == [true, true, false, false, false, false, false, true])
    }

    @Test("releasing drops this process's own resident code from memory")
    func releasesOwnPages() throws {
        // The test binary's code is mapped by this process alone: the kernel drops its pages.
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        func residentOfExecutable() -> Int {
            MemoryMapping.parse(smaps: IdlePageRelease.readProcFile("/proc/self/smaps"))
                .filter { $0.path == executable && $0.holdsOnlyFilePages }
                .reduce(0) { $0 + $1.residentKiB }
        }
        let before = residentOfExecutable()
        let outcome = IdlePageRelease.release()
        let after = residentOfExecutable()
        #expect(outcome.supported)
        #expect(outcome.mappings > 0)
        #expect(outcome.processBeforeKiB > 0)
        #expect(outcome.processAfterKiB < outcome.processBeforeKiB)
        // What runs between release and measuring reads a little back; most must be gone.
        #expect(before > 1024, "the test binary should have over 1 MiB of code resident, has \(before) KiB")
        #expect(after < before / 2, "resident code of \(executable): \(before) KiB before, \(after) KiB after")
    }
}
