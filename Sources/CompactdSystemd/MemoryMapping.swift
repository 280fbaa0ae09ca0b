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
    public static func parse(smaps text: String) -> [MemoryMapping] {
        var mappings: [MemoryMapping] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.utf8.last == UInt8(ascii: ":") {
                guard !mappings.isEmpty, fields.count >= 2, let kib = Int(fields[1]) else { continue }
                switch first {
                case "Rss:": mappings[mappings.count - 1].residentKiB = kib
                case "Anonymous:": mappings[mappings.count - 1].anonymousKiB = kib
                default: break
                }
                continue
            }
            // A header: START-END PERMS OFFSET DEV INODE [PATH]
            let range = first.split(separator: "-")
            guard range.count == 2, fields.count >= 5, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) else { continue }
            let path = fields.count == 6 ? String(fields[5].drop(while: { $0 == " " })) : ""
            mappings.append(MemoryMapping(start: start, end: end, permissions: String(fields[1]), path: path))
        }
        return mappings
    }
}
