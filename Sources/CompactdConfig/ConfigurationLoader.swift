import CompactdCore
import Foundation

/// Reads `compactd.toml` and the compact files it names into a `Configuration`, strictly:
/// every problem in every file is reported, each with file, line, key and what was expected.
public struct ConfigurationLoader: Sendable {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    static let mainKeys = ["time_zone", "state_path", "templates", "compacts", "catch_up", "policy", "delivery", "business_days", "holidays", "channels", "contacts", "goals", "http", "state"]

    /// Loads and validates; throws with every error found (warnings ride along when there
    /// are errors too).
    public func load(path: String) throws(ConfigError) -> LoadedConfiguration {
        let problems = ProblemList()
        var files = [path]
        guard let (source, root) = parseFile(path, problems: problems) else { throw ConfigError(problems: problems.items) }
        let baseDirectory = PathText.directory(of: path)

        var zone = ZoneInfo.utc
        let zoneName = root.string("time_zone", expected: "an IANA time zone such as \"America/Los_Angeles\"") ?? "America/Los_Angeles"
        do {
            zone = try ZoneInfo.named(zoneName)
        } catch {
            root.report("time_zone", "unknown time zone '\(zoneName)'; expected an IANA name such as \"America/Los_Angeles\" or \"UTC\"")
        }
        let statePath = resolvePath(root.text("state_path") ?? "/var/lib/compactd/compactd.sqlite", relativeTo: baseDirectory)
        let templates = resolvePath(root.text("templates") ?? "templates", relativeTo: baseDirectory)
        let compactPatterns = root.stringArray("compacts", expected: "an array of file patterns such as [\"compacts/*.toml\"]") ?? ["compacts/*.toml"]
        let catchUp = root.timeSpan("catch_up") ?? TimeSpan(days: 3)

        let channels = readChannels(root)
        let districtContacts = readContacts(root.tableArray("contacts"), scope: "district")
        let calendar = readBusinessCalendar(root, zone: zone)
        let goals = readGoals(root)
        let references = ReferenceResolver(channels: channels, districtContacts: districtContacts)
        var defaultPolicy = ReminderPolicy.standard
        if let policyTable = root.table("policy") {
            defaultPolicy = readPolicy(policyTable, base: .standard, references: references, compactContacts: [])
            policyTable.finish(known: Self.policyKeys)
        }
        let delivery = root.table("delivery").map(readDelivery) ?? DeliverySettings()
        let http = root.table("http").flatMap { readHTTP($0, baseDirectory: baseDirectory) }
        let state = root.table("state").map { readState($0, baseDirectory: baseDirectory, http: http) } ?? StateSettings()
        root.finish(known: Self.mainKeys)

        var compactFiles: [String] = []
        for pattern in compactPatterns {
            let matches = FileGlob.expand(resolvePath(pattern, relativeTo: baseDirectory))
            if matches.isEmpty {
                source.report("compacts", "pattern '\(pattern)' matches no file; expected compact files such as compacts/bell.toml", severity: .warning)
            }
            if compactFiles.isEmpty { compactFiles = matches } else { compactFiles += matches }
        }
        files += compactFiles
        // Each compact file is read on its own (they share nothing but what is read-only), so on
        // every core at once; compacts and problems are then taken in file order, as if read
        // one after the other (measured at 10,000 files: about half the time on 2 cores).
        let (fileZone, filePolicy) = (zone, defaultPolicy)
        let shared = SharedParts()
        let (compacts, found) = readConcurrently(compactFiles) { file in
            let local = ProblemList()
            let compact = readCompactFile(file, zone: fileZone, defaultPolicy: filePolicy, references: references, shared: shared, problems: local)
            return (compact.map(shared.share), local.items)
        }
        for problem in found { problems.add(problem) }

        let configuration = Configuration(
            timeZone: zone, statePath: statePath, templatesDirectory: templates, catchUp: catchUp,
            defaultPolicy: defaultPolicy, delivery: delivery, businessCalendar: calendar, channels: channels,
            contacts: districtContacts, compacts: compacts, goals: goals, http: http, state: state, sourceFile: path
        )
        validateAcrossFiles(configuration, mainSource: source, problems: problems)
        if problems.hasErrors { throw ConfigError(problems: problems.items, templatesDirectory: templates) }
        return LoadedConfiguration(configuration: configuration, warnings: problems.items, files: files)
    }

    /// Reads and parses one TOML file, reporting unreadable files and syntax errors.
    func parseFile(_ path: String, problems: ProblemList) -> (ConfigSourceFile, TOMLTableReader)? {
        guard let data = FileBytes.read(path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (permissions? larger than 16 MiB?)" : "does not exist"
            problems.add(ConfigProblem(file: path, key: "", message: "\(reason); expected a readable TOML file"))
            return nil
        }
        guard UTF8Text.isValid(data) else {
            problems.add(ConfigProblem(file: path, key: "", message: "is not UTF-8 text; expected a TOML file"))
            return nil
        }
        let source = ConfigSourceFile(displayPath: path, problems: problems)
        do throws(TOMLSyntaxError) {
            let document = try TOMLParser.parseDocument(utf8: data)
            source.document = document
            return (source, TOMLTableReader(document: document.root, source: source))
        } catch {
            problems.add(ConfigProblem(
                file: path, line: error.location.line, column: error.location.column, key: "",
                message: "TOML syntax error: \(error.message); expected valid TOML (https://toml.io)"
            ))
            return nil
        }
    }

    /// `read` of every file, on all cores: the compacts read and the problems found, in the
    /// files' order, as if read one after the other. Small lists are read in line: a thread's
    /// start costs more than a file.
    func readConcurrently(_ paths: [String], _ read: @Sendable (String) -> (Compact?, [ConfigProblem])) -> (compacts: [Compact], problems: [ConfigProblem]) {
        var compacts: [Compact] = []
        compacts.reserveCapacity(paths.count)
        var problems: [ConfigProblem] = []
        func take(_ result: consuming (compact: Compact?, problems: [ConfigProblem])) {
            problems += result.problems
            if let compact = result.compact { compacts.append(compact) }
        }
        guard paths.count >= 64 else {
            for path in paths { take(read(path)) }
            return (compacts, problems)
        }
        // Slots of our own rather than an array of results: each result is moved out, where
        // an array's were copied out and then destroyed with it (at 100,000 compacts, about
        // 0.04 s after the files were read, on one core: perf).
        let slots = UnsafeMutableBufferPointer<(Compact?, [ConfigProblem])>.allocate(capacity: paths.count)
        defer { slots.deallocate() }
        let chunk = 32
        // Each slot is initialized by exactly one iteration.
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: (paths.count + chunk - 1) / chunk) { n in
            for index in (n * chunk)..<min(paths.count, (n + 1) * chunk) {
                (shared.baseAddress! + index).initialize(to: read(paths[index]))
            }
        }
        for index in 0..<paths.count { take((slots.baseAddress! + index).move()) }
        return (compacts, problems)
    }

    func resolvePath(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") || base.isEmpty { return path }
        return PathText.joining(base, path)
    }
}
