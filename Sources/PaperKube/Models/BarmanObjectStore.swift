// MARK: - BarmanObjectStore

/// The Barman Cloud plugin's `barmancloud.cnpg.io/v1` ObjectStore and its recovery windows.
///
/// With the plugin, the Cluster's `lastSuccessfulBackup` and `firstRecoverabilityPoint` stay
/// empty; `status.serverRecoveryWindow[serverName]` is where the times live.
public struct BarmanObjectStore: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var destinationPath: String?
    /// The Secret `spec.configuration.s3Credentials` names (its access key's), when set.
    public var credentialsSecret: String?
    public var retentionPolicy: String?
    public var serverRecoveryWindow: [String: RecoveryWindow]

    public init(metadata: ObjectMeta, serverRecoveryWindow: [String: RecoveryWindow]) {
        self.metadata = metadata
        self.destinationPath = nil
        self.credentialsSecret = nil
        self.retentionPolicy = nil
        self.serverRecoveryWindow = serverRecoveryWindow
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case configuration, retentionPolicy }
    enum ConfigurationKeys: String, CodingKey { case destinationPath, s3Credentials }
    enum StatusKeys: String, CodingKey { case serverRecoveryWindow }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        retentionPolicy = spec?.string(.retentionPolicy)
        let configuration = try? spec?.nestedContainer(keyedBy: ConfigurationKeys.self, forKey: .configuration)
        destinationPath = configuration?.string(.destinationPath)
        credentialsSecret = CNPGCluster.accessKeySecret(try? configuration?.nestedContainer(keyedBy: CNPGCluster.CredentialsKeys.self, forKey: .s3Credentials))
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        let windows = s?.lenient([String: LenientBox<RecoveryWindow>].self, .serverRecoveryWindow) ?? [:]
        serverRecoveryWindow = windows.compactMapValues(\.value)
    }
}
