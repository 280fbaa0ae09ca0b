#if canImport(Glibc)
import Glibc
#endif

/// compactd's own TOML 1.0 parser, in Swift, over the document's UTF-8 bytes.
///
/// Why not TOMLKit: it hands the text to toml++, which aborts the process on some malformed
/// input, and a configuration file (or a reload with a bad one) must never end the daemon.
/// Refusing the shapes fuzzing had found (the old `TOMLPreflight`) was a list, not a guarantee.
/// This parser cannot trap by construction: every byte is read through `byte(at:)`, which
/// answers nil past the end; numbers are converted with overflow checks; nesting is bounded
/// (`maximumDepth`), so no input exhausts the stack; there is no force-unwrap, no `precondition`.
/// A coverage-guided fuzzer (`make fuzz`) backs that up.
///
/// It follows Python's `tomllib` (TOML 1.0) rule for rule, including which redefinitions it
/// refuses, and the tests compare the two on the fuzz corpus and on valid and invalid samples.
/// Where they may differ, on purpose: integers beyond 64 bits are refused here (tomllib keeps
/// big integers; TOML asks implementations to refuse what they cannot represent), and nesting
/// deeper than `maximumDepth`.
struct TOMLParser {
    /// Arrays and inline tables nested deeper than this are refused.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var pos = 0
    private let root: TOMLTable
    private let flags = TOMLNamespaceFlags()

