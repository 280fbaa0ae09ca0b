/// Whether a configuration file's bytes are UTF-8, checked before they are parsed.
enum UTF8Text {
    /// ASCII, as nearly every configuration file is, is answered eight bytes at a time; anything
    /// else goes through the standard library's validation. (`String(validating:)` alone made
    /// and freed a copy of every file: about one percent of reading a compact file.)
    static func isValid(_ bytes: [UInt8]) -> Bool {
        let ascii = bytes.withUnsafeBytes { raw in
            var seen: UInt64 = 0
            var i = 0
            while i + 8 <= raw.count {
                seen |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < raw.count {
                seen |= UInt64(raw[i])
                i += 1
            }
            return seen & 0x8080_8080_8080_8080 == 0
        }
        return ascii || String(validating: bytes, as: UTF8.self) != nil
    }
}
