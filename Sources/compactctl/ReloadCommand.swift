import ArgumentParser
import CompactdCore
import CompactdSystemd

/// `compactctl reload`: ask the running daemon to re-read its configuration. With `--wait`,
/// wait for the outcome and exit non-zero with the error if the new configuration was refused
/// (the old one stays in force). The unit's ExecReload= runs `compactctl reload --wait`.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running compactd re-read and validate its configuration."
    )

    @Flag(help: "Wait until the reload finished; exit 1 with the error if it failed.")
    var wait = false

    @Option(help: "The daemon's control socket (default: $COMPACTD_CONTROL_SOCKET, $RUNTIME_DIRECTORY/control.sock, /run/compactd/control.sock).")
    var socket: String?

    static let formats: [OutputFormat] = [.table, .json]
    @Option(name: [.customShort("o"), .long], help: OutputFormat.help(formats)) var output: OutputFormat = .table
    @Flag(help: .hidden) var json = false

    func run() throws {
        let format = try OutputFormat.chosen(output, json: json, allowed: Self.formats, command: "reload")
        let path = socket ?? ControlSocket.defaultPath()
        let answer: String
        do {
            answer = try ControlSocket.send("reload", to: path, timeoutSeconds: wait ? 120 : 5)
        } catch {
            throw CommandFailure("\(error)")
        }
        if answer.hasPrefix("ok") {
            // No configuration is read here: times in the machine's zone.
            try ActionResult.print(format, command: "reload", result: "compactd: \(answer.dropFirst(3))", zone: (try? ZoneInfo.processLocal()) ?? .utc)
        } else {
            // Refused, with or without --wait: the caller (a script, ExecReload=) must see it.
            throw CommandFailure("compactd kept its previous configuration: \(answer.hasPrefix("error ") ? String(answer.dropFirst(6)) : answer)")
        }
    }
}
