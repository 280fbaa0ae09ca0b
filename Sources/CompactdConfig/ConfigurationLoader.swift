import CompactdCore
import Foundation

/// Reads `compactd.toml` and the compact files it names into a `Configuration`, strictly:
/// every problem in every file is reported, each with file, line, key and what was expected.
public struct ConfigurationLoader {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    static let mainKeys = ["time_zone", "state_path", "templates", "compacts", "catch_up", "policy", "delivery", "business_days", "holidays", "channels", "contacts", "goals", "http"]

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
        root.finish(known: Self.mainKeys)

        var compacts: [Compact] = []
        for pattern in compactPatterns {
            let matches = FileGlob.expand(resolvePath(pattern, relativeTo: baseDirectory))
            if matches.isEmpty {
                source.report("compacts", "pattern '\(pattern)' matches no file; expected compact files such as compacts/bell.toml", severity: .warning)
            }
            for file in matches {
                files.append(file)
                if let compact = readCompactFile(file, zone: zone, defaultPolicy: defaultPolicy, references: references, problems: problems) {
                    compacts.append(compact)
                }
            }
        }

        let configuration = Configuration(
            timeZone: zone, statePath: statePath, templatesDirectory: templates, catchUp: catchUp,
            defaultPolicy: defaultPolicy, delivery: delivery, businessCalendar: calendar, channels: channels,
            contacts: districtContacts, compacts: compacts, goals: goals, http: http, sourceFile: path
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
        guard let text = String(validating: data, as: UTF8.self) else {
            problems.add(ConfigProblem(file: path, key: "", message: "is not UTF-8 text; expected a TOML file"))
            return nil
        }
        let source = ConfigSourceFile(displayPath: path, text: text, problems: problems)
        do throws(TOMLSyntaxError) {
            let table = try TOMLParser.parse(text)
            source.document = table
            return (source, TOMLTableReader(table: table, path: "", source: source))
        } catch {
            problems.add(ConfigProblem(
                file: path, line: error.location.line, column: error.location.column, key: "",
                message: "TOML syntax error: \(error.message); expected valid TOML (https://toml.io)"
            ))
            return nil
        }
    }

    func resolvePath(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") || base.isEmpty { return path }
        return PathText.joining(base, path)
    }
}
