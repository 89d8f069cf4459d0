// MARK: - ServingConfig

/// What the API server serves and how it misbehaves: the scenario decides, the handler obeys.
public struct ServingConfig: Sendable {
    /// The resource types served (missing CRDs are simply absent).
    public var kinds: [ServedResource]
    /// The user the bearer token maps to, quoted in RBAC denials.
    public var user: String = "demo-operator"
    /// Returns true when RBAC denies (verb, group, resource, subresource).
    public var isForbidden: @Sendable (_ verb: String, _ group: String, _ resource: String, _ subresource: String?) -> Bool = { _, _, _, _ in false }
    /// Every request waits this long before it is answered.
    public var latency: Double = 0
    /// Requests are accepted but never answered.
    public var unresponsive = false
    /// Every request is answered 401 (expired credentials).
    public var unauthorized = false
    /// Print one line per request to stderr.
    public var logRequests = false
    /// The version `/version` reports.
    public var serverVersion = (major: "1", minor: "32", git: "v1.32.4")

    public init(kinds: [ServedResource]) {
        self.kinds = kinds
    }
}
