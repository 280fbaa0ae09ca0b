/// Line-level TOML scanning shared by the source map (where keys are) and the pre-check
/// (what would abort the parser): quote-aware searches and bracket counting.
enum TOMLLineScanning {
    /// Opening minus closing brackets and braces outside strings, up to a comment.
    static func bracketDelta(_ text: Substring) -> Int {
        var delta = 0
        var quote: Character?
        var escaped = false
        for ch in text {
            if let q = quote {
                if escaped { escaped = false } else if ch == "\\" && q == "\"" { escaped = true } else if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "[" || ch == "{" {
                delta += 1
            } else if ch == "]" || ch == "}" {
                delta -= 1
            } else if ch == "#" {
                break
            }
        }
        return delta
    }

    /// The first `target` outside a string.
    static func firstUnquoted(_ target: Character, in text: Substring) -> Substring.Index? {
        var quote: Character?
        var escaped = false
        var i = text.startIndex
        while i < text.endIndex {
            let ch = text[i]
            if let q = quote {
                if escaped { escaped = false } else if ch == "\\" && q == "\"" { escaped = true } else if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == target {
                return i
            }
            i = text.index(after: i)
        }
        return nil
    }

    /// The text before an unquoted `#`.
    static func stripComment(_ line: Substring) -> Substring {
        firstUnquoted("#", in: line).map { line[..<$0] } ?? line
    }

    /// How often `needle` occurs (for counting `"""` and `'''` delimiters).
    static func count(of needle: String, in text: Substring) -> Int {
        var n = 0
        var rest = text
        while let r = rest.firstRange(of: needle) {
            n += 1
            rest = rest[r.upperBound...]
        }
        return n
    }
}
