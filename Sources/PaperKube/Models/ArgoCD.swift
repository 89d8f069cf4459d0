import Foundation

// MARK: - Argo CD

/// An Argo CD `Application` (`argoproj.io/v1alpha1`): where it deploys, its sync policy (with the
/// exact `spec.syncPolicy` JSON, so a pause can put it back as it was), its sync state and the
/// objects it tracks.
public struct ArgoApplication: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var project: String
    public var destinationNamespace: String?
    public var destinationServer: String?
    public var destinationName: String?
    /// `spec.syncPolicy` as read, or nil when the Application has none.
    public var syncPolicy: RawJSON?
    public var syncStatus: String?
    public var healthStatus: String?
    /// `status.resources`: what the Application tracks.
    public var resources: [ArgoResource]

    /// One entry of `status.resources`.
    public struct ArgoResource: Sendable, Equatable, Decodable {
        public var group: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var status: String?

        public init(group: String, kind: String, namespace: String, name: String, status: String? = nil) {
            self.group = group
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.status = status
        }

        enum CodingKeys: String, CodingKey { case group, kind, namespace, name, status }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            group = c.string(.group) ?? ""
            kind = c.string(.kind) ?? ""
            namespace = c.string(.namespace) ?? ""
            name = c.string(.name) ?? ""
            status = c.string(.status)
        }
    }

    public init(metadata: ObjectMeta, project: String = "default", destinationNamespace: String? = nil, syncPolicy: RawJSON? = nil,
                syncStatus: String? = nil, resources: [ArgoResource] = []) {
        self.metadata = metadata
        self.project = project
        self.destinationNamespace = destinationNamespace
        self.destinationServer = "https://kubernetes.default.svc"
        self.destinationName = nil
        self.syncPolicy = syncPolicy
        self.syncStatus = syncStatus
        self.healthStatus = nil
        self.resources = resources
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case project, destination, syncPolicy }
    enum DestinationKeys: String, CodingKey { case namespace, server, name }
    enum StatusKeys: String, CodingKey { case sync, health, resources }
    enum SyncKeys: String, CodingKey { case status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        project = spec?.string(.project) ?? "default"
        let destination = try? spec?.nestedContainer(keyedBy: DestinationKeys.self, forKey: .destination)
        destinationNamespace = destination?.string(.namespace)
        destinationServer = destination?.string(.server)
        destinationName = destination?.string(.name)
        syncPolicy = spec?.lenient(RawJSON.self, .syncPolicy).flatMap { $0 == .null ? nil : $0 }
        let status = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        syncStatus = (try? status?.nestedContainer(keyedBy: SyncKeys.self, forKey: .sync))?.string(.status)
        healthStatus = (try? status?.nestedContainer(keyedBy: SyncKeys.self, forKey: .health))?.string(.status)
        resources = status?.array(ArgoResource.self, .resources) ?? []
    }

    /// `namespace/name`.
    public var qualifiedName: String { "\(metadata.namespace ?? "")/\(metadata.name)" }

    /// Automated sync is on: `spec.syncPolicy.automated` is present and not `enabled: false` (Argo CD 3.1).
    public var autoSync: Bool {
        guard let automated = syncPolicy?["automated"], case .object = automated else { return false }
        return automated["enabled"] != .bool(false)
    }

    /// Self-heal is on: automated sync with `selfHeal: true`.
    public var selfHeal: Bool { autoSync && syncPolicy?["automated"]?["selfHeal"] == .bool(true) }

    /// Prune is on: automated sync with `prune: true`.
    public var prune: Bool { autoSync && syncPolicy?["automated"]?["prune"] == .bool(true) }

    /// The ApplicationSet that generated it (its controlling owner), if any.
    public var applicationSetOwner: String? {
        metadata.ownerReferences.first { $0.kind == "ApplicationSet" }?.name
    }

    /// Whether `status.resources` lists the object.
    public func tracks(group: String, kind: String, namespace: String, name: String) -> Bool {
        resources.contains { $0.group == group && $0.kind == kind && $0.name == name && ($0.namespace.isEmpty || $0.namespace == namespace) }
    }
}

// MARK: - Tracking id

/// Argo CD's annotation-based tracking (`argocd.argoproj.io/tracking-id`):
/// `<app>:<group>/<Kind>:<namespace>/<name>`. An Application outside Argo CD's own namespace is
/// named `<namespace>_<name>`.
public struct ArgoTrackingID: Sendable, Equatable {
    public static let annotation = "argocd.argoproj.io/tracking-id"
    /// The label older and upgraded setups track by; Helm and CNPG set it too.
    public static let instanceLabel = "app.kubernetes.io/instance"

    public var application: String
    /// The Application's namespace when the id names it (`ns_name`), else nil (Argo CD's own).
    public var applicationNamespace: String?
    public var group: String
    public var kind: String
    public var namespace: String
    public var name: String

    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty else { return nil }
        let app = parts[0]
        if let underscore = app.firstIndex(of: "_") {
            applicationNamespace = String(app[..<underscore])
            application = String(app[app.index(after: underscore)...])
        } else {
            applicationNamespace = nil
            application = app
        }
        let gk = parts[1].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let kind = gk.last, !kind.isEmpty else { return nil }
        self.kind = kind
        group = gk.count > 1 ? gk[0] : ""
        let nn = parts[2].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let name = nn.last, !name.isEmpty else { return nil }
        self.name = name
        namespace = nn.count > 1 ? nn[0] : ""
    }

    /// Whether it names `app` (its namespace must match when the id carries one).
    public func names(_ app: ArgoApplication) -> Bool {
        application == app.metadata.name && (applicationNamespace == nil || applicationNamespace == app.metadata.namespace)
    }
}

