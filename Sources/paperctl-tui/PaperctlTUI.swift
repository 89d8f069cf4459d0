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

    /// Like the default entry point, except that `check` reports a command line it cannot parse
    /// with status 3 (UNKNOWN), as monitoring plugins do, instead of the usual 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let isCheck = CommandLine.arguments.dropFirst().first == "check"
            if isCheck, exitCode(for: error) == .validationFailure {
                let message = fullMessage(for: error)
                FileDescriptorText.write(message + "\n", to: 2)
                Glibc.exit(3)
            }
            exit(withError: error)
        }
    }
}

/// Writes text to a file descriptor without Foundation.
enum FileDescriptorText {
    static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
