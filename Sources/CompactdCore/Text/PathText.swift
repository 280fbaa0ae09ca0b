/// File path arithmetic on strings, as `NSString`'s path methods do it, without Foundation.
public enum PathText {
    /// The folder part: "/etc/compactd/compactd.toml" → "/etc/compactd", "/compactd.toml" → "/",
    /// "compactd.toml" → "" (trailing slashes ignored, as NSString's
    /// `deletingLastPathComponent` does).
    public static func directory(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var folder = path[..<slash]
        while folder.count > 1 && folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    /// `component` inside `folder`, with exactly one slash between them.
    public static func joining(_ folder: String, _ component: String) -> String {
        if folder.isEmpty { return component }
        var folder = Substring(folder)
        while folder.hasSuffix("/") && folder.count > 1 { folder = folder.dropLast() }
        let component = component.drop { $0 == "/" }
        return folder == "/" ? "/" + component : folder + "/" + component
    }
}
