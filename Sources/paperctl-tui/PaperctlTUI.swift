import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The root command: argument parsing and wiring only.
@main
struct PaperctlTUI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paperctl-tui",
        abstract: "Incident dashboard and runbook for a Paperless-ngx deployment on Kubernetes.",
        version: BuildInfo.versionLine,
        subcommands: RootSubcommands.all,
        defaultSubcommand: DashboardCommand.self
    )

    /// Like the default entry point, except that a command line the parser refuses exits with a
    /// documented status instead of argument-parser's 64: 3 (UNKNOWN) for `check` and the
    /// dashboard, as monitoring plugins do (the dashboard prints `check`'s report without a
    /// terminal), and 1 ("nothing started") for `backup`, `restore`, `demo-cluster` and `version`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileDescriptorText.write(fullMessage(for: error) + "\n", to: 2)
                Glibc.exit(usageErrorStatus(arguments: Array(CommandLine.arguments.dropFirst())))
            }
            exit(withError: error)
        }
    }

    /// The exit status for a refused command line, from the subcommand it names (none: the dashboard).
    static func usageErrorStatus(arguments: [String]) -> Int32 {
        let names = RootSubcommands.all.map { $0.configuration.commandName ?? "" }
        let subcommand = arguments.first { names.contains($0) } ?? DashboardCommand.configuration.commandName
        return subcommand == CheckCommand.configuration.commandName || subcommand == DashboardCommand.configuration.commandName ? 3 : 1
    }
}

/// Writes text to a file descriptor without Foundation.
enum FileDescriptorText {
    static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
