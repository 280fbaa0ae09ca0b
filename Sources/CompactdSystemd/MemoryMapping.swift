/// One mapping of the process's address space, as `/proc/self/smaps` describes it: its range,
/// permissions, file, and how much of it is resident.
public struct MemoryMapping: Sendable, Equatable {
    public var start: UInt
    public var end: UInt
    /// As the kernel prints them: `r-xp`, `rw-s`, ...
    public var permissions: String
    /// The mapped file, or the kernel's name for an anonymous mapping (`[heap]`), or "".
    public var path: String
    public var residentKiB: Int = 0
    /// Pages of the mapping that are no longer the file's (written, or relocated by the loader).
    public var anonymousKiB: Int = 0

    public init(start: UInt, end: UInt, permissions: String, path: String, residentKiB: Int = 0, anonymousKiB: Int = 0) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.path = path
        self.residentKiB = residentKiB
        self.anonymousKiB = anonymousKiB
    }

    /// Private, never writable, backed by a file, and holding only the file's own pages: code
    /// and read-only data. Dropping such pages loses nothing, the next touch reads them back
    /// from the file. Writable and shared mappings (SQLite's WAL index) and pages the loader
    /// relocated are left alone: with swap they would be written out, not dropped.
    public var holdsOnlyFilePages: Bool {
        let p = Array(permissions.utf8)
        return path.utf8.first == UInt8(ascii: "/") && p.count == 4 && p[1] != UInt8(ascii: "w") && p[3] == UInt8(ascii: "p") && anonymousKiB == 0
    }

    /// The mappings in the text of `/proc/PID/smaps`, with their `Rss:` and `Anonymous:` sizes.
    /// Lines it does not understand are skipped.
    ///
    /// Read as bytes, a line at a time, and only headers and the two sizes looked at: split into
    /// Strings field by field, the daemon's own smaps (hundreds of mappings, twenty-odd lines
    /// each) took about 13 ms, four tenths of a pass that gives idle pages back (perf).
    public static func parse(smaps text: String) -> [MemoryMapping] {
        var text = text
        return text.withUTF8 { bytes in
            var mappings: [MemoryMapping] = []
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                parseLine(UnsafeBufferPointer(rebasing: bytes[start..<end]), into: &mappings)
                start = end + 1
            }
            return mappings
        }
    }

    private static func parseLine(_ line: UnsafeBufferPointer<UInt8>, into mappings: inout [MemoryMapping]) {
        let space = UInt8(ascii: " ")
        /// The field starting at or after `from` (spaces skipped): its range.
        func field(from: Int) -> Range<Int> {
            var a = from
            while a < line.count && line[a] == space { a += 1 }
            var b = a
            while b < line.count && line[b] != space { b += 1 }
            return a..<b
        }
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self) }
        let first = field(from: 0)
        guard !first.isEmpty else { return }
        if line[first.upperBound - 1] == UInt8(ascii: ":") {
            // A size line: only Rss and Anonymous matter, the others' names not made into Strings.
            let name = UnsafeBufferPointer(rebasing: line[first])
            let isResident = name.elementsEqual("Rss:".utf8)
            guard isResident || name.elementsEqual("Anonymous:".utf8), !mappings.isEmpty, let kib = Int(text(field(from: first.upperBound))) else { return }
            if isResident { mappings[mappings.count - 1].residentKiB = kib } else { mappings[mappings.count - 1].anonymousKiB = kib }
            return
        }
        // A header: START-END PERMS OFFSET DEV INODE [PATH]
        guard let dash = line[first].firstIndex(of: UInt8(ascii: "-")),
              let start = UInt(text(first.lowerBound..<dash), radix: 16), let end = UInt(text((dash + 1)..<first.upperBound), radix: 16) else { return }
        let permissions = field(from: first.upperBound)
        let offset = field(from: permissions.upperBound)
        let device = field(from: offset.upperBound)
        let inode = field(from: device.upperBound)
        guard !inode.isEmpty else { return }
        var pathStart = inode.upperBound
        while pathStart < line.count && line[pathStart] == space { pathStart += 1 }
        mappings.append(MemoryMapping(start: start, end: end, permissions: text(permissions), path: text(pathStart..<line.count)))
    }
}
