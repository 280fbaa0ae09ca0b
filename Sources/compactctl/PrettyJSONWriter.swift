import CompactdCore

/// JSON laid out byte for byte as `JSONOutput` lays it out (Foundation's JSONEncoder,
/// pretty-printed: two spaces a level, `"key" : value`, an empty array or object as its
/// brackets around a blank line; slashes as they are), written to standard output as it is
/// made, for a document too large to hold (`report -o json` at 100,000 compacts: the report
/// and its encoding held whole took 876 MiB). Keys are written in the order given: callers
/// give them as `JSONOutput` names them, snake_case and sorted. Its test compares the two.
struct PrettyJSONWriter {
    private let out: OutputBytes
    /// One entry an open object or array: whether anything has been written in it.
    private var written: [Bool] = []
    /// A key was just written: its value follows on the same line.
    private var afterKey = false

    init(to out: OutputBytes) { self.out = out }

    mutating func beginObject() { open("{") }
    mutating func endObject() { close("}") }
    mutating func beginArray() { open("[") }
    mutating func endArray() { close("]") }

    /// A key of the object open; the next call writes its value.
    mutating func key(_ name: StaticString) {
        startElement()
        out.reserve(name.utf8CodeUnitCount + 5)
        out.appendReserved("\"")
        out.appendReserved(name)
        out.appendReserved("\" : ")
        afterKey = true
    }

    mutating func value(_ text: String) {
        startElement()
        Self.appendString(text, to: out)
        out.flushIfFull()
    }

    mutating func value(_ number: Int) {
        startElement()
        out.write(String(number))
    }

    mutating func value(_ flag: Bool) {
        startElement()
        out.write(flag ? "true" : "false")
    }

    mutating func field(_ name: StaticString, _ text: String) { key(name); value(text) }
    mutating func field(_ name: StaticString, _ number: Int) { key(name); value(number) }
    mutating func field(_ name: StaticString, _ flag: Bool) { key(name); value(flag) }
    /// An optional written as JSONEncoder writes a synthesized `Encodable`'s: left out when nil.
    mutating func field(_ name: StaticString, _ text: String?) {
        if let text { field(name, text) }
    }

    mutating func field(_ name: StaticString, _ texts: [String]) {
        key(name)
        beginArray()
        for text in texts { value(text) }
        endArray()
    }

    private mutating func open(_ bracket: StaticString) {
        startElement()
        out.reserve(2)
        out.appendReserved(bracket)
        out.appendReserved("\n")
        written.append(false)
    }

    private mutating func close(_ bracket: StaticString) {
        written.removeLast()
        out.reserve(2 + 2 * written.count)
        out.appendReserved("\n")
        appendIndent()
        out.appendReserved(bracket)
        out.flushIfFull()
    }

    /// Before a key, or a value in an array: the comma after the one before, the line break and
    /// the indent. Nothing before a key's value, or before the document.
    private mutating func startElement() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = written.indices.last else { return }
        out.reserve(2 + 2 * written.count)
        if written[last] { out.appendReserved(",\n") }
        written[last] = true
        appendIndent()
    }

    private func appendIndent() {
        for _ in 0..<written.count { out.appendReserved("  ") }
    }

    /// A JSON string as Foundation writes one: a quote, a backslash, \b, \f, \n, \r and \t
    /// escaped by their letters, any other control character as \u00xx (lowercase), the rest
    /// (a slash, DEL, every non-ASCII character) as it is. `JSONWriter` writes \b and \f as
    /// \u0008 and \u000c, so only its check is shared.
    static func appendString(_ text: String, to out: OutputBytes) {
        var text = text
        text.withUTF8 { utf8 in
            out.reserve(utf8.count * 6 + 2)
            out.appendReserved("\"")
            if !JSONWriter.needsEscaping(utf8) {
                out.appendReserved(UnsafeRawBufferPointer(utf8))
            } else {
                for byte in utf8 {
                    switch byte {
                    case UInt8(ascii: "\""): out.appendReserved("\\\"")
                    case UInt8(ascii: "\\"): out.appendReserved("\\\\")
                    case 0x08: out.appendReserved("\\b")
                    case 0x0C: out.appendReserved("\\f")
                    case 0x0A: out.appendReserved("\\n")
                    case 0x0D: out.appendReserved("\\r")
                    case 0x09: out.appendReserved("\\t")
                    case 0..<0x20:
                        let hex: StaticString = "0123456789abcdef"
                        out.appendReserved("\\u00")
                        hex.withUTF8Buffer { digits in out.appendReserved([digits[Int(byte >> 4)], digits[Int(byte & 15)]]) }
                    default:
                        out.appendReserved([byte])
                    }
                }
            }
            out.appendReserved("\"")
        }
    }
}
