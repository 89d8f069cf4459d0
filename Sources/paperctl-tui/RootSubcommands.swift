import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
enum RootSubcommands {
    static let all: [any ParsableCommand.Type] = [DemoClusterCommand.self, CheckCommand.self]
}
