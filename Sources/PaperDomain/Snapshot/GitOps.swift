import PaperKube

// MARK: - GitOps

/// Which Argo CD Application (or Applications) manage the namespace's app Deployment and backup
/// CronJob, with what a restore must know before it scales the app or suspends the CronJob:
/// the sync policy (its exact JSON kept, so a pause can put it back as it was), who would put
/// the policy back (an ApplicationSet, a self-healing parent), and an active deny sync window.
///
/// "unknown" and "none" differ: unknown when Applications could not be read (RBAC), none when
/// the Applications API is not served or no Application manages the objects.
public enum GitOps: Sendable, Equatable {
    case managed([ArgoManagement])
    case none(reason: String)
    case unknown(reason: String)

    /// Reads the snapshot's Applications, ApplicationSets and AppProjects.
    public static func detect(_ snapshot: Snapshot, config: PaperConfig) -> GitOps {
        let ns = snapshot.target.namespace
        let deployment = snapshot.deployments.first { $0.metadata.name == config.app.deployment }
        let cronJob = snapshot.cronJobs.first { $0.metadata.name == config.fileBackup.cronJob }
        let objects: [(kind: String, group: String, name: String, meta: ObjectMeta?)] = [
            ("Deployment", "apps", config.app.deployment, deployment?.metadata),
            ("CronJob", "batch", config.fileBackup.cronJob, cronJob?.metadata),
        ]
        let trackedBy = objects.compactMap { o in o.meta?.annotations[ArgoTrackingID.annotation].flatMap(ArgoTrackingID.init) }

        if let error = snapshot.whyUnreadable(.argoApplication) {
            switch error {
            case .resourceTypeNotServed:
                // Tracked, but no Applications here: Argo CD may run on another cluster.
                if let id = trackedBy.first {
                    return .unknown(reason: "tracked by Argo CD app \(id.application); no Applications API here")
                }
                return .none(reason: "no Argo CD Applications API")
            case .forbidden:
                return .unknown(reason: "applications.argoproj.io forbidden")
            default:
                return .unknown(reason: "applications.argoproj.io: \(error.code)")
            }
        }

        var found: [String: ArgoManagement] = [:]
        var order: [String] = []
        func note(_ app: ArgoApplication, _ managed: ArgoManagement.ManagedObject) {
            let key = app.qualifiedName
            if found[key] == nil {
                found[key] = ArgoManagement(application: app)
                order.append(key)
            }
            if found[key]?.manages.contains(where: { $0.kind == managed.kind && $0.name == managed.name }) == false {
                found[key]?.manages.append(managed)
            }
        }
        let apps = snapshot.argoApplications
        for o in objects {
            let annotation = o.meta?.annotations[ArgoTrackingID.annotation].flatMap(ArgoTrackingID.init)
            let label = o.meta?.labels[ArgoTrackingID.instanceLabel]
            for app in apps {
                if let id = annotation, id.names(app), id.kind == o.kind, id.name == o.name {
                    note(app, .init(kind: o.kind, name: o.name, evidence: .trackingAnnotation))
                } else if app.tracks(group: o.group, kind: o.kind, namespace: ns, name: o.name) {
                    note(app, .init(kind: o.kind, name: o.name, evidence: .statusResources))
                } else if annotation == nil, let label, label == app.metadata.name, app.destinationNamespace == ns {
                    // The instance label alone is Helm's and CNPG's too: trusted only with an Application of
                    // that name deploying to this namespace.
                    note(app, .init(kind: o.kind, name: o.name, evidence: .instanceLabel))
                }
            }
        }
        guard !order.isEmpty else {
            if let id = trackedBy.first {
                return .unknown(reason: "tracked by Argo CD app \(id.application), no such Application")
            }
            return .none(reason: "no Argo CD Application manages \(config.app.deployment) or \(config.fileBackup.cronJob)")
        }
        var out: [ArgoManagement] = []
        for key in order {
            guard var m = found[key] else { continue }
            m.resolveOwners(snapshot)
            out.append(m)
        }
        return .managed(out)
    }

