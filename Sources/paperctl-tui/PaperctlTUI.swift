import ArgumentParser

/// The root command: argument parsing and wiring only.
@main
struct PaperctlTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paperctl-tui",
        abstract: "Incident dashboard and runbook for a Paperless-ngx deployment on Kubernetes.",
        subcommands: RootSubcommands.all,
        defaultSubcommand: DashboardCommand.self
    )
}
