import CompactdCore
import Foundation
import Testing

/// `FileBytes.read`, checked against Foundation's reader: it stops at a regular file's end
/// without the read that would return nothing when the file gave the size fstat gave, and
/// must still read a file whose size fstat does not know (a /proc file says 0) to its end.
@Suite("Whole files read through open and read")
struct FileBytesTests {
    @Test("regular files of every size around the page and buffer edges read as Foundation reads them")
    func regularFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("filebytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 2, 4095, 4096, 4097, 65_535, 65_536, 65_537, (1 << 20) + 3] {
            let path = folder.appendingPathComponent("f\(size)").path
            let written = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(FileManager.default.createFile(atPath: path, contents: Data(written)))
            let expected = try #require(FileManager.default.contents(atPath: path))
            #expect(FileBytes.read(path) == [UInt8](expected), "size \(size)")
        }
    }

    @Test("a file stat sizes as 0 (/proc/self/status) is read to its end")
    func procFile() throws {
        let bytes = try #require(FileBytes.read("/proc/self/status"))
        let text = String(decoding: bytes, as: UTF8.self)
        // Its first field and its last (the kernel writes them in a fixed order).
        #expect(text.hasPrefix("Name:"))
        #expect(text.hasSuffix("\n"))
        #expect(text.contains("\nnonvoluntary_ctxt_switches:"))
    }

    @Test("a file over the limit, a folder and a missing file are refused")
    func refusals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("filebytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ten").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("0123456789".utf8)))
        #expect(FileBytes.read(path, limit: 10) == Array("0123456789".utf8))
        #expect(FileBytes.read(path, limit: 9) == nil)
        #expect(FileBytes.read(folder.path) == nil)
        #expect(FileBytes.read(folder.appendingPathComponent("missing").path) == nil)
    }
}
