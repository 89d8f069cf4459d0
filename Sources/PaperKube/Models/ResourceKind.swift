// MARK: - ResourceKind

/// Every resource type the snapshot reads, with the names kubectl and discovery use for it.
public enum ResourceKind: String, Sendable, CaseIterable, Codable, Hashable {
    case pod, deployment, job, cronJob, persistentVolumeClaim, event, networkPolicy, ingress, configMap, lease
    case cnpgCluster, cnpgBackup, cnpgScheduledBackup, barmanObjectStore
    case externalSecret, secretStore, clusterSecretStore
    case argoApplication, argoApplicationSet, argoAppProject

    /// The plural resource name (`backups`).
    public var resource: String {
        switch self {
        case .pod: "pods"
        case .deployment: "deployments"
        case .job: "jobs"
        case .cronJob: "cronjobs"
        case .persistentVolumeClaim: "persistentvolumeclaims"
        case .event: "events"
        case .networkPolicy: "networkpolicies"
        case .ingress: "ingresses"
        case .configMap: "configmaps"
        case .lease: "leases"
        case .cnpgCluster: "clusters"
        case .cnpgBackup: "backups"
        case .cnpgScheduledBackup: "scheduledbackups"
        case .barmanObjectStore: "objectstores"
        case .externalSecret: "externalsecrets"
        case .secretStore: "secretstores"
        case .clusterSecretStore: "clustersecretstores"
        case .argoApplication: "applications"
        case .argoApplicationSet: "applicationsets"
        case .argoAppProject: "appprojects"
        }
    }

    /// The API group, empty for the core group.
    public var group: String {
        switch self {
        case .pod, .persistentVolumeClaim, .event, .configMap: ""
        case .lease: "coordination.k8s.io"
        case .deployment: "apps"
        case .job, .cronJob: "batch"
        case .networkPolicy, .ingress: "networking.k8s.io"
        case .cnpgCluster, .cnpgBackup, .cnpgScheduledBackup: "postgresql.cnpg.io"
        case .barmanObjectStore: "barmancloud.cnpg.io"
        case .externalSecret, .secretStore, .clusterSecretStore: "external-secrets.io"
        case .argoApplication, .argoApplicationSet, .argoAppProject: "argoproj.io"
        }
    }

    /// `resource.group` (or just `resource` for core): unambiguous for `kubectl get`, and the
    /// form `kubectl api-resources -o name` prints.
    public var qualifiedName: String { group.isEmpty ? resource : "\(resource).\(group)" }

    /// The `kind` field of objects of this type.
    public var kind: String {
        switch self {
        case .pod: "Pod"
        case .deployment: "Deployment"
        case .job: "Job"
        case .cronJob: "CronJob"
        case .persistentVolumeClaim: "PersistentVolumeClaim"
        case .event: "Event"
        case .networkPolicy: "NetworkPolicy"
        case .ingress: "Ingress"
        case .configMap: "ConfigMap"
        case .lease: "Lease"
        case .cnpgCluster: "Cluster"
        case .cnpgBackup: "Backup"
        case .cnpgScheduledBackup: "ScheduledBackup"
        case .barmanObjectStore: "ObjectStore"
        case .externalSecret: "ExternalSecret"
        case .secretStore: "SecretStore"
        case .clusterSecretStore: "ClusterSecretStore"
        case .argoApplication: "Application"
        case .argoApplicationSet: "ApplicationSet"
        case .argoAppProject: "AppProject"
        }
    }

    /// Provided by an operator's CRD, so possibly absent from a cluster.
    public var isCustomResource: Bool {
        switch self {
        case .cnpgCluster, .cnpgBackup, .cnpgScheduledBackup, .barmanObjectStore, .externalSecret, .secretStore, .clusterSecretStore: true
        case .argoApplication, .argoApplicationSet, .argoAppProject: true
        default: false
        }
    }

    /// Provided by an add-on many clusters run without (the Barman Cloud plugin's ObjectStore,
    /// Argo CD): its absence is normal, so it is not "wanted" from a cached discovery.
    public var isOptionalAddOn: Bool {
        self == .barmanObjectStore || readAcrossNamespaces
    }

    /// Read in every namespace, not only the target's: Argo CD's objects live in its own
    /// namespace (usually `argocd`), away from the app they manage.
    public var readAcrossNamespaces: Bool {
        switch self {
        case .argoApplication, .argoApplicationSet, .argoAppProject: true
        default: false
        }
    }

    /// The kind for a `qualifiedName` or a forbidden error's `resource.group`.
    public init?(qualifiedName: String) {
        guard let match = Self.allCases.first(where: { $0.qualifiedName == qualifiedName || ($0.group.isEmpty && $0.resource == qualifiedName) }) else { return nil }
        self = match
    }

    /// The kind for an object's `kind` and `apiVersion` fields.
    public init?(kind: String, apiVersion: String) {
        let group = apiVersion.contains("/") ? String(apiVersion.prefix { $0 != "/" }) : ""
        guard let match = Self.allCases.first(where: { $0.kind == kind && $0.group == group }) else { return nil }
        self = match
    }
}
