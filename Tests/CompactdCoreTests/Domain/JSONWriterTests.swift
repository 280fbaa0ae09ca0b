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
}
