import Foundation

// MARK: - KubectlCommand

/// One kubectl invocation as a value: the exact argument array plus how it is logged.
///
/// Arguments are never joined into a shell string; the runner hands the array to `execve`
/// as it is. `displayLine` exists only to show the operator what ran.
public struct KubectlCommand: Sendable, Equatable, Hashable {
    /// How a command appears in the command log.
    public enum LogPolicy: Sendable, Equatable, Hashable {
        /// A periodic read (snapshot, logs): logged quietly.
        case backgroundRead
        /// An operator action: logged under a title and shown with its exact command line.
        case action(title: String)
    }

    /// Everything after the executable name, e.g. `["--namespace", "paperless-ngx", "get", …]`.
    public var arguments: [String]
    public var logPolicy: LogPolicy
    /// Bytes written to kubectl's standard input (e.g. the JSON for `create -f -`), or nil for none.
    public var stdin: Data?
    /// Variables added to kubectl's inherited environment: Go runtime tuning only, never
    /// credentials. Not part of `displayLine`: they change how fast kubectl runs, not what it does.
    public var environment: [String: String]

    public init(arguments: [String], logPolicy: LogPolicy = .backgroundRead, stdin: Data? = nil, environment: [String: String] = [:]) {
        self.arguments = arguments
        self.logPolicy = logPolicy
        self.stdin = stdin
        self.environment = environment
    }

    /// The same command with Go's scheduler held to one thread (`GOMAXPROCS=1`).
    ///
    /// For small reads that run next to the batched `get`: kubectl's start-up and garbage
    /// collector otherwise spread over every core and slow the `get` the snapshot waits for.
    public func singleThreaded() -> KubectlCommand {
        var copy = self
        copy.environment["GOMAXPROCS"] = "1"
        return copy
    }

    /// The command line as an operator would type it, each argument shell-quoted when needed.
    public var displayLine: String {
        (["kubectl"] + arguments).map(Self.shellQuoted).joined(separator: " ")
    }

    /// `word` quoted for a POSIX shell when it contains anything but safe characters.
    public static func shellQuoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ",", "=", ":", "@", "%", "+": return true
            default: return false
            }
        }
        if safe && !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

// MARK: - Factories

extension KubectlCommand {
    /// `kubectl get TYPE1,TYPE2,… -o json` in the target namespace, or with `allNamespaces`
    /// `kubectl get TYPE1,… -A -o json` in every namespace.
    public static func get(_ resources: [String], target: KubeTarget, selector: String? = nil, allNamespaces: Bool = false) -> KubectlCommand {
        var args = allNamespaces
            ? target.connectionArguments + ["get", resources.joined(separator: ","), "-A", "-o", "json"]
            : target.globalArguments + ["get", resources.joined(separator: ","), "-o", "json"]
        if let selector, !selector.isEmpty { args += ["--selector", selector] }
        return KubectlCommand(arguments: args)
    }

    /// `kubectl version --client -o json`: kubectl's own version; no cluster is contacted.
    public static func clientVersion() -> KubectlCommand {
        KubectlCommand(arguments: ["version", "--client", "-o", "json"])
    }