    /// Parses a whole document; the first problem found is thrown.
    static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        try parseDocument(utf8: Array(text.utf8)).root
    }

    /// Parses a document given as its UTF-8 bytes, which the caller has validated: its top
    /// table, with the text its keys' offsets count in.
    static func parseDocument(utf8 bytes: [UInt8]) throws(TOMLSyntaxError) -> TOMLDocument {
        var parser = TOMLParser(utf8: bytes)
        try parser.parseDocument()
        return TOMLDocument(root: parser.root, text: parser.bytes)
    }

    private init(utf8 document: [UInt8]) {
        // As tomllib: CRLF is a newline; a lone CR is an illegal character. Most files have
        // no CR at all and are read as they are, without a copy (found by memchr: a loop over
        // the bytes was two percent of reading a compact file).
        var bytes = document
        if document.withUnsafeBytes({ bytes in bytes.baseAddress.map { memchr($0, 0x0D, bytes.count) != nil } ?? false }) {
            bytes = []
            bytes.reserveCapacity(document.count)
            var previousCR = false
            for byte in document {
                if byte == 0x0A && previousCR { bytes.removeLast() }
                bytes.append(byte)
                previousCR = byte == 0x0D
            }
        }
        self.bytes = bytes
        root = TOMLTable(offset: 0)
    }

    // MARK: - Reading bytes

    private func byte(at index: Int) -> UInt8? {
        index >= 0 && index < bytes.count ? bytes[index] : nil
    }

    private var current: UInt8? { byte(at: pos) }

    private func starts(with literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for i in 0..<count where bytes[index + i] != buffer[i] { return false }
            return true
        }
    }

    /// Line and column (in Unicode scalars) of a byte offset: for an error, so counted from
    /// the start (keys keep their offsets; `TOMLDocument` turns those into lines when asked).
    func location(at index: Int) -> TOMLLocation {
        TOMLDocument.location(at: index, in: bytes)
    }

    private func error(_ message: String, at index: Int? = nil) -> TOMLSyntaxError {
        TOMLSyntaxError(message: message, location: location(at: index ?? pos))
    }

    private static func isControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }
    private static func isBareKey(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
    }
    private static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    private static func isHexDigit(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    private mutating func skipSpaces() {
        while let b = current, b == 0x20 || b == 0x09 { pos += 1 }
    }

    private mutating func skipSpacesAndNewlines() {
        while let b = current, b == 0x20 || b == 0x09 || b == 0x0A { pos += 1 }
    }

    /// Skips a comment, refusing control characters in it (tab allowed).
    private mutating func skipComment() throws(TOMLSyntaxError) {
        guard current == UInt8(ascii: "#") else { return }
        pos += 1
        while let b = current, b != 0x0A {
            if Self.isControl(b) && b != 0x09 { throw error("a comment holds a control character (\(Self.describe(b))); expected text or a tab") }
            pos += 1
        }
    }

    private mutating func skipCommentsAndArrayWhitespace() throws(TOMLSyntaxError) {
        while true {
            let before = pos
            skipSpacesAndNewlines()
            try skipComment()
            if pos == before { return }
        }
    }

    static func describe(_ b: UInt8) -> String {
        switch b {
        case 0x0D: "a carriage return"
        case 0x00: "a NUL byte"
        default: "byte 0x" + String(b, radix: 16, uppercase: true)
        }
    }

    // MARK: - The document

    private mutating func parseDocument() throws(TOMLSyntaxError) {
        var header: [String] = []
        // The table the current header names, once a plain key has found it: the section's
        // other plain keys go there without walking from the root again.
        var sectionTable: TOMLTable?
        while true {
            skipSpaces()
            guard let b = current else { break }
            if b == 0x0A {
                pos += 1
                continue
            }
            if Self.isBareKey(b) || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                try keyValueRule(header: header, sectionTable: &sectionTable)
                skipSpaces()
            } else if b == UInt8(ascii: "[") {
                flags.finalizePending()
                sectionTable = nil
                if byte(at: pos + 1) == UInt8(ascii: "[") {
                    header = try arrayOfTablesRule()
                } else {
                    header = try tableRule()
                }
                skipSpaces()
            } else if b != UInt8(ascii: "#") {
                throw error("invalid statement; expected a key = value, a [table], an [[array of tables]] or a # comment")
            }
            try skipComment()
            guard let end = current else { break }
            if end != 0x0A { throw error("expected the end of the line after a statement, found more") }
            pos += 1
        }
    }

    /// `[a.b]`
    private mutating func tableRule() throws(TOMLSyntaxError) -> [String] {
        let start = pos
        pos += 1
        skipSpaces()
        let key = try parseKey()
        if flags.isSet(key, .explicitNest) || flags.isSet(key, .frozen) {
            throw error("table [\(Self.display(key))] is declared twice; expected each table once", at: start)
        }
        flags.set(key, .explicitNest, recursive: false)
        guard getOrCreateNest(key[...], from: root, at: start, accessLists: true) != nil else {
            throw error("[\(Self.display(key))] would replace a value that is not a table", at: start)
        }
        guard current == UInt8(ascii: "]") else { throw error("expected ']' at the end of the table header") }
        pos += 1
        return key
    }

    /// `[[a.b]]`
    private mutating func arrayOfTablesRule() throws(TOMLSyntaxError) -> [String] {
        let start = pos
        pos += 2
        skipSpaces()
        let key = try parseKey()
        // A new element: what was declared under the previous one is free again, but the
        // array's own name may not become a [table].
        guard flags.openArrayElement(key) else {
            throw error("[[\(Self.display(key))]] would add to an inline table or a static array; expected a new name", at: start)
        }
        guard let stem = key.last, let parent = getOrCreateNest(key.dropLast(), from: root, at: start, accessLists: true) else {
            throw error("[[\(Self.display(key))]] would replace a value that is not a table", at: start)
        }
        guard parent.appendToArrayOfTables(stem, TOMLTable(offset: start), at: start) else {
            throw error("[[\(Self.display(key))]] names a value that is not an array of tables", at: start)
        }
        guard current == UInt8(ascii: "]"), byte(at: pos + 1) == UInt8(ascii: "]") else {
            throw error("expected ']]' at the end of the array-of-tables header")
        }
        pos += 2
        return key
    }

    private mutating func keyValueRule(header: [String], sectionTable: inout TOMLTable?) throws(TOMLSyntaxError) {
        let start = pos
        // Most keys are a single bare key: read without making a key path. The section's first
        // plain key finds the section's table with the checks the general reading below makes
        // for a key of one part (its parent is the section itself; no dotted part to check),
        // in the same order; the section's later plain keys go straight to that table: nothing
        // a key does within the section changes the checks' answer for the section's own
        // table (flags set here apply under a key, or at the next header).
        if let stem = singleBareKey() {
            pos += 1
            skipSpaces()
            let value = try parseValue(depth: 0)
            let nest: TOMLTable
            if let known = sectionTable {
                nest = known
            } else {
                if flags.isSet(header, .frozen) {
                    throw error("'\(stem)' would add to an inline table or an array, which cannot be extended", at: start)
                }
                guard let found = getOrCreateNest(header[...], from: root, at: start, accessLists: true) else {
                    throw error("'\(stem)' would replace a value that is not a table", at: start)
                }
                nest = found
                sectionTable = found
            }
            guard nest.insertNew(stem, value, at: start) else { throw error("'\(stem)' is defined twice; expected each key once", at: start) }
            switch value {
            case .table, .array: flags.set(header + [stem], .frozen, recursive: true)
            default: break
            }
            return
        }
        let (key, value) = try parseKeyValuePair(depth: 0)
        guard let stem = key.last else { throw error("a key is missing", at: start) }
        // (A single key's parent is the section itself: no copy of the header and key made.)
        let parentKey = key.count == 1 ? header : header + key.dropLast()
        // Tables named by dotted keys: not if a header declared them, and no header or dotted
        // key in a later section may open them again.
        for i in 1..<key.count {
            let container = header + key[0..<i]
            if flags.isSet(container, .explicitNest) {
                throw error("'\(Self.display(Array(key[0..<i])))' is a table declared elsewhere; dotted keys cannot add to it here", at: start)
            }
            flags.addPending(container, .explicitNest)
        }
        if flags.isSet(parentKey, .frozen) {
            throw error("'\(Self.display(key))' would add to an inline table or an array, which cannot be extended", at: start)
        }
        guard let nest = getOrCreateNest(parentKey[...], from: root, at: start, accessLists: true) else {
            throw error("'\(Self.display(key))' would replace a value that is not a table", at: start)
        }
        guard nest.insertNew(stem, value, at: start) else { throw error("'\(Self.display(key))' is defined twice; expected each key once", at: start) }
        switch value {
        case .table, .array: flags.set(header + key, .frozen, recursive: true)
        default: break
        }
        if key.count == 1 { sectionTable = nest }
    }

    /// The table at `key` under `table`, making the missing ones; the last element of an array
    /// of tables when `accessLists`. Nil when a value that is not a table is in the way.
    private func getOrCreateNest(_ key: ArraySlice<String>, from table: TOMLTable, at offset: Int, accessLists: Bool) -> TOMLTable? {
        var container = table
        for name in key {
            guard let position = container.position(of: name) else {
                let made = TOMLTable(offset: offset)
                _ = container.insertNew(name, .table(made), at: offset)
                container = made
                continue
            }
            switch container.value(at: position) {
            case .table(let inner):
                container = inner
            case .array(let elements) where accessLists:
                guard case .table(let last)? = elements.last else { return nil }
                container = last
            default:
                return nil
            }
        }
        return container
    }

    static func display(_ key: [String]) -> String { key.joined(separator: ".") }

    // MARK: - Keys

    private mutating func parseKeyValuePair(depth: Int) throws(TOMLSyntaxError) -> ([String], TOMLValue) {
        let key = try parseKey()
        guard current == UInt8(ascii: "=") else { throw error("expected '=' after the key '\(Self.display(key))'") }
        pos += 1
        skipSpaces()
        let value = try parseValue(depth: depth)
        return (key, value)
    }

    /// A bare key followed by `=` (spaces allowed between): the key, with `pos` on the `=`.
    /// Anything else (a dotted or quoted key, a syntax error) leaves `pos` where it was, for
    /// the general reading.
    private mutating func singleBareKey() -> String? {
        let start = pos
        // Over the buffer: through `current`, each byte's read checked the bounds and made an
        // optional.
        let (end, next) = bytes.withUnsafeBufferPointer { buffer in
            var end = start
            while end < buffer.count, Self.isBareKey(buffer[end]) { end += 1 }
            var next = end
            while next < buffer.count, buffer[next] == 0x20 || buffer[next] == 0x09 { next += 1 }
            return (end, next)
        }
        guard end > start, next < bytes.count, bytes[next] == UInt8(ascii: "=") else { return nil }
        pos = next
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private mutating func parseKey() throws(TOMLSyntaxError) -> [String] {
        var parts = [try parseKeyPart()]
        skipSpaces()
        while current == UInt8(ascii: ".") {
            pos += 1
            skipSpaces()
            parts.append(try parseKeyPart())
            skipSpaces()
        }
        return parts
    }

    private mutating func parseKeyPart() throws(TOMLSyntaxError) -> String {
        guard let b = current else { throw error("a key is missing at the end of the document") }
        if Self.isBareKey(b) {
            let start = pos
            while let c = current, Self.isBareKey(c) { pos += 1 }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }
        if b == UInt8(ascii: "'") { return try parseLiteralString() }
        if b == UInt8(ascii: "\"") { return try parseBasicString(multiline: false) }
        throw error("invalid first character of a key; expected a letter, digit, '-', '_' or a quoted key")
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        guard let b = current else { throw error("a value is missing at the end of the document") }
        switch b {
        case UInt8(ascii: "\""):
            if starts(with: "\"\"\"", at: pos) { return .string(try parseMultilineString(literal: false)) }
            return .string(try parseBasicString(multiline: false))
        case UInt8(ascii: "'"):
            if starts(with: "'''", at: pos) { return .string(try parseMultilineString(literal: true)) }
            return .string(try parseLiteralString())
        case UInt8(ascii: "t") where starts(with: "true", at: pos):
            pos += 4
            return .boolean(true)
        case UInt8(ascii: "f") where starts(with: "false", at: pos):
            pos += 5
            return .boolean(false)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "{"):
            return try parseInlineTable(depth: depth + 1)
        default:
            break
        }
        if let value = try parseDateTime() { return value }
        if let time = parseTime(at: pos) {
            pos = time.end
            return .localTime(time.time)
        }
        if let number = try parseNumber() { return number }
        let specials: [(StaticString, Double)] = [("inf", .infinity), ("nan", .nan), ("+inf", .infinity), ("-inf", -.infinity), ("+nan", .nan), ("-nan", -.nan)]
        for (literal, value) in specials where starts(with: literal, at: pos) {
            pos += literal.utf8CodeUnitCount
            return .float(value)
        }
        throw error("invalid value; expected a string, number, boolean, date, array or inline table")
    }

    private mutating func parseArray(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        if depth > Self.maximumDepth { throw error("arrays and inline tables nested more than \(Self.maximumDepth) deep") }
        pos += 1
        var elements: [TOMLValue] = []
        try skipCommentsAndArrayWhitespace()
        if current == UInt8(ascii: "]") {
            pos += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            try skipCommentsAndArrayWhitespace()
            guard let c = current else { throw error("unclosed array; expected ',' or ']'") }
            if c == UInt8(ascii: "]") {
                pos += 1
                return .array(elements)
            }
            guard c == UInt8(ascii: ",") else { throw error("unclosed array; expected ',' or ']'") }
            pos += 1
            try skipCommentsAndArrayWhitespace()
            if current == UInt8(ascii: "]") {
                pos += 1
                return .array(elements)
            }
        }
    }

    private mutating func parseInlineTable(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        if depth > Self.maximumDepth { throw error("arrays and inline tables nested more than \(Self.maximumDepth) deep") }
        let table = TOMLTable(offset: pos)
        pos += 1
        let innerFlags = TOMLNamespaceFlags()
        skipSpaces()
        if current == UInt8(ascii: "}") {
            pos += 1
            return .table(table)
        }
        while true {
            let start = pos
            let (key, value) = try parseKeyValuePair(depth: depth)
            guard let stem = key.last else { throw error("a key is missing", at: start) }
            if innerFlags.isSet(key, .frozen) {
                throw error("'\(Self.display(key))' would add to an inline table or an array, which cannot be extended", at: start)
            }
            guard let nest = getOrCreateNest(key.dropLast(), from: table, at: start, accessLists: false) else {
                throw error("'\(Self.display(key))' would replace a value that is not a table", at: start)
            }
            guard nest.insertNew(stem, value, at: start) else { throw error("'\(Self.display(key))' is defined twice in an inline table", at: start) }
            skipSpaces()
            guard let c = current else { throw error("unclosed inline table; expected ',' or '}'") }
            if c == UInt8(ascii: "}") {
                pos += 1
                return .table(table)
            }
            guard c == UInt8(ascii: ",") else { throw error("unclosed inline table; expected ',' or '}' (an inline table stays on one line)") }
            switch value {
            case .table, .array: innerFlags.set(key, .frozen, recursive: true)
            default: break
            }
            pos += 1
            skipSpaces()
        }
    }

    // MARK: - Strings

    private mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        pos += 1
        let start = pos
        while true {
            guard let b = current else { throw error("unterminated string; expected a closing '") }
            if b == UInt8(ascii: "'") { break }
            if Self.isControl(b) && b != 0x09 { throw error("a string holds a control character (\(Self.describe(b))); expected it escaped, in a basic string") }
            pos += 1
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        pos += 1
        return text
    }

    private mutating func parseMultilineString(literal: Bool) throws(TOMLSyntaxError) -> String {
        pos += 3
        if current == 0x0A { pos += 1 }
        var text: String
        let delimiter: UInt8
        if literal {
            delimiter = UInt8(ascii: "'")
            let start = pos
            while !starts(with: "'''", at: pos) {
                guard let b = current else { throw error("unterminated string; expected a closing '''") }
                if Self.isControl(b) && b != 0x09 && b != 0x0A { throw error("a string holds a control character (\(Self.describe(b)))") }
                pos += 1
            }
            text = String(decoding: bytes[start..<pos], as: UTF8.self)
            pos += 3
        } else {
            delimiter = UInt8(ascii: "\"")
            text = try parseBasicString(multiline: true)
        }
        // Up to two quotes may stand right before the closing three.
        for _ in 0..<2 {
            guard current == delimiter else { break }
            text.unicodeScalars.append(Unicode.Scalar(delimiter))
            pos += 1
        }
        return text
    }

    /// A basic string from its opening quote (one, or three when `multiline`), with escapes.
    private mutating func parseBasicString(multiline: Bool) throws(TOMLSyntaxError) -> String {
        if !multiline {
            pos += 1
            // Most strings hold no escape: taken from the document as they stand. Scanned over
            // the buffer (indexing the array checked its bounds at every byte), by words.
            let end = bytes.withUnsafeBufferPointer { buffer in
                // Eight bytes at a time while none is a quote, a backslash or a control byte
                // (a tab included: the byte loop then lets it through).
                var end = WordScan.skipWords(buffer, from: pos) { word in
                    !WordScan.hasByte(below: 0x20, in: word) && !WordScan.hasByte(UInt8(ascii: "\""), in: word)
                        && !WordScan.hasByte(UInt8(ascii: "\\"), in: word) && !WordScan.hasByte(0x7F, in: word)
                }
                while end < buffer.count {
                    let b = buffer[end]
                    if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || (Self.isControl(b) && b != 0x09) { break }
                    end += 1
                }
                return end
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[pos..<end], as: UTF8.self)
                pos = end + 1
                return text
            }
        }
        var result: [UInt8] = []
        while true {
            guard let b = current else { throw error("unterminated string; expected a closing \(multiline ? "\"\"\"" : "\"")") }
            if b == UInt8(ascii: "\"") {
                if !multiline {
                    pos += 1
                    break
                }
                if starts(with: "\"\"\"", at: pos) {
                    pos += 3
                    break
                }
                result.append(b)
                pos += 1
                continue
            }
            if b == UInt8(ascii: "\\") {
                try parseEscape(multiline: multiline, into: &result)
                continue
            }
            if Self.isControl(b) && b != 0x09 && !(multiline && b == 0x0A) {
                throw error("a string holds a control character (\(Self.describe(b))); expected it escaped")
            }
            result.append(b)
            pos += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    private mutating func parseEscape(multiline: Bool, into result: inout [UInt8]) throws(TOMLSyntaxError) {
        let escape = byte(at: pos + 1)
        pos += 2
        if multiline, let escape, escape == 0x20 || escape == 0x09 || escape == 0x0A {
            // A line-ending backslash: the newline and the white space after it go.
            if escape != 0x0A {
                skipSpaces()
                guard let c = current else { return }
                guard c == 0x0A else { throw error("a backslash followed by spaces must end the line in a multi-line string") }
                pos += 1
            }
            skipSpacesAndNewlines()
            return
        }
        switch escape {
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "\""): result.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"): try appendHexScalar(digits: 4, into: &result)
        case UInt8(ascii: "U"): try appendHexScalar(digits: 8, into: &result)
        default: throw error("unknown escape in a string; expected \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX or \\UXXXXXXXX", at: pos - 2)
        }
    }

    private mutating func appendHexScalar(digits: Int, into result: inout [UInt8]) throws(TOMLSyntaxError) {
        var value: UInt32 = 0
        for i in 0..<digits {
            guard let b = byte(at: pos + i), Self.isHexDigit(b) else { throw error("invalid \\u escape; expected \(digits) hex digits") }
            let digit: UInt32 = b <= 0x39 ? UInt32(b - 0x30) : UInt32((b | 0x20) - 0x61 + 10)
            value = value &* 16 &+ digit
        }
        guard let scalar = Unicode.Scalar(value) else { throw error("escaped character is not a Unicode scalar value") }
        pos += digits
        result.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    // MARK: - Numbers

    /// The digits of `[0-9](?:_?[0-9])*` (or the given digit class) from `index`: where they end.
    private func digitRun(from index: Int, _ isDigit: (UInt8?) -> Bool) -> Int? {
        guard isDigit(byte(at: index)) else { return nil }
        var i = index + 1
        while true {
            if isDigit(byte(at: i)) {
                i += 1
            } else if byte(at: i) == UInt8(ascii: "_"), isDigit(byte(at: i + 1)) {
                i += 2
            } else {
                return i
            }
        }
    }

    private mutating func parseNumber() throws(TOMLSyntaxError) -> TOMLValue? {
        let start = pos
        // 0x, 0o, 0b: unsigned, underscores between digits.
        if byte(at: start) == UInt8(ascii: "0"), let prefix = byte(at: start + 1) {
            let radix: Int?
            let isDigit: (UInt8?) -> Bool
            switch prefix {
            case UInt8(ascii: "x"): radix = 16; isDigit = Self.isHexDigit
            case UInt8(ascii: "o"): radix = 8; isDigit = { $0.map { $0 >= 0x30 && $0 <= 0x37 } ?? false }
            case UInt8(ascii: "b"): radix = 2; isDigit = { $0 == 0x30 || $0 == 0x31 }
            default: radix = nil; isDigit = { _ in false }
            }
            if let radix, let end = digitRun(from: start + 2, isDigit) {
                let digits = String(decoding: bytes[(start + 2)..<end].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
                guard let value = Int64(digits, radix: radix) else { throw error("integer out of range; expected one that fits in 64 bits", at: start) }
                pos = end
                return .integer(value)
            }
        }
        var i = start
        if byte(at: i) == UInt8(ascii: "+") || byte(at: i) == UInt8(ascii: "-") { i += 1 }
        let integerEnd: Int
        if byte(at: i) == UInt8(ascii: "0") {
            integerEnd = i + 1
        } else if let b = byte(at: i), b >= 0x31 && b <= 0x39, let end = digitRun(from: i, Self.isDigit) {
            integerEnd = end
        } else {
            return nil
        }
        var end = integerEnd
        var isFloat = false
        if byte(at: end) == UInt8(ascii: "."), let fractionEnd = digitRun(from: end + 1, Self.isDigit) {
            end = fractionEnd
            isFloat = true
        }
        if let e = byte(at: end), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var j = end + 1
            if byte(at: j) == UInt8(ascii: "+") || byte(at: j) == UInt8(ascii: "-") { j += 1 }
            if let exponentEnd = digitRun(from: j, Self.isDigit) {
                end = exponentEnd
                isFloat = true
            }
        }
        let text = String(decoding: bytes[start..<end].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        pos = end
        if isFloat {
            guard let value = Double(text) else { throw error("invalid number", at: start) }
            return .float(value)
        }
        guard let value = Int64(text) else { throw error("integer out of range; expected one that fits in 64 bits", at: start) }
        return .integer(value)
    }

    // MARK: - Dates and times

    private func twoDigits(at index: Int) -> Int? {
        guard let a = byte(at: index), let b = byte(at: index + 1), Self.isDigit(a), Self.isDigit(b) else { return nil }
        return Int(a - 0x30) * 10 + Int(b - 0x30)
    }

    /// `HH:MM:SS(.fraction)?` with tomllib's ranges (seconds to 59).
    private func parseTime(at index: Int) -> (time: TOMLDateTime.Time, end: Int)? {
        guard let hour = twoDigits(at: index), hour <= 23, byte(at: index + 2) == UInt8(ascii: ":"),
              let minute = twoDigits(at: index + 3), minute <= 59, byte(at: index + 5) == UInt8(ascii: ":"),
              let second = twoDigits(at: index + 6), second <= 59 else { return nil }
        var end = index + 8
        var microsecond = 0
        if byte(at: end) == UInt8(ascii: "."), Self.isDigit(byte(at: end + 1)) {
            var i = end + 1
            var digits = 0
            while Self.isDigit(byte(at: i)) {
                if digits < 6, let d = byte(at: i) {
                    microsecond = microsecond * 10 + Int(d - 0x30)
                    digits += 1
                }
                i += 1
            }
            for _ in digits..<6 { microsecond *= 10 }
            end = i
        }
        return (TOMLDateTime.Time(hour: hour, minute: minute, second: second, microsecond: microsecond), end)
    }

    private mutating func parseDateTime() throws(TOMLSyntaxError) -> TOMLValue? {
        let start = pos
        guard let y1 = twoDigits(at: start), let y2 = twoDigits(at: start + 2), byte(at: start + 4) == UInt8(ascii: "-"),
              let month = twoDigits(at: start + 5), (1...12).contains(month), byte(at: start + 7) == UInt8(ascii: "-"),
              let day = twoDigits(at: start + 8), (1...31).contains(day) else { return nil }
        let year = y1 * 100 + y2
        let date = TOMLDateTime.Date(year: year, month: month, day: day)
        guard year >= 1, day <= Self.daysIn(month: month, year: year) else { throw error("invalid date or date-time", at: start) }
        var end = start + 10
        if let separator = byte(at: end), separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20,
           let (time, timeEnd) = parseTime(at: end + 1) {
            end = timeEnd
            var offset: Int?
            if let z = byte(at: end), z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                offset = 0
                end += 1
            } else if let sign = byte(at: end), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                      let hours = twoDigits(at: end + 1), hours <= 23, byte(at: end + 3) == UInt8(ascii: ":"),
                      let minutes = twoDigits(at: end + 4), minutes <= 59 {
                offset = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
                end += 6
            }
            pos = end
            let dateTime = TOMLDateTime(date: date, time: time, offset: offset)
            return offset == nil ? .localDateTime(dateTime) : .offsetDateTime(dateTime)
        }
        pos = end
        return .localDate(date)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