    /// The dashboard's lines (the Pods panel): per Application its summary, then indented what
    /// stands behind its sync policy; or the reason for none or unknown. Each fits 78 columns
    /// with the names of the runbook's deployment.
    public var lines: [String] {
        switch self {
        case .managed(let apps): apps.flatMap { ["GitOps: " + $0.summary] + $0.details.map { "  " + $0 } }
        case .none(let reason): ["GitOps: none (\(reason))"]
        case .unknown(let reason): ["GitOps: unknown (\(reason))"]
        }
    }
}

// MARK: - ArgoManagement

/// One Application that manages the app, and what stands behind its sync policy.
public struct ArgoManagement: Sendable, Equatable {
    /// How the Application was tied to the object.
    public enum Evidence: String, Sendable, Equatable, Codable {
        case trackingAnnotation = "tracking-id"
        case instanceLabel = "instance-label"
        case statusResources = "status.resources"
    }

    public struct ManagedObject: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var evidence: Evidence
    }

    /// Who would put the Application's sync policy back after a pause.
    public enum Owner: Sendable, Equatable {
        /// The generating ApplicationSet; `ignoresSyncPolicy` nil when it could not be read.
        case applicationSet(namespace: String, name: String, ignoresSyncPolicy: Bool?)
        /// An Application that tracks this one.
        case parent(namespace: String, name: String, selfHeal: Bool)
    }

    /// The Application as read (its `syncPolicy` is the exact JSON to put back after a pause).
    public var application: ArgoApplication
    public var manages: [ManagedObject] = []
    public var owners: [Owner] = []
    /// The AppProject's window that stops automated sync now, if any.
    public var blockingWindow: ArgoSyncWindow?
    /// Why the AppProject's windows are not known (not found or unreadable), if so.
    public var projectUnknown: String?

    public init(application: ArgoApplication) {
        self.application = application
    }

    public var autoSync: Bool { application.autoSync }
    public var selfHeal: Bool { application.selfHeal }
    public var prune: Bool { application.prune }
    /// `spec.syncPolicy` exactly as read; nil when the Application has none.
    public var syncPolicyJSON: String? { application.syncPolicy?.text }

    /// Whether a pause of this Application's auto-sync would be put back by someone else.
    public var pauseWouldBeReverted: Bool {
        owners.contains { owner in
            switch owner {
            case .applicationSet(_, _, let ignores): ignores != true
            case .parent(_, _, let selfHeal): selfHeal
            }
        }
    }

    mutating func resolveOwners(_ snapshot: Snapshot) {
        let app = application
        let appNS = app.metadata.namespace ?? ""
        if let setName = app.applicationSetOwner {
            let set = snapshot.argoApplicationSets.first { $0.metadata.name == setName && $0.metadata.namespace == app.metadata.namespace }
            let ignores: Bool? = set.map { $0.ignoresSyncPolicy(of: app.metadata.name) }
            owners.append(.applicationSet(namespace: appNS, name: setName, ignoresSyncPolicy: ignores))
        }
        let selfID = app.metadata.annotations[ArgoTrackingID.annotation].flatMap(ArgoTrackingID.init)
        for parent in snapshot.argoApplications where parent.qualifiedName != app.qualifiedName {
            let byID = selfID.map { $0.kind == "Application" && $0.names(parent) } ?? false
            let byResources = parent.tracks(group: "argoproj.io", kind: "Application", namespace: appNS, name: app.metadata.name)
            if byID || byResources {
                owners.append(.parent(namespace: parent.metadata.namespace ?? "", name: parent.metadata.name, selfHeal: parent.selfHeal))
            }
        }
        if let error = snapshot.whyUnreadable(.argoAppProject) {
            projectUnknown = "appprojects.argoproj.io \(error.code)"
        } else if let project = snapshot.argoAppProjects.first(where: { $0.metadata.name == app.project && $0.metadata.namespace == app.metadata.namespace })
                    ?? snapshot.argoAppProjects.first(where: { $0.metadata.name == app.project }) {
            blockingWindow = project.windowBlockingAutoSync(application: app.metadata.name, namespace: app.destinationNamespace,
                                                            server: app.destinationServer, at: snapshot.takenAt)
        } else if app.project != "default" {
            projectUnknown = "AppProject \(app.project) not found"
        }
    }

    /// `Argo CD app argocd/paperless-ngx · auto-sync · self-heal`, and `OutOfSync` when it is.
    public var summary: String {
        var parts = ["Argo CD app \(application.qualifiedName)"]
        if autoSync {
            parts.append("auto-sync")
            if selfHeal { parts.append("self-heal") }
        } else {
            parts.append("manual sync")
        }
        if let sync = application.syncStatus, sync != "Synced" { parts.append(sync) }
        return parts.joined(separator: " · ")
    }

    /// What stands behind the sync policy: the owners that would put it back, a window that
    /// stops automated sync now, or why the windows are unknown.
    public var details: [String] {
        var out: [String] = []
        for owner in owners {
            switch owner {
            case .applicationSet(_, let name, let ignores):
                out.append("from ApplicationSet \(name): " + (ignores == true ? "ignores /spec/syncPolicy" : ignores == false ? "puts syncPolicy back" : "unreadable"))
            case .parent(let pns, let name, let selfHeal):
                out.append("parent app \(pns)/\(name): " + (selfHeal ? "self-heals, puts syncPolicy back" : "no self-heal"))
            }
        }
        if let window = blockingWindow {
            out.append(window.kind == "deny" ? "deny sync window active: no automated sync now" : "outside its allow sync windows: no automated sync now")
        }
        if let why = projectUnknown { out.append("sync windows unknown: \(why)") }
        return out
    }
}

