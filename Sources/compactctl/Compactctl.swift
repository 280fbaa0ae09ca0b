import ArgumentParser
import CompactdCore

/// The operator's command line for compactd.
@main
struct Compactctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compactctl",
        abstract: "Inspect and operate compactd, the Education Compact review scheduler.",
        version: "compactctl \(CompactdVersion.current)",
        subcommands: [
            CheckCommand.self,
            AgendaCommand.self,
            CalendarCommand.self,
            SendTestCommand.self,
            ReloadCommand.self,
            AckCommand.self,
            UnackCommand.self,
            SnoozeCommand.self,
            UnsnoozeCommand.self,
            StatusCommand.self,
            HistoryCommand.self,
            RetryCommand.self,
            ReportCommand.self,
            ExportCommand.self,
            RenderCommand.self,
            StateCommand.self,
        ]
    )
}
