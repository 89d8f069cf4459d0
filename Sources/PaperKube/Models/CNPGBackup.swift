// MARK: - CNPGBackup

/// A CloudNativePG `Backup`: which cluster, which method, and how it went.
public struct CNPGBackup: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var clusterName: String?
    public var method: String?
    public var pluginName: String?
    public var phase: BackupPhase
    public var startedAt: Double?
    public var stoppedAt: Double?
    public var error: String?
    /// Barman's id of the backup (`status.backupId`, e.g. `20261129T030002`): `recoveryTarget.backupID`.
    public var backupID: String?

    public init(metadata: ObjectMeta, clusterName: String?, method: String? = "barmanObjectStore", phase: BackupPhase, startedAt: Double? = nil, stoppedAt: Double? = nil, error: String? = nil) {
        self.metadata = metadata
        self.clusterName = clusterName
        self.method = method
        self.pluginName = nil
        self.phase = phase
        self.startedAt = startedAt
        self.stoppedAt = stoppedAt
        self.error = error
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case cluster, method, pluginConfiguration }
    enum StatusKeys: String, CodingKey { case phase, startedAt, stoppedAt, error, method, backupId }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        clusterName = spec?.object(NamedItem.self, .cluster)?.name
        pluginName = spec?.object(NamedItem.self, .pluginConfiguration)?.name
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        method = spec?.string(.method) ?? s?.string(.method)
        phase = BackupPhase(s?.string(.phase))
        startedAt = s?.time(.startedAt)
        stoppedAt = s?.time(.stoppedAt)
        error = s?.string(.error)
        backupID = s?.string(.backupId)
    }

    /// When the backup finished, else when it started, else when it was created.
    public var referenceTime: Double? { stoppedAt ?? startedAt ?? metadata.creationTimestamp }
}
