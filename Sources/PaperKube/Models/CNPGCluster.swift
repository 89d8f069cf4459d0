// MARK: - CNPGCluster

/// A CloudNativePG `postgresql.cnpg.io/v1` Cluster: health, instances and backup status.
public struct CNPGCluster: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var instances: Int?
    /// How the cluster is configured to back up: in-tree `barmanObjectStore`, a plugin, or none.
    public var backupConfiguration: BackupConfiguration
    public var phase: String?
    public var phaseReason: String?
    public var readyInstances: Int?
    public var statusInstances: Int?
    public var currentPrimary: String?
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
        self.conditions = conditions
        self.firstRecoverabilityPoint = nil
        self.lastSuccessfulBackup = nil
        self.lastFailedBackup = nil
    }

    /// The phase string CNPG reports for a healthy cluster.
    public static let healthyPhase = "Cluster in healthy state"

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case instances, backup, plugins }
    enum BackupKeys: String, CodingKey { case barmanObjectStore, volumeSnapshot }
    enum StoreKeys: String, CodingKey { case destinationPath }
    enum StatusKeys: String, CodingKey {
        case phase, phaseReason, readyInstances, instances, currentPrimary, conditions
        case firstRecoverabilityPoint, lastSuccessfulBackup, lastFailedBackup
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        instances = spec?.int(.instances)
        let plugins = spec?.array(ClusterPlugin.self, .plugins) ?? []
        let backup = try? spec?.nestedContainer(keyedBy: BackupKeys.self, forKey: .backup)
        if let archiver = plugins.first(where: { $0.isWALArchiver }) ?? plugins.first(where: { $0.name.contains("barman") }) {
            backupConfiguration = .plugin(name: archiver.name, objectStore: archiver.parameters["barmanObjectName"], serverName: archiver.parameters["serverName"])
        } else if let store = try? backup?.nestedContainer(keyedBy: StoreKeys.self, forKey: .barmanObjectStore) {
            backupConfiguration = .barmanObjectStore(destinationPath: store.string(.destinationPath))
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
