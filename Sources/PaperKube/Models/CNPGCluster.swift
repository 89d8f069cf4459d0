import Foundation

// MARK: - CNPGCluster

/// A CloudNativePG `postgresql.cnpg.io/v1` Cluster: health, instances and backup status.
public struct CNPGCluster: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var instances: Int?
    /// How the cluster is configured to back up: in-tree `barmanObjectStore`, a plugin, or none.
    public var backupConfiguration: BackupConfiguration
    /// The Secret `spec.backup.barmanObjectStore.s3Credentials` names (its access key's), when set.
    public var credentialsSecret: String?
    public var phase: String?
    public var phaseReason: String?
    public var readyInstances: Int?
    public var statusInstances: Int?
    public var currentPrimary: String?
    /// `status.targetPrimary`: the instance CNPG wants as primary; `pending` while a failover is being decided.
    public var targetPrimary: String?
    /// `status.timelineID`: above 1 once the cluster has failed over or switched over.
    public var timelineID: Int?
    /// `status.instancesReportedState`: what each instance said of itself at the last reconciliation.
    public var instancesReportedState: [String: ReportedState]
    /// `spec.storage.size` and `spec.walStorage.size` (`5Gi`), for the volume an operator grows.
    public var storageSize: String?
    public var walStorageSize: String?
    public var conditions: [Condition]
    public var firstRecoverabilityPoint: Double?
    public var lastSuccessfulBackup: Double?
    public var lastFailedBackup: Double?

    public init(metadata: ObjectMeta, instances: Int = 1, backupConfiguration: BackupConfiguration = .barmanObjectStore(destinationPath: nil), phase: String? = CNPGCluster.healthyPhase, readyInstances: Int? = 1, conditions: [Condition] = []) {
        self.metadata = metadata
        self.instances = instances
        self.backupConfiguration = backupConfiguration
        self.phase = phase
        self.phaseReason = nil
        self.readyInstances = readyInstances
        self.statusInstances = instances
        self.currentPrimary = nil
        self.targetPrimary = nil
        self.timelineID = nil
        self.instancesReportedState = [:]
        self.storageSize = nil
        self.walStorageSize = nil
        self.conditions = conditions
        self.firstRecoverabilityPoint = nil
        self.lastSuccessfulBackup = nil
        self.lastFailedBackup = nil
    }

    /// The phase string CNPG reports for a healthy cluster.
    public static let healthyPhase = "Cluster in healthy state"
    /// `status.targetPrimary` while CNPG decides which instance to promote.
    public static let pendingFailover = "pending"
    /// The annotations CNPG fences and hibernates with (`pkg/utils/labels_annotations.go`).
    public static let fencedInstancesAnnotation = "cnpg.io/fencedInstances"
    public static let hibernationAnnotation = "cnpg.io/hibernation"

    /// One entry of `status.instancesReportedState`.
    public struct ReportedState: Sendable, Equatable, Decodable {
        public var isPrimary: Bool
        public var timeLineID: Int?
        public init(isPrimary: Bool, timeLineID: Int? = nil) {
            self.isPrimary = isPrimary
            self.timeLineID = timeLineID
        }
        enum CodingKeys: String, CodingKey { case isPrimary, timeLineID }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            isPrimary = c.bool(.isPrimary) ?? false
            timeLineID = c.int(.timeLineID)
        }
    }

    /// The fenced instances from the `cnpg.io/fencedInstances` annotation (a JSON list; `*` fences
    /// every instance): nil without the annotation, `.invalid` when CNPG could not read it either.
    public var fencing: Fencing? {
        guard let text = metadata.annotations[Self.fencedInstancesAnnotation] else { return nil }
        guard let data = text.data(using: .utf8), let list = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else { return .invalid(text) }
        let names = list.compactMap { $0 as? String }
        guard names.count == list.count else { return .invalid(text) }
        if names.isEmpty { return nil }
        return names.contains("*") ? .all : .instances(names.sorted())
    }

    public enum Fencing: Sendable, Equatable {
        case all
        case instances([String])
        case invalid(String)
    }

    /// `cnpg.io/hibernation: on`: every instance is shut down, the PVCs kept.
    public var isHibernated: Bool { metadata.annotations[Self.hibernationAnnotation] == "on" }

    /// The instances that say they are primary, sorted.
    public var reportedPrimaries: [String] { instancesReportedState.filter(\.value.isPrimary).map(\.key).sorted() }

    /// The timeline the cluster is on: `status.timelineID`, else the highest an instance reports.
    public var timeline: Int? { timelineID ?? instancesReportedState.values.compactMap(\.timeLineID).max() }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case instances, backup, plugins, storage, walStorage }
    enum StorageKeys: String, CodingKey { case size }
    enum BackupKeys: String, CodingKey { case barmanObjectStore, volumeSnapshot }
    enum StoreKeys: String, CodingKey { case destinationPath, s3Credentials }
    enum CredentialsKeys: String, CodingKey { case accessKeyId }
    enum SecretRefKeys: String, CodingKey { case name }
    enum StatusKeys: String, CodingKey {
        case phase, phaseReason, readyInstances, instances, currentPrimary, targetPrimary, timelineID, instancesReportedState, conditions
        case firstRecoverabilityPoint, lastSuccessfulBackup, lastFailedBackup
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        instances = spec?.int(.instances)
        storageSize = (try? spec?.nestedContainer(keyedBy: StorageKeys.self, forKey: .storage))?.string(.size)
        walStorageSize = (try? spec?.nestedContainer(keyedBy: StorageKeys.self, forKey: .walStorage))?.string(.size)
        let plugins = spec?.array(ClusterPlugin.self, .plugins) ?? []
        let backup = try? spec?.nestedContainer(keyedBy: BackupKeys.self, forKey: .backup)
        if let archiver = plugins.first(where: { $0.isWALArchiver }) ?? plugins.first(where: { $0.name.contains("barman") }) {
            backupConfiguration = .plugin(name: archiver.name, objectStore: archiver.parameters["barmanObjectName"], serverName: archiver.parameters["serverName"])
        } else if let store = try? backup?.nestedContainer(keyedBy: StoreKeys.self, forKey: .barmanObjectStore) {
            backupConfiguration = .barmanObjectStore(destinationPath: store.string(.destinationPath))
            credentialsSecret = Self.accessKeySecret(try? store.nestedContainer(keyedBy: CredentialsKeys.self, forKey: .s3Credentials))
        } else if backup?.contains(.volumeSnapshot) == true {
            backupConfiguration = .volumeSnapshot
        } else {
            backupConfiguration = .none
        }
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        phase = s?.string(.phase)
        phaseReason = s?.string(.phaseReason)
        readyInstances = s?.int(.readyInstances)
        statusInstances = s?.int(.instances)
        currentPrimary = s?.string(.currentPrimary)
        targetPrimary = s?.string(.targetPrimary)
        timelineID = s?.int(.timelineID)
        instancesReportedState = s?.object([String: ReportedState].self, .instancesReportedState) ?? [:]
        conditions = s?.array(Condition.self, .conditions) ?? []
        firstRecoverabilityPoint = s?.time(.firstRecoverabilityPoint)
        lastSuccessfulBackup = s?.time(.lastSuccessfulBackup)
        lastFailedBackup = s?.time(.lastFailedBackup)
    }

    /// The server name the backups are stored under (plugin parameter, else the cluster name).
    public var backupServerName: String {
        if case .plugin(_, _, let serverName?) = backupConfiguration, !serverName.isEmpty { return serverName }
        return metadata.name
    }

    /// `accessKeyId.name` of an `s3Credentials` block.
    static func accessKeySecret(_ credentials: KeyedDecodingContainer<CredentialsKeys>?) -> String? {
        (try? credentials?.nestedContainer(keyedBy: SecretRefKeys.self, forKey: .accessKeyId))?.string(.name)
    }
}

// MARK: - ClusterPlugin

/// `spec.plugins[]` of a Cluster.
struct ClusterPlugin: Decodable {
    let name: String
    let isWALArchiver: Bool
    let parameters: [String: String]
    enum CodingKeys: String, CodingKey { case name, isWALArchiver, parameters, enabled }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.string(.name) ?? ""
        isWALArchiver = c.bool(.isWALArchiver) ?? false
        parameters = c.stringMap(.parameters)
    }
}
