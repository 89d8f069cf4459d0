// MARK: - ExternalSecret

/// An External Secrets Operator ExternalSecret (`external-secrets.io/v1` or `v1beta1`).
///
/// Only sync state is modelled; the values of the target Secret are never read.
public struct ExternalSecret: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var apiVersion: String?
    /// `spec.refreshInterval` in seconds; `0` means never refresh, `nil` unknown.
    public var refreshIntervalSeconds: Double?
    public var refreshIntervalText: String?
    public var refreshPolicy: String?
    public var storeName: String?
    public var storeKind: String?
    public var targetName: String?
    public var refreshTime: Double?
    public var conditions: [Condition]

    public init(metadata: ObjectMeta, refreshInterval: String? = "1h", storeName: String? = "onepassword", storeKind: String? = "ClusterSecretStore", refreshTime: Double? = nil, conditions: [Condition] = []) {
        self.metadata = metadata
        self.apiVersion = "external-secrets.io/v1"
        self.refreshIntervalText = refreshInterval
        self.refreshIntervalSeconds = refreshInterval.flatMap(GoDuration.seconds)
        self.refreshPolicy = nil
        self.storeName = storeName
        self.storeKind = storeKind
        self.targetName = metadata.name
        self.refreshTime = refreshTime
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey { case metadata, apiVersion, spec, status }
    enum SpecKeys: String, CodingKey { case refreshInterval, refreshPolicy, secretStoreRef, target }
    enum StoreRefKeys: String, CodingKey { case name, kind }
    enum StatusKeys: String, CodingKey { case refreshTime, conditions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        apiVersion = c.string(.apiVersion)
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        // The API default is 1h when the field is omitted.
        refreshIntervalText = spec?.string(.refreshInterval) ?? (spec == nil ? nil : "1h")
        refreshIntervalSeconds = refreshIntervalText.flatMap(GoDuration.seconds)
        refreshPolicy = spec?.string(.refreshPolicy)
        let ref = try? spec?.nestedContainer(keyedBy: StoreRefKeys.self, forKey: .secretStoreRef)
        storeName = ref?.string(.name)
        storeKind = ref?.string(.kind) ?? (ref == nil ? nil : "SecretStore")
        targetName = spec?.object(NamedItem.self, .target)?.name
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        refreshTime = s?.time(.refreshTime)
        conditions = s?.array(Condition.self, .conditions) ?? []
    }
}
