/// The language of a page: `?lang=` first, then the browser's `Accept-Language` (the first of
/// English and Spanish it names, by quality), else English.
enum PageLanguage: String, Sendable {
    case en, es

    static func choose(query: String?, acceptLanguage: String?) -> PageLanguage {
        if let query, let chosen = PageLanguage(rawValue: query.lowercased()) { return chosen }
        guard let acceptLanguage else { return .en }
        var best: (PageLanguage, Double)?
        for part in acceptLanguage.split(separator: ",") {
            let pieces = part.split(separator: ";").map { String($0).trimmingWhitespace() }
            guard let tag = pieces.first?.lowercased() else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = PageLanguage(rawValue: primary) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") { quality = Double(parameter.dropFirst(2)) ?? 0 }
            if quality > 0, quality > (best?.1 ?? -1) { best = (language, quality) }
        }
        return best?.0 ?? .en
    }

    /// Says a thing in this language.
    func say(_ english: String, _ spanish: String) -> String { self == .en ? english : spanish }
}
