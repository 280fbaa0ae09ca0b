/// A parsed TOML document: its top table, and the text (as parsed: CRLF read as LF) whose
/// byte offsets its keys carry. Lines and columns are worked out only when asked, for a
/// message: reading 100,000 compact files, most of which have none, computed them for every key.
struct TOMLDocument {
    let root: TOMLTable
    let text: [UInt8]

    /// Line and column (both from 1; the column in Unicode scalars) of each offset asked for,
    /// with one pass to find where the lines start.
    func lineIndex() -> TOMLLineIndex { TOMLLineIndex(text: text) }

    /// One offset's line and column, counting from the start.
    static func location(at offset: Int, in text: [UInt8]) -> TOMLLocation {
        TOMLLineIndex(text: text).location(at: offset)
    }
}
