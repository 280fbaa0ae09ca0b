import CompactdCore

/// What a command that changes something prints with `--output json`: which command, the
/// one-line account a person would read (the daemon's own words for a write), the step keys it
/// concerned, and when. The table form prints the account alone.
struct ActionResult: Encodable {
    var command: String
    var result: String
    var steps: [String] = []
    var at: String
    var atUtc: String

    init(command: String, result: String, steps: [String] = [], at: Instant = .now, zone: ZoneInfo) {
        self.command = command
        self.result = result
        self.steps = steps
        self.at = JSONTime.local(at, zone)
        self.atUtc = JSONTime.utc(at)
    }

    /// Prints the result in the chosen format: the account alone, or this as JSON.
    static func print(_ format: OutputFormat, command: String, result: String, steps: [String] = [], zone: ZoneInfo, table: String? = nil) throws {
        if format == .json {
            Swift.print(try JSONOutput.encode(ActionResult(command: command, result: result, steps: steps, zone: zone)))
        } else {
            Swift.print(table ?? result)
        }
    }
}