// MARK: - GitOpsReport

/// The `gitops` object of `check --json`: the same facts as the dashboard's line.
public struct GitOpsReport: Sendable, Equatable, Codable {
    /// `managed`, `none` or `unknown`.
    public var status: String
    public var reason: String?
    public var applications: [Application]

    public struct Application: Sendable, Equatable, Codable {
        public var namespace: String
        public var name: String
        public var project: String
        public var autoSync: Bool
        public var selfHeal: Bool
        public var prune: Bool
        public var syncStatus: String?
        /// `spec.syncPolicy` exactly as read (null when the Application has none).
        public var syncPolicy: RawJSON?
        public var manages: [Managed]
        public var applicationSet: ApplicationSet?
        public var parents: [Parent]
        public var blockingSyncWindow: Window?
        public var projectUnknown: String?
        /// A pause of auto-sync would be put back by the ApplicationSet or a self-healing parent.
        public var pauseWouldBeReverted: Bool
    }

    public struct Managed: Sendable, Equatable, Codable {
        public var kind: String
        public var name: String
        public var evidence: ArgoManagement.Evidence
    }

    public struct ApplicationSet: Sendable, Equatable, Codable {
        public var namespace: String
        public var name: String
        /// nil when the ApplicationSet could not be read.
        public var ignoresSyncPolicy: Bool?
    }

    public struct Parent: Sendable, Equatable, Codable {
        public var namespace: String
        public var name: String
        public var selfHeal: Bool
    }

    public struct Window: Sendable, Equatable, Codable {
        public var kind: String
        public var schedule: String
        public var duration: String
    }

    public init(_ gitops: GitOps) {
        switch gitops {
        case .none(let reason):
            status = "none"
            self.reason = reason
            applications = []
        case .unknown(let reason):
            status = "unknown"
            self.reason = reason
            applications = []
        case .managed(let apps):
            status = "managed"
            reason = nil
            applications = apps.map { m in
                var set: ApplicationSet?
                var parents: [Parent] = []
                for owner in m.owners {
                    switch owner {
                    case .applicationSet(let ns, let name, let ignores): set = ApplicationSet(namespace: ns, name: name, ignoresSyncPolicy: ignores)
                    case .parent(let ns, let name, let selfHeal): parents.append(Parent(namespace: ns, name: name, selfHeal: selfHeal))
                    }
                }
                return Application(
                    namespace: m.application.metadata.namespace ?? "", name: m.application.metadata.name, project: m.application.project,
                    autoSync: m.autoSync, selfHeal: m.selfHeal, prune: m.prune, syncStatus: m.application.syncStatus,
                    syncPolicy: m.application.syncPolicy, manages: m.manages.map { Managed(kind: $0.kind, name: $0.name, evidence: $0.evidence) },
                    applicationSet: set, parents: parents,
                    blockingSyncWindow: m.blockingWindow.map { Window(kind: $0.kind, schedule: $0.schedule, duration: $0.duration) },
                    projectUnknown: m.projectUnknown, pauseWouldBeReverted: m.pauseWouldBeReverted)
            }
        }
    }
}
