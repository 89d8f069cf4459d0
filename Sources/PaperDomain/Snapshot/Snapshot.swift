import PaperKube

// MARK: - Snapshot

/// Everything known about the deployment at one moment, as typed objects.
///
/// Each resource type has a read status: a type that was forbidden, not served (CRD missing)
/// or timed out is marked so, and the checks that need it say "unknown" with that reason
/// rather than treating "no objects" as "nothing wrong".
public struct Snapshot: Sendable {
    /// When the snapshot was taken (seconds since the epoch).
    public var takenAt: Double
    public var target: KubeTarget
    public var pods: [Pod] = []
    public var deployments: [Deployment] = []
    public var jobs: [Job] = []
    public var cronJobs: [CronJob] = []
    public var persistentVolumeClaims: [PersistentVolumeClaim] = []
    public var events: [KubeEvent] = []
    public var networkPolicies: [NetworkPolicy] = []
    public var ingresses: [Ingress] = []
    /// The ConfigMaps this tool wrote keep their data (the drill record); others only their names.
    public var configMaps: [ConfigMap] = []
    public var leases: [Lease] = []
    /// The tail of the log of the newest backup Job's pod, read only when that Job failed.
    public var failedBackupLog: FailedJobLog?
    public var clusters: [CNPGCluster] = []
    public var backups: [CNPGBackup] = []
    public var scheduledBackups: [CNPGScheduledBackup] = []
    public var objectStores: [BarmanObjectStore] = []
    public var externalSecrets: [ExternalSecret] = []
    public var secretStores: [SecretStore] = []
    /// Argo CD's objects in every namespace the reader may list (see `ResourceKind.readAcrossNamespaces`).
    public var argoApplications: [ArgoApplication] = []
    public var argoApplicationSets: [ArgoApplicationSet] = []
    public var argoAppProjects: [ArgoAppProject] = []
    /// Types that could not be read, and why. A type absent from here was read.
    public var unreadable: [ResourceKind: KubectlError] = [:]
    /// The app container's recent log lines.
    public var logs: Fetched<[LogLine]> = .skipped("not fetched")
    /// Kubelet volume stats, one summary per node that runs a pod mounting a watched PVC.
    public var volumeStats: Fetched<[KubeletStatsSummary]> = .skipped("not fetched")
    /// How many kubectl processes this snapshot cost.
    public var processCount = 0

    public init(takenAt: Double, target: KubeTarget) {
        self.takenAt = takenAt
        self.target = target
    }

    /// Why `kind` could not be read, or `nil` when it was.
    public func whyUnreadable(_ kind: ResourceKind) -> KubectlError? { unreadable[kind] }

    /// The first error among `kinds`, for checks that need several types.
    public func whyUnreadable(_ kinds: [ResourceKind]) -> KubectlError? {
        kinds.lazy.compactMap { unreadable[$0] }.first
    }

    /// Adds decoded objects to the typed arrays.
    public mutating func add(_ objects: [KubeObject]) {
        for object in objects {
            switch object {
            case .pod(let v): pods.append(v)
            case .deployment(let v): deployments.append(v)
            case .job(let v): jobs.append(v)
            case .cronJob(let v): cronJobs.append(v)
            case .persistentVolumeClaim(let v): persistentVolumeClaims.append(v)
            case .event(let v): events.append(v)
            case .networkPolicy(let v): networkPolicies.append(v)
            case .ingress(let v): ingresses.append(v)
            case .configMap(let v): configMaps.append(v)
            case .lease(let v): leases.append(v)
            case .cnpgCluster(let v): clusters.append(v)
            case .cnpgBackup(let v): backups.append(v)
            case .cnpgScheduledBackup(let v): scheduledBackups.append(v)
            case .barmanObjectStore(let v): objectStores.append(v)
            case .externalSecret(let v): externalSecrets.append(v)
            case .secretStore(let v): secretStores.append(v)
            case .argoApplication(let v): argoApplications.append(v)
            case .argoApplicationSet(let v): argoApplicationSets.append(v)
            case .argoAppProject(let v): argoAppProjects.append(v)
            case .other: break
            }
        }
    }

    /// Marks every type as unreadable for the same reason (cluster down, credentials expired).
    public mutating func markAllUnreadable(_ error: KubectlError, logs logsToo: Bool = true) {
        for kind in ResourceKind.allCases { unreadable[kind] = error }
        if logsToo {
            logs = .failed(error)
            volumeStats = .failed(error)
        }
    }
}

// MARK: - FailedJobLog

/// The last lines a failed Job's pod printed (or why they could not be read).
public struct FailedJobLog: Sendable, Equatable {
    public var job: String
    public var pod: String
    public var container: String
    public var log: Result<String, KubectlError>

    public init(job: String, pod: String, container: String, log: Result<String, KubectlError>) {
        self.job = job
        self.pod = pod
        self.container = container
        self.log = log
    }
}
