import CompactdCore
import Foundation
import Testing

/// The Foundation-free text helpers the daemon uses, checked against the Foundation methods
/// they replace.
@Suite("Text and path helpers")
struct TextHelperTests {
    static let paths = [
        "/etc/compactd/compactd.toml", "/compactd.toml", "compactd.toml", "Config/compactd.toml", "a/b/", "/a/b//",
        "/", "", "//x", "./c.toml", "../c/d.toml", "a//b",
    ]

    @Test("directory(of:) is NSString's deletingLastPathComponent", arguments: paths)
    func directory(path: String) {
        #expect(PathText.directory(of: path) == (path as NSString).deletingLastPathComponent)
    }

    @Test("joining is NSString's appendingPathComponent", arguments: ["/etc/compactd", "/etc/compactd/", "Config", "/", ""])
    func joining(folder: String) {
        for component in ["compacts/bell.toml", "x"] {
            #expect(PathText.joining(folder, component) == (folder as NSString).appendingPathComponent(component), "\(folder) + \(component)")
        }
    }

    @Test("joining never doubles a slash (Foundation on Linux gives \"/etc//y\" for \"/y\")")
    func joiningSlashes() {
        #expect(PathText.joining("/etc/compactd", "/y") == "/etc/compactd/y")
        #expect(PathText.joining("/", "/y") == "/y")
        #expect(PathText.joining("a//", "b") == "a/b")
    }

    @Test("trimmingWhitespace is trimming .whitespacesAndNewlines")
    func trimming() {
        for text in ["  a b \n", "\t\r\nwhsec_x\n", "", "   ", "x", " \u{00A0}non-breaking\u{2003}", "é\u{0301} ", "line\r\n"] {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
        #expect(" }tag} ".trimming { $0 == " " || $0 == "}" } == "tag")
        #expect("}}".trimming { $0 == "}" } == "")
    }
}