    /// `kubectl api-resources -o name`: every resource type the server serves, one per line.
    public static func apiResources(target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + ["api-resources", "-o", "name"])
    }

    /// `kubectl logs WORKLOAD -c CONTAINER --since=… --timestamps`, never the mesh sidecar.
    ///
    /// With `podRunningTimeout`, kubectl gives up that fast when the workload has no running
    /// pod (scaled to zero during a restore) instead of waiting its default 20 s.
    public static func logs(
        workload: String, container: String, sinceSeconds: Int, target: KubeTarget, tail: Int? = nil, podRunningTimeout: Int? = nil
    ) -> KubectlCommand {
        var args = target.globalArguments + ["logs", workload, "-c", container, "--since=\(Self.goDuration(sinceSeconds))", "--timestamps"]
        if let podRunningTimeout { args.append("--pod-running-timeout=\(Self.goDuration(podRunningTimeout))") }
        if let tail { args.append("--tail=\(tail)") }
        return KubectlCommand(arguments: args)
    }

    /// `kubectl logs -f WORKLOAD -c CONTAINER --timestamps` from `--since=…` (a window in
    /// seconds) or, when resuming, `--since-time=…`; it gives up after 2 s when no pod runs.
    public static func followLogs(workload: String, container: String, sinceSeconds: Int, resumeAt: Double?, target: KubeTarget) -> KubectlCommand {
        var args = target.globalArguments + ["logs", workload, "-c", container, "-f", "--timestamps", "--pod-running-timeout=2s"]
        if let resumeAt {
            args.append("--since-time=\(UTCTime.rfc3339Nano(resumeAt))")
        } else {
            args.append("--since=\(Self.goDuration(sinceSeconds))")
        }
        return KubectlCommand(arguments: args)
    }

    /// `kubectl get --raw /api/v1/namespaces/NS/pods/POD/log?container=…&sinceSeconds=…&timestamps=true`:
    /// one pod's log in one request, with none of the discovery and lookups `kubectl logs deploy/…`
    /// makes first. The text is the same as `kubectl logs POD -c CONTAINER --since=… --timestamps`.
    public static func podLog(pod: String, container: String, sinceSeconds: Int, target: KubeTarget) -> KubectlCommand {
        let args = target.connectionArguments
        var path = URLComponents()
        path.path = "/api/v1/namespaces/\(target.namespace)/pods/\(pod)/log"
        path.queryItems = [
            URLQueryItem(name: "container", value: container),
            URLQueryItem(name: "sinceSeconds", value: String(max(sinceSeconds, 1))),
            URLQueryItem(name: "timestamps", value: "true"),
        ]
        return KubectlCommand(arguments: args + ["get", "--raw", path.string ?? path.path])
    }

    /// `kubectl get --raw '/api/v1/namespaces/NS/pods/POD/log?…&follow=true'`: one pod's log,
    /// followed, from `sinceSeconds` ago or (resuming) from `resumeAt`. The dashboard carries it
    /// through its proxy, where it costs no process.
    public static func podLogFollow(pod: String, container: String, sinceSeconds: Int, resumeAt: Double?, target: KubeTarget) -> KubectlCommand {
        var path = URLComponents()
        path.path = "/api/v1/namespaces/\(target.namespace)/pods/\(pod)/log"
        path.queryItems = [
            URLQueryItem(name: "container", value: container),
            URLQueryItem(name: "follow", value: "true"),
            URLQueryItem(name: "timestamps", value: "true"),
            resumeAt.map { URLQueryItem(name: "sinceTime", value: UTCTime.rfc3339($0)) } ?? URLQueryItem(name: "sinceSeconds", value: String(max(sinceSeconds, 1))),
        ]
        return KubectlCommand(arguments: target.connectionArguments + ["get", "--raw", path.string ?? path.path])
    }

    /// `kubectl proxy` on a unix socket, read-only: every write method rejected, and only the
    /// paths the dashboard reads accepted — the namespace's objects (and their watches), API
    /// discovery, the kubelet stats proxy of nodes, the cluster-wide ExternalSecret stores, and
    /// Argo CD's Applications, ApplicationSets and AppProjects in every namespace;
    /// Secrets, exec and attach are rejected even inside the namespace.
    /// Every credential stays inside kubectl.
    public static func readOnlyProxy(socket: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + [
            "proxy", "--unix-socket", socket, "--reject-methods", "POST,PUT,PATCH,DELETE",
            "--accept-paths", readOnlyProxyPaths(namespace: target.namespace).joined(separator: ","),
            // Never, whatever the list above grows into: exec, attach, port-forward, the pod and
            // service proxies (a port-forward to Postgres through the dashboard's socket), Secrets.
            "--reject-paths", readOnlyProxyRejections.joined(separator: ","),
        ], logPolicy: .backgroundRead)
    }

    /// What the dashboard's proxy carries, and nothing else: the collections of the types it
    /// lists and watches (each at any version: ESO serves v1 or v1beta1), the app pod's log,
    /// discovery, the server version, the kubelet's stats summary and the cluster-wide stores.
    /// A single object by name, any other subresource and any other namespace are refused.
    public static func readOnlyProxyPaths(namespace: String) -> [String] {
        let ns = NSRegularExpression.escapedPattern(for: namespace)
        let core = ResourceKind.allCases.filter { $0.group.isEmpty }.map(\.resource).sorted()
        let grouped = Dictionary(grouping: ResourceKind.allCases.filter { !$0.group.isEmpty && $0 != .clusterSecretStore && !$0.readAcrossNamespaces }, by: \.group)
        let across = Dictionary(grouping: ResourceKind.allCases.filter(\.readAcrossNamespaces), by: \.group)
        var paths = [
            "^/api/v1/namespaces/\(ns)/(\(core.joined(separator: "|")))/?$",
            "^/api/v1/namespaces/\(ns)/pods/[^/]+/log$",
        ]
        for (group, kinds) in grouped.sorted(by: { $0.key < $1.key }) {
            let escaped = NSRegularExpression.escapedPattern(for: group)
            paths.append("^/apis/\(escaped)/[^/]+/namespaces/\(ns)/(\(kinds.map(\.resource).sorted().joined(separator: "|")))/?$")
        }
        // Argo CD's Applications, ApplicationSets and AppProjects, listed in every namespace.
        for (group, kinds) in across.sorted(by: { $0.key < $1.key }) {
            let escaped = NSRegularExpression.escapedPattern(for: group)
            paths.append("^/apis/\(escaped)/[^/]+/(\(kinds.map(\.resource).sorted().joined(separator: "|")))/?$")
        }
        return paths + [
            "^/api/?$", "^/apis/?$", "^/apis/[^/]+/?$", "^/apis/[^/]+/[^/]+/?$", "^/api/v1/?$", "^/version/?$",
            "^/api/v1/nodes/[^/]+/proxy/stats/summary$",
            "^/apis/external-secrets\\.io/[^/]+/clustersecretstores/?$",
        ]
    }

    static let readOnlyProxyRejections = [
        "^/api/.*/pods/.*/exec", "^/api/.*/pods/.*/attach", "^/api/.*/pods/.*/portforward",
        "^/api/v1/namespaces/[^/]+/(pods|services)/[^/]+/proxy(/.*)?$",
        "^/api/v1/namespaces/[^/]+/secrets(/.*)?$", "^/api/v1/secrets(/.*)?$",
    ]

    /// The last `tailLines` lines of one container of a (finished) pod, in one raw request: the
    /// failed backup's own words.
    public static func podLogTail(pod: String, container: String, tailLines: Int, target: KubeTarget) -> KubectlCommand {
        var path = URLComponents()
        path.path = "/api/v1/namespaces/\(target.namespace)/pods/\(pod)/log"
        path.queryItems = [URLQueryItem(name: "container", value: container), URLQueryItem(name: "tailLines", value: String(max(tailLines, 1)))]
        return KubectlCommand(arguments: target.connectionArguments + ["get", "--raw", path.string ?? path.path])
    }

    /// `kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary`: the kubelet's volume stats.
    public static func nodeStatsSummary(node: String, target: KubeTarget) -> KubectlCommand {
        KubectlCommand(arguments: target.connectionArguments + ["get", "--raw", "/api/v1/nodes/\(node)/proxy/stats/summary"])
    }

    /// `3600` → `1h`, `90` → `90s`, `300` → `5m`: the form kubectl's `--since` accepts.
    public static func goDuration(_ seconds: Int) -> String {
        if seconds > 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(max(seconds, 1))s"
    }
}
