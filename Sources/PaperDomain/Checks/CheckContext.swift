import PaperKube

// MARK: - CheckContext

/// What a check may look at. `now` is injected so tests control the clock.
public struct CheckContext: Sendable {
    public var snapshot: Snapshot
    public var config: PaperConfig
    public var now: Double

    public init(snapshot: Snapshot, config: PaperConfig, now: Double) {
        self.snapshot = snapshot
        self.config = config
        self.now = now
    }

    /// The namespace, for commands.
    public var namespace: String { snapshot.target.namespace }

    /// A command line for the operator, aimed where the snapshot was read from: with
    /// `--kubeconfig` and `--context` when they were given, so it runs as printed.
    public func kubectl(_ words: String...) -> String { kubectl(words) }

    /// The same, with the words as an array.
    public func kubectl(_ words: [String]) -> String {
        var args = snapshot.target.connectionArguments
        // `-n` must precede a `--`: after it, words belong to the command run in the container.
        let end = words.firstIndex(of: "--") ?? words.endIndex
        args += words[..<end]
        args += ["-n", namespace]
        args += words[end...]
        return (["kubectl"] + args).map(KubectlCommand.shellQuoted).joined(separator: " ")
    }

    /// The same, in another namespace (the operator's `cnpg-system`).
    public func kubectl(in namespace: String, _ words: String...) -> String {
        let args = snapshot.target.connectionArguments + words + ["-n", namespace]
        return (["kubectl"] + args).map(KubectlCommand.shellQuoted).joined(separator: " ")
    }

    /// `paperctl-tui WORDS --kubeconfig … --context … -n NAMESPACE`, shell-quoted: this tool's own
    /// subcommand for a cause kubectl alone cannot fix (a restic lock).
    public func paperctl(_ words: String...) -> String { snapshot.target.paperctl(words) }

    /// `3h12m ago` style age of `time` relative to now.
    public func age(_ time: Double) -> String { UTCTime.humanDuration(now - time) }

    /// An "unknown" result explaining which data could not be read.
    public func unknown(_ id: CheckID, _ what: String, _ error: KubectlError, command: String? = nil) -> CheckResult {
        CheckResult(id: id, verdict: .unknown, reason: "cannot read \(what): \(error.description)", evidence: [], hint: Self.hint(for: error), command: command)
    }

    static func hint(for error: KubectlError) -> String {
        switch error {
        case .forbidden(let verb, let resource, _): "ask for RBAC permission to \(verb) \(resource), or accept that this check stays unknown"
        case .resourceTypeNotServed(let resource): "the CRD for \(resource) is not installed; install the operator or remove the check"
        case .timeout: "the API server is slow or unreachable; retry, or raise --timeout"
        case .unreachable(let detail) where detail.contains("localhost:8080"):
            "kubectl found no kubeconfig and fell back to localhost:8080: set KUBECONFIG or pass --kubeconfig (and --context)"
        case .unreachable: "check the VPN/network path to the API server and the kubeconfig server URL"
        case .unauthorized: "log in again / refresh the credentials for this context"
        case .notInstalled: "install kubectl or pass --kubectl PATH"
        default: "run the command by hand to see kubectl's full error"
        }
    }
}

extension KubeTarget {
    /// `paperctl-tui WORDS --kubeconfig … --context … -n NAMESPACE`, shell-quoted, for an operator to paste.
    public func paperctl(_ words: [String]) -> String {
        (["paperctl-tui"] + words + connectionArguments + ["-n", namespace]).map(KubectlCommand.shellQuoted).joined(separator: " ")
    }
}
