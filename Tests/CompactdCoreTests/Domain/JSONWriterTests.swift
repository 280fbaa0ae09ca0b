import CompactdCore
import Foundation
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("escapes what JSON requires and round-trips through JSONSerialization")
    func roundTrip() throws {
        var w = JSONWriter()
        w.beginObject()
        w.field("a", "quote \" backslash \\ newline \n tab \t bell \u{07} slash / Rocío «»")
        w.field("n", -42)
        w.field("list", ["x", "", "y\"z"])
        w.key("nested")
        w.beginObject()
        w.endObject()
        w.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: Any])
        #expect(object["a"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} slash / Rocío «»")
        #expect(object["n"] as? Int == -42)
        #expect(object["list"] as? [String] == ["x", "", "y\"z"])
        #expect((object["nested"] as? [String: Any])?.isEmpty == true)
        #expect(String(decoding: w.bytes, as: UTF8.self).hasPrefix(#"{"a":"quote \" backslash \\ newline \n tab \t bell \u0007 slash / Rocío"#))
    }

    @Test("escapes at the very start and end, back to back, and none at all")
    func edges() {
        for (text, json) in [("\"x\\", #""\"x\\""#), ("\n\n", #""\n\n""#), ("plain", #""plain""#), ("", #""""#), ("\u{1F}é", #""\u001fé""#)] {
            var w = JSONWriter()
            w.value(text)
            #expect(String(decoding: w.bytes, as: UTF8.self) == json, "\(text.debugDescription)")
        }
    }

    /// Strings are scanned eight bytes at a time: every byte value that must be escaped, and
    /// some that must not, at every place in a word and across the word's edge, read back by
    /// JSONSerialization as the string written.
    @Test("every escaped byte at every place of an 8-byte word and past it")
    func wordScan() throws {
        let special: [UInt8] = Array(0x00..<0x20) + [0x22, 0x5C, 0x21, 0x23, 0x5B, 0x5D, 0x7F]
        for byte in special {
            for place in 0..<19 {
                var bytes = Array("abcdefghijklmnopqrs".utf8)
                bytes[place] = byte
                let text = String(decoding: bytes, as: UTF8.self) + "é»"
                var w = JSONWriter()
                w.beginArray()
                w.value(text)
                w.endArray()
                let array = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String], "byte \(byte) at \(place)")
                #expect(array == [text], "byte \(byte) at \(place)")
            }
        }
    }

    /// `needsEscaping` tests eight bytes at a time, the last eight overlapping the ones before:
    /// every length from empty to three words and a bit, with each byte JSON escapes (and some
    /// it does not) at each place, against JSON's rule written out here byte by byte.
    @Test("needsEscaping: every escaped byte at every place of every length up to 26 bytes")
    func needsEscapingEveryPlace() {
        let escaped = Set<UInt8>(Array(0x00..<0x20) + [0x22, 0x5C])
        let others: [UInt8] = [0x20, 0x21, 0x23, 0x2F, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...26 {
            let plain = Array(repeating: UInt8(ascii: "a"), count: length)
            #expect(plain.withUnsafeBufferPointer(JSONWriter.needsEscaping) == false, "\(length) plain bytes")
            for place in 0..<length {
                for byte in escaped.sorted() + others {
                    var bytes = plain
                    bytes[place] = byte
                    let needs = bytes.withUnsafeBufferPointer(JSONWriter.needsEscaping)
                    #expect(needs == escaped.contains(byte), "byte \(byte) at \(place) of \(length)")
                }
            }
        }
    }

    @Test("a field named verbatim is written as a field with the same name is")
    func verbatimName() {
        var plain = JSONWriter()
        var verbatim = JSONWriter()
        plain.beginObject()
        verbatim.beginObject()
        plain.field("send_at_utc", "2027-05-14T16:00:00Z")
        verbatim.field(verbatim: "send_at_utc", "2027-05-14T16:00:00Z")
        plain.field("id", "a\"b")
        verbatim.field(verbatim: "id", "a\"b")
        plain.endObject()
        verbatim.endObject()
        #expect(String(decoding: verbatim.bytes, as: UTF8.self) == #"{"send_at_utc":"2027-05-14T16:00:00Z","id":"a\"b"}"#)
        #expect(verbatim.bytes == plain.bytes)
    }

    /// Every piece is written into room made ahead (`storage`, grown when full): a writer
    /// started with 16 bytes of room grows many times over a document with every kind of call
    /// (escaped and plain keys and values after a comma, numbers, null, arrays, nested objects),
    /// and reads back, value for value and byte for byte, as JSONSerialization and the text
    /// written out here see it; emptied, it writes the same document again.
    @Test("a document far past its first room, every kind of piece, written twice")
    func growsAndRewrites() throws {
        func write(_ w: inout JSONWriter) {
            w.beginObject()
            for i in 0..<40 {
                w.key("k\(i)\"")
                w.beginArray()
                w.value("plain \(i)")
                w.value("tab\t\(i)")
                w.value(-i)
                w.null()
                w.beginObject()
                w.field(verbatim: "id", "é\\\(i)")
                w.field(verbatim: "n", i)
                w.endObject()
                w.endArray()
            }
            w.endObject()
        }
        var w = JSONWriter(capacity: 16)
        write(&w)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: Any])
        #expect(object.count == 40)
        for i in 0..<40 {
            let items = try #require(object["k\(i)\""] as? [Any], "k\(i)")
            #expect(items.count == 5)
            #expect(items[0] as? String == "plain \(i)")
            #expect(items[1] as? String == "tab\t\(i)")
            #expect(items[2] as? Int == -i)
            #expect(items[3] is NSNull)
            let nested = try #require(items[4] as? [String: Any])
            #expect(nested["id"] as? String == "é\\\(i)")
            #expect(nested["n"] as? Int == i)
        }
        let expected = "{" + (0..<40).map { i in #""k\#(i)\"":["plain \#(i)","tab\t\#(i)",\#(-i),null,{"id":"é\\\#(i)","n":\#(i)}]"# }.joined(separator: ",") + "}"
        #expect(String(decoding: w.bytes, as: UTF8.self) == expected)
        #expect(w.text == expected)
        let first = w.bytes
        w.removeAll()
        write(&w)
        #expect(w.bytes == first)
    }
}
