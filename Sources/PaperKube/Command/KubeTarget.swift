// MARK: - KubeTarget

/// Which cluster, credentials and namespace every kubectl call is aimed at.
///
/// Each value that is set becomes a global kubectl flag (`--kubeconfig`, `--context`,
/// `--namespace`). Values left `nil` are not passed, so kubectl falls back to `KUBECONFIG`
/// and the current context exactly as a kubectl user expects.
public struct KubeTarget: Sendable, Equatable, Codable {
    /// The kubeconfig file passed as `--kubeconfig`, or `nil` for kubectl's own lookup.
    public var kubeconfig: String?
    /// The context passed as `--context`, or `nil` for the current context.
    public var context: String?
    /// The namespace passed as `--namespace`; the deployment's namespace.
    public var namespace: String

    public init(kubeconfig: String? = nil, context: String? = nil, namespace: String) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
    }

    /// The global flags, in a fixed order, that precede every subcommand.
    public var globalArguments: [String] { connectionArguments + ["--namespace", namespace] }

    /// `--kubeconfig` and `--context` only, for calls that take no namespace (`--raw`,
    /// `api-resources`) or that put `-n` last, the way an operator types it.
    public var connectionArguments: [String] {
        var args: [String] = []
        if let kubeconfig, !kubeconfig.isEmpty { args += ["--kubeconfig", kubeconfig] }
        if let context, !context.isEmpty { args += ["--context", context] }
        return args
    }
}
