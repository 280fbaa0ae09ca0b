#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

extension ZoneInfo {
    /// Where the tz database lives; `TZDIR` overrides it, as it does for glibc.
    public static var databaseDirectory: String {
        if let dir = getenv("TZDIR") { return String(cString: dir) }
        return "/usr/share/zoneinfo"
    }

    private static let cache = Mutex<[String: ZoneInfo]>([:])

    /// Loads a zone by IANA name (`America/Los_Angeles`), once per process.
    public static func named(_ identifier: String) throws(ZoneInfoError) -> ZoneInfo {
        if identifier == "UTC" { return .utc }
        if let cached = cache.withLock({ $0[identifier] }) { return cached }
        let valid = !identifier.isEmpty && !identifier.hasPrefix("/") && !identifier.hasPrefix(".")
            && !identifier.contains("..") && identifier.utf8.count < 256
            && identifier.utf8.allSatisfy { b in
                (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57)
                    || b == UInt8(ascii: "/") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            }
        guard valid else {
            throw ZoneInfoError(code: .invalidIdentifier, identifier: identifier, detail: "not a zone name")
        }
        guard let bytes = readWholeFile(databaseDirectory + "/" + identifier) else {
            throw ZoneInfoError(code: .notFound, identifier: identifier, detail: "no such zone in \(databaseDirectory)")
        }
        let zone = try ZoneInfo(identifier: identifier, tzif: bytes)
        cache.withLock { $0[identifier] = zone }
        return zone
    }

    /// The process's local zone as glibc sees it: `TZ` (with or without a leading colon), else
    /// `/etc/localtime`, else UTC.
    public static func processLocal() throws(ZoneInfoError) -> ZoneInfo {
        if let tz = getenv("TZ") {
            var name = String(cString: tz)
            if name.hasPrefix(":") { name.removeFirst() }
            if name.isEmpty || name == "UTC" || name == "Etc/UTC" || name == "UTC0" { return .utc }
            if name.hasPrefix("/") {
                guard let bytes = readWholeFile(name) else {
                    throw ZoneInfoError(code: .notFound, identifier: name, detail: "no such file")
                }
                return try ZoneInfo(identifier: name, tzif: bytes)
            }
            return try named(name)
        }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/etc/localtime", &buffer, buffer.count - 1)
        if n > 0 {
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let marker = target.firstRange(of: "zoneinfo/") {
                let name = String(target[marker.upperBound...])
                if name == "Etc/UTC" || name == "UTC" { return .utc }
                if let zone = try? named(name) { return zone }
            }
        }
        if let bytes = readWholeFile("/etc/localtime") {
            return try ZoneInfo(identifier: "localtime", tzif: bytes)
        }
        return .utc
    }

    /// A zone file's bytes (at most 4 MiB: a TZif file is a few KiB).
    static func readWholeFile(_ path: String) -> [UInt8]? { FileBytes.read(path, limit: 4 << 20) }
}
