/// Writes compact JSON for compactd's own fixed shapes (the outbox snapshot, the webhook
/// payload) without Foundation's encoder, which costs more than a delivery's send. Keys are
/// written in the order given; callers give them sorted, so the bytes match a sorted-keys
/// encoder's output.
public struct JSONWriter {
    /// The document so far is `storage`'s first `count` bytes; the rest is room. Each key or
    /// value is written with one uniqueness check and one copy into that room: appended a piece
    /// at a time (`Array.append(contentsOf:)` is 70 to 90 instructions a call), a webhook body's
    /// 25 keys and 16 values cost 15,000 instructions, now 9,000 (callgrind).
    private var storage: [UInt8]
    private var count = 0

    /// The document written so far (a copy at each use; `text` when a String will do).
    public var bytes: [UInt8] { Array(storage[..<count]) }

    /// The document written so far, as text (it is UTF-8: every string went in as UTF-8).
    public var text: String {
        storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[..<count]), as: UTF8.self) }
    }

    public init(capacity: Int = 512) { storage = [UInt8](repeating: 0, count: max(capacity, 16)) }

    private var needsComma = false

    /// Empty again, keeping its memory, to write the next document.
    public mutating func removeAll() {
        count = 0
        needsComma = false
    }

    public mutating func beginObject() { punctuation(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { punctuation(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { append(UInt8(ascii: "]")); needsComma = true }

    /// A key inside an object; the next call writes its value.
    public mutating func key(_ name: String) {
        string(name)
        append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func value(_ text: String) { string(text); needsComma = true }
    public mutating func value(_ number: Int) {
        var digits = String(number)
        digits.withUTF8 { raw(UnsafeRawBufferPointer($0), comma: needsComma) }
        needsComma = true
    }
    public mutating func null() {
        ("null" as StaticString).withUTF8Buffer { raw(UnsafeRawBufferPointer($0), comma: needsComma) }
        needsComma = true
    }

    public mutating func field(_ name: String, _ text: String) { key(name); value(text) }

    /// A key written as it stands, unescaped: for names fixed in the code (plain ASCII letters
    /// and underscores), which need no scan (`agenda` writes 17 a notice, a webhook body 25).
    public mutating func key(verbatim name: StaticString) {
        let comma = needsComma ? 1 : 0
        name.withUTF8Buffer { name in
            write(comma + name.count + 3) { out in
                if comma == 1 { out[0] = UInt8(ascii: ",") }
                out[comma] = UInt8(ascii: "\"")
                if let base = name.baseAddress { (out + comma + 1).update(from: base, count: name.count) }
                out[comma + 1 + name.count] = UInt8(ascii: "\"")
                out[comma + 2 + name.count] = UInt8(ascii: ":")
            }
        }
        needsComma = false
    }

    public mutating func field(verbatim name: StaticString, _ text: String) { key(verbatim: name); value(text) }
    public mutating func field(verbatim name: StaticString, _ number: Int) { key(verbatim: name); value(number) }
    public mutating func field(verbatim name: StaticString, _ texts: [String]) { key(verbatim: name); values(texts) }
    public mutating func field(_ name: String, _ number: Int) { key(name); value(number) }
    public mutating func field(_ name: String, _ texts: [String]) { key(name); values(texts) }

    private mutating func values(_ texts: [String]) {
        beginArray()
        for text in texts { value(text) }
        endArray()
    }

    /// Room for `length` more bytes, written by `body` from the first: one uniqueness check
    /// for the whole piece.
    @inline(__always)
    private mutating func write(_ length: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        if count + length > storage.count { grow(toHold: count + length) }
        let at = count
        storage.withUnsafeMutableBufferPointer { body($0.baseAddress! + at) }
        count += length
    }

    private mutating func grow(toHold needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(needed, storage.count * 2) - storage.count))
    }

    private mutating func append(_ byte: UInt8) { write(1) { $0[0] = byte } }

    /// `bytes` as they are, after a comma when `comma` (a number or `null` after another value;
    /// never a run inside a string).
    private mutating func raw(_ bytes: UnsafeRawBufferPointer, comma afterValue: Bool) {
        let comma = afterValue ? 1 : 0
        write(comma + bytes.count) { out in
            if comma == 1 { out[0] = UInt8(ascii: ",") }
            if let base = bytes.baseAddress { UnsafeMutableRawPointer(out + comma).copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    /// An opening bracket, after a comma when one is due.
    private mutating func punctuation(_ byte: UInt8) {
        let comma = needsComma ? 1 : 0
        write(comma + 1) { out in
            if comma == 1 { out[0] = UInt8(ascii: ",") }
            out[comma] = byte
        }
    }

    /// A quoted string, after a comma when one is due. Nearly every value has nothing to
    /// escape: tested eight bytes at a time and copied whole; the rest goes run by run.
    private mutating func string(_ text: String) {
        let plain = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !Self.needsEscaping(utf8) else { return false }
            let comma = needsComma ? 1 : 0
            write(comma + utf8.count + 2) { out in
                if comma == 1 { out[0] = UInt8(ascii: ",") }
                out[comma] = UInt8(ascii: "\"")
                if let base = utf8.baseAddress { (out + comma + 1).update(from: base, count: utf8.count) }
                out[comma + 1 + utf8.count] = UInt8(ascii: "\"")
            }
            return true
        }
        guard plain != true else { return }
        punctuation(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            Self.forEachEscapedRun(utf8) { run in raw(run, comma: false) }
        }
        append(UInt8(ascii: "\""))
    }

    /// A JSON string's contents, without its quotes: quotes, backslashes and control
    /// characters escaped; "/" left as is. Runs with nothing to escape (nearly all of every
    /// payload) are copied whole. For callers that keep escaped text to copy many times
    /// (`agenda`); escaping a concatenation is the concatenation of the escapings.
    public static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            forEachEscapedRun(utf8) { bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
        }
    }

    /// Whether any byte of `utf8` is one JSON escapes (a quote, a backslash, a control
    /// character), eight bytes at a time, the last eight overlapping those before them: an id
    /// or a date is answered in one to three tests, without a loop over its bytes.
    public static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let count = utf8.count
        guard count >= 8 else {
            for byte in utf8 where needsEscape(byte: byte) { return true }
            return false
        }
        var i = 0
        while i + 8 < count {
            if needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { return true }
            i += 8
        }
        return needsEscape(UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self))
    }

    /// `appendEscaped` for writers of raw buffers: the escaped text as runs handed to `body` in
    /// order, runs of the text itself (nearly always one, the whole text) and the escapes between.
    public static func forEachEscapedRun(_ utf8: UnsafeBufferPointer<UInt8>, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        var i = 0
        while i < utf8.count {
            // Eight bytes at a time while none needs escaping (`needsEscape`): the byte loop
            // alone was a seventh of writing a year's agenda.
            if i + 8 <= utf8.count, let base = utf8.baseAddress,
               !Self.needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let byte = utf8[i]
            guard needsEscape(byte: byte) else {
                i += 1
                continue
            }
            body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start..<i])))
            i += 1
            start = i
            let escape: [UInt8]
            switch byte {
            case UInt8(ascii: "\""): escape = [92, 34]
            case UInt8(ascii: "\\"): escape = [92, 92]
            case 0x0A: escape = [92, UInt8(ascii: "n")]
            case 0x0D: escape = [92, UInt8(ascii: "r")]
            case 0x09: escape = [92, UInt8(ascii: "t")]
            default:
                let hex = Array("0123456789abcdef".utf8)
                escape = [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
            escape.withUnsafeBytes(body)
        }
        body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start...])))
    }

    /// Whether JSON escapes `byte`: a quote, a backslash or a control character.
    @inlinable @inline(__always)
    public static func needsEscape(byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    /// Whether any of eight bytes is a quote, a backslash or below 0x20, tested all at once
    /// (the classic "has zero byte" and "has byte less than" word tricks, exact for every value).
    @inlinable @inline(__always)
    public static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let below20 = (word &- ones &* 0x20) & ~word & highs != 0
        return below20 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
