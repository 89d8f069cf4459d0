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

// MARK: - OwnerReference

/// `metadata.ownerReferences[]`: which object owns this one.
public struct OwnerReference: Sendable, Equatable, Decodable {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    enum CodingKeys: String, CodingKey { case kind, name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = c.string(.kind) ?? ""
        name = c.string(.name) ?? ""
    }
}

// MARK: - Condition

/// A status condition (`metav1.Condition` and the older per-type condition structs).
public struct Condition: Sendable, Equatable, Decodable {
    public var type: String
    /// `"True"`, `"False"` or `"Unknown"` as the API writes it.
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: Double?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: Double? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    enum CodingKeys: String, CodingKey { case type, status, reason, message, lastTransitionTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.string(.type) ?? ""
        status = c.string(.status) ?? "Unknown"
        reason = c.string(.reason)
        message = c.string(.message)
        lastTransitionTime = c.time(.lastTransitionTime)
    }

    public var isTrue: Bool { status == "True" }
    public var isFalse: Bool { status == "False" }
}

extension Array where Element == Condition {
    /// The condition of the given type, if reported.
    public subscript(type type: String) -> Condition? { first { $0.type == type } }
}
