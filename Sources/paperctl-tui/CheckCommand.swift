import ArgumentParser
import Foundation
import PaperDomain
import PaperKube

// MARK: - CheckCommand

/// `paperctl-tui check`: runs the runbook's health checks once and exits with the
/// Nagios-style status (0 ok, 1 warn, 2 critical, 3 unknown). Needs no terminal.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the runbook's health checks once; exit 0 ok, 1 warn, 2 critical, 3 unknown.",
        discussion: """
            Checks (ids for --check):
            \(CheckID.allCases.map { "  \($0.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0))\($0.summary)" }.joined(separator: "\n"))

            The overall verdict is the worst one: critical, then warn, then unknown, then ok. A check whose data cannot be read (forbidden, CRD missing, timeout) says unknown and why; it never says ok. Output has no colours and needs no terminal, so the command can run from cron or a monitoring agent. Usage and config errors exit 3 (unknown).
            """
    )

    @OptionGroup var kube: KubeOptions

    @Flag(name: .long, help: "Print one JSON document instead of the table.")
    var json = false

    @Option(name: .customLong("check"), help: "Run only this check (repeatable). Default: all.")
    var checkIDs: [String] = []

    @Flag(name: .long, help: "Show evidence for every check, not only the ones that are not OK.")
    var verbose = false

    func run() async throws {
        let unknownIDs = checkIDs.filter { CheckID(rawValue: $0) == nil }
        guard unknownIDs.isEmpty else {
            let valid = CheckID.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("paperctl-tui: unknown check id \(unknownIDs.map { "\"\($0)\"" }.joined(separator: ", ")); valid ids: \(valid)\n".utf8))
            throw ExitCode(Verdict.unknown.exitCode)
        }
        let config: PaperConfig
        do {
            config = try ConfigLoader.load(explicitPath: kube.config)
        } catch {
            FileHandle.standardError.write(Data("paperctl-tui: config refused: \(error.description)\n".utf8))
            throw ExitCode(Verdict.unknown.exitCode)
        }
        let target = kube.cluster.target(config)
        let report = await CheckSession.report(
            config: config, target: target, kubectlPath: kube.kubectl, timeout: kube.timeout,
            only: checkIDs.compactMap(CheckID.init(rawValue:)),
            discovery: DiscoveryCache(directory: DiscoveryCache.defaultDirectory())
        )
        print(json ? report.json() : report.table(verbose: verbose), terminator: json ? "\n" : "")
        throw ExitCode(report.exitCode)
    }
}

// MARK: - ClusterOptions

/// Which kubectl, cluster, namespace and config file: the options every cluster-facing
/// subcommand accepts.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: "kubectl executable (default: $PAPERCTL_KUBECTL, then PATH).")
    var kubectl: String?

    @Option(name: .long, help: "kubeconfig context (default: the current context).")
    var context: String?

    @Option(name: [.customShort("n"), .long], help: "Namespace (default: from the config, paperless-ngx).")
    var namespace: String?

    @Option(name: .long, help: "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .long, help: "Config file (default: $XDG_CONFIG_HOME/paperctl/config.yaml).")
    var config: String?

    /// The kubectl target: the flags given, and the config's namespace when `-n` was not.
    ///
    /// Without `--context`, the kubeconfig's current context is named from the start: every call
    /// of the session goes to the cluster it started on (even if the current context is switched
    /// meanwhile), and every command printed for the operator to paste carries it, so a shell
    /// whose current context is another cluster cannot act on the wrong one.
    func target(_ paperConfig: PaperConfig, environment: [String: String] = ProcessInfo.processInfo.environment) -> KubeTarget {
        KubeTarget(kubeconfig: kubeconfig, context: context ?? KubeconfigContext.current(kubeconfig: kubeconfig, environment: environment),
                   namespace: namespace ?? paperConfig.namespace)
    }
}

// MARK: - KubeOptions

/// `ClusterOptions` plus `--timeout` for each kubectl call (`check` and the dashboard).
struct KubeOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Seconds before a kubectl call is killed (default: 10, or timeoutSeconds in the config).")
    var timeout: Double?

    var kubectl: String? { cluster.kubectl }
    var context: String? { cluster.context }
    var namespace: String? { cluster.namespace }
    var kubeconfig: String? { cluster.kubeconfig }
    var config: String? { cluster.config }

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout <= 600) {
            throw ValidationError("--timeout must be between 0 and 600 seconds")
        }
    }
}
