import ArgumentParser

/// How a command prints, one convention for every command: `--output` (`-o`) `table`, the
/// default, for people; `json` for scripts (snake_case keys, RFC 3339 times with a `_utc`
/// twin, see JSONOutput); `csv` for spreadsheets, the table's own columns (see TextTable.csv);
/// `markdown` for `report` only. Each command lists in its help the ones it prints, and refuses
/// the others by name. `--json`, the earlier spelling, still means `--output json`.
enum OutputFormat: String, ExpressibleByArgument, Sendable {
    case table, json, csv, markdown

    /// None listed by the parser: each command's help names the formats it prints.
    static var allValueStrings: [String] { [] }

    init?(argument: String) {
        // `text` was report's name for its table; a script that says it keeps working.
        self.init(rawValue: argument == "text" ? "table" : argument)
    }

    /// The format asked for, `--json` folded in, refused if this command does not print it.
    static func chosen(_ output: OutputFormat, json: Bool, allowed: [OutputFormat], command: String) throws -> OutputFormat {
        let format = json ? .json : output
        guard allowed.contains(format) else {
            let names = allowed.map(\.rawValue)
            throw CommandFailure("\(command) prints \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""), not \(format.rawValue)")
        }
        return format
    }

    /// The help line of a command's `--output`.
    static func help(_ allowed: [OutputFormat]) -> ArgumentHelp {
        let names = allowed.map(\.rawValue)
        return ArgumentHelp("How to print: \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "").", valueName: "format")
    }
}
