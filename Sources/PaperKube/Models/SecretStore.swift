// MARK: - SecretStore

/// An ESO `SecretStore` or `ClusterSecretStore`: its provider and whether it is Ready.
public struct SecretStore: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    /// `SecretStore` or `ClusterSecretStore`.
    public var kind: String
    /// The provider key, e.g. `onepasswordSDK` or `onepassword`.
    public var provider: String?
    public var conditions: [Condition]

    public init(metadata: ObjectMeta, kind: String = "ClusterSecretStore", provider: String? = "onepasswordSDK", conditions: [Condition] = []) {
        self.metadata = metadata
        self.kind = kind
        self.provider = provider
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey { case metadata, kind, spec, status }
    enum SpecKeys: String, CodingKey { case provider }
    enum StatusKeys: String, CodingKey { case conditions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        kind = c.string(.kind) ?? "SecretStore"
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        provider = (try? spec?.nestedContainer(keyedBy: AnyKey.self, forKey: .provider))?.allKeys.first?.stringValue
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        conditions = s?.array(Condition.self, .conditions) ?? []
    }
}
