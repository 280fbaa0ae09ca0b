import CompactdCore
import Foundation
import Testing

@Suite("Flat JSON reader")
struct FlatJSONReaderTests {
    @Test("reads back what JSONWriter wrote: escapes, control characters, non-ASCII, surrogate pairs")
    func roundTrip() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / Rocío «» 🏫 \u{2028} end"
        var w = JSONWriter()
        w.beginObject()
        w.field("a", tricky)
        w.field("n", -42)
        w.field("big", Int.max)
        w.field("list", ["x", "", "y\"z", "ñ"])
        w.field("empty", [String]())
        w.endObject()
        let members = try #require(FlatJSONReader.object(String(decoding: w.bytes, as: UTF8.self)))
        #expect(members["a"] == .string(tricky))
        #expect(members["n"] == .integer(-42))
        #expect(members["big"] == .integer(Int.max))
        #expect(members["list"] == .strings(["x", "", "y\"z", "ñ"]))
        #expect(members["empty"] == .strings([]))
        #expect(members.count == 5)
    }

    @Test("escapes other writers use: \\u for every character, \\/ and an escaped surrogate pair")
    func foreignEscapes() throws {
        let members = try #require(FlatJSONReader.object(#" { "s" : "\u0052oc\u00EDo \/ \ud83c\udfeb \b\f\r" , "k": null } "#))
        #expect(members["s"] == .string("Rocío / 🏫 \u{08}\u{0C}\r"))
        #expect(members["k"] == .null)
        // And agrees with JSONSerialization on the same text.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(#"{"s":"\u0052oc\u00EDo \/ \ud83c\udfeb"}"#.utf8)) as? [String: String])
        #expect(FlatJSONReader.object(#"{"s":"\u0052oc\u00EDo \/ \ud83c\udfeb"}"#)?["s"] == .string(object["s"]!))
    }

    @Test("anything else is refused, never guessed", arguments: [
        "", "{", "}", "[]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":\"x}", "{\"a\":{\"b\":1}}", "{\"a\":1.5}", "{\"a\":1e3}",
        "{\"a\":true}", "{\"a\":[1]}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud83c\"}", "{\"a\":\"\\u12\"}", "{\"a\":99999999999999999999}",
        "{\"a\":1} x", "{\"a\":-}",
    ])
    func refused(_ text: String) {
        #expect(FlatJSONReader.object(text) == nil)
    }
}

extension FlatJSONReader {
    /// The object's members in a table, or nil when the text is not a flat object of these
    /// values: what these tests read (compactd itself takes the members as they come).
    static func object(_ text: String) -> [String: Value]? {
        var text = text
        return text.withUTF8 { bytes in
            var members: [String: Value] = [:]
            return forEachMember(in: bytes) { key, value in members[key] = value } ? members : nil
        }
    }
}
