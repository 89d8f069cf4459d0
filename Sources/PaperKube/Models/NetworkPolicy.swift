// MARK: - NetworkPolicy

/// A `networking.k8s.io/v1` NetworkPolicy, reduced to what an egress audit needs.
public struct NetworkPolicy: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    /// `spec.podSelector.matchLabels`; empty selects every pod in the namespace.
    public var podSelector: [String: String]
    /// True when `podSelector` also has `matchExpressions` (not evaluated here).
    public var hasSelectorExpressions: Bool
    public var policyTypes: [String]
    public var egress: [EgressRule]
    public var ingressRuleCount: Int

    public init(metadata: ObjectMeta, podSelector: [String: String], policyTypes: [String], egress: [EgressRule]) {
        self.metadata = metadata
        self.podSelector = podSelector
        self.hasSelectorExpressions = false
        self.policyTypes = policyTypes
        self.egress = egress
        self.ingressRuleCount = 0
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }
    enum SpecKeys: String, CodingKey { case podSelector, policyTypes, egress, ingress }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        let selector = spec?.object(LabelSelector.self, .podSelector)
        podSelector = selector?.matchLabels ?? [:]
        hasSelectorExpressions = selector?.hasExpressions ?? false
        let egressRules = spec?.array(EgressRule.self, .egress) ?? []
        egress = egressRules
        ingressRuleCount = spec?.array(IgnoredObject.self, .ingress).count ?? 0
        let declared = spec?.lenient([String].self, .policyTypes) ?? []
        // Per the API: without policyTypes, Egress applies only when egress rules are present.
        policyTypes = declared.isEmpty ? (egressRules.isEmpty ? ["Ingress"] : ["Ingress", "Egress"]) : declared
    }

    /// True when this policy restricts egress of the pods it selects.
    public var restrictsEgress: Bool { policyTypes.contains("Egress") }
}

// MARK: - Helpers

/// `metav1.LabelSelector`, with `matchExpressions` only noted.
struct LabelSelector: Decodable {
    let matchLabels: [String: String]
    let hasExpressions: Bool
    enum CodingKeys: String, CodingKey { case matchLabels, matchExpressions }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        matchLabels = c.stringMap(.matchLabels)
        hasExpressions = !c.array(IgnoredObject.self, .matchExpressions).isEmpty
    }
}

/// Any JSON value, decoded only to be counted.
struct IgnoredObject: Decodable {
    init(from decoder: any Decoder) throws {}
}
