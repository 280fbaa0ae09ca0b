/// Levenshtein distance, for "did you mean" suggestions (configuration keys, command options).
public enum EditDistance {
    public static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    /// The candidate closest to `word`, when it is close enough to be what was meant.
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        guard let closest = candidates.min(by: { between($0, word) < between($1, word) }) else { return nil }
        return between(closest, word) <= max(2, word.count / 3) ? closest : nil
    }
}
