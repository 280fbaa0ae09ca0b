import CompactdCore

/// Text made safe for HTML: every string that reaches a page goes through `escape`, whatever
/// its source (a partner named `<script>alert(1)</script>` in a city's file shows as text).
enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as entities, byte by byte (`ByteEscaping`: a quote that a
    /// combining mark follows, escaped by Character, went out raw and could end an attribute).
    static func escape(_ text: String) -> String {
        ByteEscaping.replacing(text) { byte in
            switch byte {
            case UInt8(ascii: "&"): "&amp;"
            case UInt8(ascii: "<"): "&lt;"
            case UInt8(ascii: ">"): "&gt;"
            case UInt8(ascii: "\""): "&quot;"
            case UInt8(ascii: "'"): "&#39;"
            default: nil
            }
        }
    }
}
