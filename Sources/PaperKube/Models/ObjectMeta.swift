// MARK: - ObjectMeta

/// The parts of `metadata` the checks and panels use.
public struct ObjectMeta: Sendable, Equatable, Decodable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var creationTimestamp: Double?
    public var deletionTimestamp: Double?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var ownerReferences: [OwnerReference]

    public init(
        name: String, namespace: String? = nil, creationTimestamp: Double? = nil,
        labels: [String: String] = [:], annotations: [String: String] = [:], ownerReferences: [OwnerReference] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = nil
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = nil
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }

    enum CodingKeys: String, CodingKey {
        case name, namespace, uid, creationTimestamp, deletionTimestamp, labels, annotations, ownerReferences
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.string(.name) ?? ""
        namespace = c.string(.namespace)
        uid = c.string(.uid)
        creationTimestamp = c.time(.creationTimestamp)
        deletionTimestamp = c.time(.deletionTimestamp)
        labels = c.stringMap(.labels)
        annotations = c.stringMap(.annotations)
        ownerReferences = c.array(OwnerReference.self, .ownerReferences)
    }

    /// True when every pair of `selector` is among the labels.
    public func matches(_ selector: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }
}
