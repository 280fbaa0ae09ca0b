/// Reads the flat JSON objects `JSONWriter` writes for records (string, integer and
/// string-array values, no nesting): the outbox's notice snapshots are read back thousands of
/// times a second, and Foundation's JSONDecoder costs more than the rest of a claim. Anything
/// else (nested objects, fractions, malformed text) gives nil, so callers can fall back to a
/// general decoder.
public struct FlatJSONReader {
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case strings([String])
        case null
    }

    /// The text being read, borrowed for the length of one call.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Hands each member of the object in `bytes` to `body` in the order written, without
    /// gathering them in a table (a caller that knows its keys assigns them as they come).
    /// False, after handing over the members before it, when the text is not a flat object of
    /// these values.
    public static func forEachMember(in bytes: UnsafeBufferPointer<UInt8>, _ body: (String, Value) -> Void) -> Bool {
        var reader = FlatJSONReader(bytes)
        return reader.readObject(body)
    }

    private mutating func readObject(_ body: (String, Value) -> Void) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) {
            skipSpace()
            return i == bytes.count
        }
        repeat {
            guard let key = readString(), consume(UInt8(ascii: ":")), let value = readValue() else { return false }
            body(key, value)
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { return false }
        skipSpace()
        return i == bytes.count
    }

    private mutating func readValue() -> Value? {
        skipSpace()
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return readString().map(Value.string)
        case UInt8(ascii: "["):
            i += 1
            var items: [String] = []
            if consume(UInt8(ascii: "]")) { return .strings(items) }
            repeat {
                guard let item = readString() else { return nil }
                items.append(item)
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "]")) ? .strings(items) : nil
        case UInt8(ascii: "n"):
            guard bytes.count - i >= 4, bytes[i + 1] == UInt8(ascii: "u"), bytes[i + 2] == UInt8(ascii: "l"), bytes[i + 3] == UInt8(ascii: "l") else { return nil }
            i += 4
            return .null
        default:
            return readInteger().map(Value.integer)
        }
    }

    private mutating func readInteger() -> Int? {
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(bytes[i] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
            digits += 1
            i += 1
        }
        // Fractions and exponents are not ours: let a general decoder have them.
        if digits == 0 || (i < bytes.count && (bytes[i] == UInt8(ascii: ".") || bytes[i] | 0x20 == UInt8(ascii: "e"))) { return nil }
        return negative ? -value : value
    }

    private mutating func readString() -> String? {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return nil }
                let escape = bytes[i]
                i += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = readHex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by \u and a low one.
                        guard bytes.count - i >= 2, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    return nil
                }
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func readHex4() -> UInt32? {
        guard bytes.count - i >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }
}
