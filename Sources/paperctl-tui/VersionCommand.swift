import ArgumentParser
import Foundation
import PaperDomain
import PaperKube

// MARK: - BuildInfo

/// `BuildInfo.version` and `BuildInfo.commit` are generated before every build by
/// Sources/BuildInfoPlugin (from the git tag and commit, or $PAPERCTL_VERSION).
extension BuildInfo {
    /// What `--version` prints: `0.0.0-dev (8ff7f9c…)`, or `(unknown commit)` outside git.
    static var versionLine: String {
        commit == "unknown" ? "\(version) (unknown commit)" : "\(version) (\(commit))"
    }
}

// MARK: - VersionCommand

/// `paperctl-tui version`: the version, the commit, the kubectl the other commands would use and
/// its client version. Exits 0 whenever it printed the report, also when kubectl is missing or
/// does not answer: the report says so on its kubectl lines, and the commands that need kubectl
/// refuse to start with the same message.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version, the commit, and the kubectl that would be used with its client version."
    )

    @Option(name: .long, help: "kubectl executable (default: $PAPERCTL_KUBECTL, then PATH).")
    var kubectl: String?

    @Option(name: .long, help: "Seconds before `kubectl version --client` is killed.")
    var timeout: Double = 10

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
    }

    func run() async throws {
        let report = await VersionReport.gather(
            version: BuildInfo.version, commit: BuildInfo.commit, kubectlPath: kubectl,
            environment: ProcessInfo.processInfo.environment
        ) { KubectlRunner(executable: $0, timeout: timeout) }
        for line in report.lines { print(line) }
    }
}
