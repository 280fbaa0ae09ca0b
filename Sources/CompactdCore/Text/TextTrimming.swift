/// Trimming without Foundation's `CharacterSet`, whose Unicode tables (CoreFoundation's) a
/// daemon would otherwise map in at start for a handful of trims.
extension StringProtocol {
    /// Without leading and trailing white space and line breaks (`Character.isWhitespace`).
    public func trimmingWhitespace() -> String {
        trimming { $0.isWhitespace }
    }

    /// Without the leading and trailing characters `drop` accepts.
    public func trimming(while drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }) else { return "" }
        let last = lastIndex(where: { !drop($0) })!
        return String(self[first...last])
    }
}
