import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
enum RootSubcommands {
    static let all: [any ParsableCommand.Type] = [DashboardCommand.self, CheckCommand.self, BackupCommand.self, RestoreCommand.self, ReportCommand.self, DemoClusterCommand.self, VersionCommand.self]
}
