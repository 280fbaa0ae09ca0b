/// One configuration file being read: its name for messages, its source map, and the list of
/// problems found so far (shared by every reader of the file).
final class ConfigSourceFile {
    let displayPath: String
    let problems: ProblemList
    /// The parsed document, once it parsed: where each key was written.
    var document: TOMLDocument?
    /// Built the first time a problem needs a line number: most files have none.
    private(set) lazy var sourceMap = TOMLSourceMap(document: document)

    init(displayPath: String, problems: ProblemList) {
        self.displayPath = displayPath
        self.problems = problems
    }

    func report(_ key: String, _ message: String, severity: ConfigProblem.Severity = .error) {
        let location = key.isEmpty ? nil : sourceMap.location(of: key)
        problems.add(ConfigProblem(file: displayPath, line: location?.line, column: location?.column, key: key, message: message, severity: severity))
    }
}

/// Every problem found while loading, across files, in the order found.
final class ProblemList {
    private(set) var items: [ConfigProblem] = []

    func add(_ problem: ConfigProblem) { items.append(problem) }

    var hasErrors: Bool { items.contains { $0.severity == .error } }
}
