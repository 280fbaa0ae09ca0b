import ArgumentParser

struct AgendaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agenda", abstract: "List what will be sent.")
    func run() throws {}
}
