import Foundation

/// How wide the terminal on standard output is, for text that should wrap to it; nil when the
/// output is not a terminal (a pipe, a file: the text is left as it is).
enum TerminalWidth {
    static func current() -> Int? {
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 20 { return columns }
        return 80
    }
}

extension String {
    /// Each line wrapped at spaces to `width` columns; continuation lines keep the line's
    /// indentation, two more spaces when it is a list item ("- ").
    func wrapped(to width: Int) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            let indent = line.prefix { $0 == " " }
            let hanging = String(indent) + (line.dropFirst(indent.count).hasPrefix("- ") ? "  " : "")
            var out: [String] = []
            var current = ""
            for word in line.dropFirst(indent.count).split(separator: " ") {
                let candidate = current.isEmpty ? (out.isEmpty ? String(indent) : hanging) + word : current + " " + word
                if candidate.count > width && !current.isEmpty {
                    out.append(current)
                    current = hanging + word
                } else {
                    current = candidate
                }
            }
            out.append(current)
            return out.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
