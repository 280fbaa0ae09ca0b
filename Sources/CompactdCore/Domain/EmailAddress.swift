/// A plain `local@domain` address, checked strictly enough that nothing can smuggle extra
/// headers or recipients into a message: no spaces, no control characters, no angle
/// brackets, commas or quotes, one `@`, a dotted domain.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")),
              bytes.lastIndex(of: UInt8(ascii: "@")) == at, at > 0, at < bytes.count - 1
        else { return false }
        for byte in bytes {
            if byte <= 0x20 || byte >= 0x7F { return false }
            switch byte {
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "("),
                 UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: ":"):
                return false
            default:
                break
            }
        }
        // The domain: at least two dot-separated labels, none empty or longer than 63.
        var labels = 0
        var length = 0
        for byte in bytes[(at + 1)...] {
            if byte == UInt8(ascii: ".") {
                guard length > 0 && length <= 63 else { return false }
                labels += 1
                length = 0
            } else {
                length += 1
            }
        }
        guard length > 0 && length <= 63 else { return false }
        return labels + 1 >= 2
    }
}
