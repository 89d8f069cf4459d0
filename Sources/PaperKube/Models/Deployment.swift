// MARK: - Deployment

/// An `apps/v1` Deployment: desired and ready replicas, selector and mounted PVCs.
public struct Deployment: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var replicas: Int?
    public var selector: [String: String]
    public var containerNames: [String]
    /// PVC claim names from the pod template's volumes.
    public var claimNames: [String]
    public var readyReplicas: Int
    public var availableReplicas: Int
    public var updatedReplicas: Int
    public var conditions: [Condition]

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case replicas, selector, template }
    enum SelectorKeys: String, CodingKey { case matchLabels }
    enum TemplateKeys: String, CodingKey { case spec }
    enum PodSpecKeys: String, CodingKey { case containers, volumes }
    enum StatusKeys: String, CodingKey { case readyReplicas, availableReplicas, updatedReplicas, conditions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        replicas = spec?.int(.replicas)
        selector = (try? spec?.nestedContainer(keyedBy: SelectorKeys.self, forKey: .selector))?.stringMap(.matchLabels) ?? [:]
        let template = try? spec?.nestedContainer(keyedBy: TemplateKeys.self, forKey: .template)
        let podSpec = try? template?.nestedContainer(keyedBy: PodSpecKeys.self, forKey: .spec)
        containerNames = podSpec?.array(NamedItem.self, .containers).map(\.name) ?? []
        claimNames = podSpec?.array(PodVolume.self, .volumes).compactMap(\.claimName) ?? []
        let status = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        readyReplicas = status?.int(.readyReplicas) ?? 0
        availableReplicas = status?.int(.availableReplicas) ?? 0
        updatedReplicas = status?.int(.updatedReplicas) ?? 0
        conditions = status?.array(Condition.self, .conditions) ?? []
    }
}