// MARK: - ApplicationSet

/// An Argo CD `ApplicationSet`: only what decides whether its controller puts back a change
/// made to a generated Application (`spec.ignoreApplicationDifferences`).
public struct ArgoApplicationSet: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var ignoreApplicationDifferences: [IgnoreRule]

    /// One `spec.ignoreApplicationDifferences[]` entry.
    public struct IgnoreRule: Sendable, Equatable, Decodable {
        /// The generated Application it is limited to; nil: every one.
        public var name: String?
        public var jsonPointers: [String]
        public var jqPathExpressions: [String]

        public init(name: String? = nil, jsonPointers: [String] = [], jqPathExpressions: [String] = []) {
            self.name = name
            self.jsonPointers = jsonPointers
            self.jqPathExpressions = jqPathExpressions
        }

        enum CodingKeys: String, CodingKey { case name, jsonPointers, jqPathExpressions }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = c.string(.name)
            jsonPointers = c.array(String.self, .jsonPointers)
            jqPathExpressions = c.array(String.self, .jqPathExpressions)
        }
    }

    public init(metadata: ObjectMeta, ignoreApplicationDifferences: [IgnoreRule] = []) {
        self.metadata = metadata
        self.ignoreApplicationDifferences = ignoreApplicationDifferences
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }
    enum SpecKeys: String, CodingKey { case ignoreApplicationDifferences }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        ignoreApplicationDifferences = spec?.array(IgnoreRule.self, .ignoreApplicationDifferences) ?? []
    }

    /// Whether its controller leaves `/spec/syncPolicy` of the Application `app` alone: a rule
    /// for every Application (or for `app`) names `/spec/syncPolicy` or a parent of it, by JSON
    /// pointer or jq path.
    public func ignoresSyncPolicy(of app: String) -> Bool {
        let covering: Set<String> = ["/spec/syncPolicy", "/spec", ""]
        let coveringJQ: Set<String> = [".spec.syncPolicy", ".spec", "."]
        return ignoreApplicationDifferences.contains { rule in
            (rule.name == nil || rule.name == app)
                && (rule.jsonPointers.contains { covering.contains(Self.trimmed($0)) } || rule.jqPathExpressions.contains { coveringJQ.contains($0.trimmingSpaces) })
        }
    }

    static func trimmed(_ pointer: String) -> String {
        var p = pointer.trimmingSpaces
        while p.hasSuffix("/") { p.removeLast() }
        return p
    }
}

// MARK: - AppProject

/// An Argo CD `AppProject`: its sync windows.
public struct ArgoAppProject: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var syncWindows: [ArgoSyncWindow]

    public init(metadata: ObjectMeta, syncWindows: [ArgoSyncWindow] = []) {
        self.metadata = metadata
        self.syncWindows = syncWindows
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }
    enum SpecKeys: String, CodingKey { case syncWindows }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        syncWindows = spec?.array(ArgoSyncWindow.self, .syncWindows) ?? []
    }

    /// The window that stops automated sync (self-heal included) of `app` at `now`: an active
    /// deny window naming it; or, when allow windows name it and none is active, the first of those.
    public func windowBlockingAutoSync(application: String, namespace: String?, server: String?, at now: Double) -> ArgoSyncWindow? {
        let mine = syncWindows.filter { $0.applies(application: application, namespace: namespace, server: server) }
        if let deny = mine.first(where: { $0.kind == "deny" && $0.isActive(at: now) }) { return deny }
        let allows = mine.filter { $0.kind == "allow" }
        if !allows.isEmpty, !allows.contains(where: { $0.isActive(at: now) }) { return allows.first }
        return nil
    }
}

/// One `spec.syncWindows[]` entry of an AppProject.
public struct ArgoSyncWindow: Sendable, Equatable, Decodable {
    public var kind: String
    public var schedule: String
    public var duration: String
    public var applications: [String]
    public var namespaces: [String]
    public var clusters: [String]
    public var manualSync: Bool
    public var timeZone: String?

    public init(kind: String, schedule: String, duration: String, applications: [String] = [], namespaces: [String] = [], clusters: [String] = [], manualSync: Bool = false, timeZone: String? = nil) {
        self.kind = kind
        self.schedule = schedule
        self.duration = duration
        self.applications = applications
        self.namespaces = namespaces
        self.clusters = clusters
        self.manualSync = manualSync
        self.timeZone = timeZone
    }

    enum CodingKeys: String, CodingKey { case kind, schedule, duration, applications, namespaces, clusters, manualSync, timeZone }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = c.string(.kind) ?? ""
        schedule = c.string(.schedule) ?? ""
        duration = c.string(.duration) ?? ""
        applications = c.array(String.self, .applications)
        namespaces = c.array(String.self, .namespaces)
        clusters = c.array(String.self, .clusters)
        manualSync = c.bool(.manualSync) ?? false
        timeZone = c.string(.timeZone)
    }

    /// Whether the window names the Application (by name, destination namespace or cluster; globs with `*`).
    public func applies(application: String, namespace: String?, server: String?) -> Bool {
        applications.contains { Self.glob($0, application) }
            || namespaces.contains { Self.glob($0, namespace ?? "") }
            || clusters.contains { Self.glob($0, server ?? "") }
    }

    /// Whether `now` falls in `[start, start + duration)` of the schedule's latest start.
    public func isActive(at now: Double) -> Bool {
        guard let seconds = GoDuration.seconds(duration), seconds > 0,
              let cron = try? CronSchedule(parsing: schedule, dialect: .kubernetes, timeZone: timeZone),
              let start = cron.previous(atOrBefore: now) else { return false }
        return now < start + seconds
    }

    /// `*` matches any run of characters; everything else literally.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if pi < p.count, p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
