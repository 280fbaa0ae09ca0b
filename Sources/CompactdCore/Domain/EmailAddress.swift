/// A plain `local@domain` address, checked strictly enough that nothing can smuggle extra
/// headers or recipients into a message: no spaces, no control characters, no angle
/// brackets, commas or quotes, one `@`, a dotted domain.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")),
              bytes.lastIndex(of: UInt8(ascii: "@")) == at, at > 0, at < bytes.count - 1
        else { return false }
        let forbidden: Set<UInt8> = [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: ":")]
        guard !bytes.contains(where: { $0 <= 0x20 || $0 >= 0x7F || forbidden.contains($0) }) else { return false }
        let domain = bytes[(at + 1)...]
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.count <= 63 }
    }
}
