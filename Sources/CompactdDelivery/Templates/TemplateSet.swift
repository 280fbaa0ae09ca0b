import Foundation
import Mustache

/// The message templates, one set per language: `<folder>/<language>/<kind>.<part>.mustache`,
/// where kind is reminder, overdue, escalation or test, and part is subject, text or html.
/// A contact gets their language's template, else English. Text parts are not escaped; HTML
/// parts are.
public struct TemplateSet: Sendable {
    public static let kinds = ["reminder", "overdue", "escalation", "test"]
    public static let parts = ["subject", "text", "html"]
    public static let languages = ["en", "es"]

    private var templates: [String: MustacheTemplate] = [:]
    public private(set) var problems: [TemplateProblem] = []

    /// Reads and checks every template. Problems are collected, not thrown: `check` lists
    /// them all, and the daemon refuses to start (or reload) while any is an error.
    public init(directory: String) {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath()
        for language in Self.languages {
            for kind in Self.kinds {
                for part in Self.parts {
                    let name = "\(language)/\(kind).\(part).mustache"
                    let file = root.appendingPathComponent(name)
                    let resolved = file.resolvingSymlinksInPath()
                    guard FileManager.default.fileExists(atPath: file.path) else {
                        if language == "en" {
                            problems.append(TemplateProblem(file: file.path, message: "missing; expected the English \(part) template for \(kind) notices"))
                        }
                        continue
                    }
                    guard resolved.path.hasPrefix(root.path + "/") else {
                        problems.append(TemplateProblem(file: file.path, message: "points outside the template folder \(root.path); refused"))
                        continue
                    }
                    guard let data = FileManager.default.contents(atPath: resolved.path), let source = String(data: data, encoding: .utf8) else {
                        problems.append(TemplateProblem(file: file.path, message: "cannot be read as UTF-8 text"))
                        continue
                    }
                    for issue in Self.unknownTags(in: source) {
                        problems.append(TemplateProblem(file: file.path, message: issue))
                    }
                    do {
                        let text = part == "html" ? source : "{{% CONTENT_TYPE: TEXT}}" + source
                        templates[name] = try MustacheTemplate(string: text)
                    } catch {
                        problems.append(TemplateProblem(file: file.path, message: "is not a valid mustache template: \(error)"))
                    }
                }
            }
        }
    }

    public var hasErrors: Bool { problems.contains { !$0.isWarning } }

    /// Renders a notice for a language, falling back to English part by part.
    public func render(kind: String, language: String, values: [String: Any]) -> RenderedNotice? {
        func part(_ name: String) -> String? {
            let template = templates["\(language)/\(kind).\(name).mustache"] ?? templates["en/\(kind).\(name).mustache"]
            return template?.render(values)
        }
        guard let subject = part("subject"), let text = part("text"), let html = part("html") else { return nil }
        // A subject is one line, whatever the template or the data say.
        let oneLine = subject.split(whereSeparator: { $0.isNewline }).joined(separator: " ").trimmingWhitespace()
        return RenderedNotice(subject: oneLine, text: text, html: html, language: templates["\(language)/\(kind).subject.mustache"] == nil ? "en" : language)
    }

    /// Variables and sections whose names compactd does not provide, and partials (which
    /// could read other files).
    static func unknownTags(in source: String) -> [String] {
        var issues: [String] = []
        var rest = Substring(source)
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                issues.append("has an unclosed {{ tag")
                break
            }
            var tag = rest[open.upperBound..<close.lowerBound].trimmingWhitespace()
            rest = rest[close.upperBound...]
            if rest.hasPrefix("}") { rest = rest.dropFirst() }
            guard let first = tag.first else { continue }
            switch first {
            case "!", "%": continue
            case ">":
                issues.append("uses a partial ({{\(tag)}}); partials are not allowed, they could read files outside the template folder")
                continue
            case "#", "^", "/", "&", "{":
                tag = tag.dropFirst().trimming { $0 == " " || $0 == "}" }
            default: break
            }
            let name = tag.split(separator: ".").first.map(String.init) ?? tag
            if tag != "." && !NoticeTemplateContext.variables.contains(name) {
                issues.append("uses unknown variable '\(tag)'; expected one of \(NoticeTemplateContext.variables.sorted().joined(separator: ", "))")
            }
        }
        return issues
    }
}
