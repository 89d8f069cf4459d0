// MARK: - NetworkPolicy

/// A `networking.k8s.io/v1` NetworkPolicy, reduced to what an egress audit needs.
public struct NetworkPolicy: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    /// `spec.podSelector.matchLabels`; with no expressions, empty selects every pod in the namespace.
    public var podSelector: [String: String] { selector.matchLabels }
    /// `spec.podSelector`, expressions included.
    public var selector: LabelSelectorSpec
    public var policyTypes: [String]
    public var egress: [EgressRule]
    public var ingressRuleCount: Int

    public init(metadata: ObjectMeta, podSelector: [String: String], policyTypes: [String], egress: [EgressRule]) {
        self.metadata = metadata
        self.selector = LabelSelectorSpec(matchLabels: podSelector)
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
        selector = spec?.object(LabelSelectorSpec.self, .podSelector) ?? LabelSelectorSpec(matchLabels: [:])
        let egressRules = spec?.array(EgressRule.self, .egress) ?? []
        egress = egressRules
        ingressRuleCount = spec?.array(IgnoredObject.self, .ingress).count ?? 0
        let declared = spec?.lenient([String].self, .policyTypes) ?? []
        // Per the API: without policyTypes, Egress applies only when egress rules are present.
        policyTypes = declared.isEmpty ? (egressRules.isEmpty ? ["Ingress"] : ["Ingress", "Egress"]) : declared
    }

    /// True when this policy restricts egress of the pods it selects.
    public var restrictsEgress: Bool { policyTypes.contains("Egress") }

    /// True when the policy applies to a pod with `labels`.
    public func selects(_ labels: [String: String]) -> Bool { selector.matches(labels) }
}

// MARK: - LabelSelectorSpec

/// A `metav1.LabelSelector`: `matchLabels` and `matchExpressions`, all of which must hold.
public struct LabelSelectorSpec: Sendable, Equatable, Decodable {
    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Equatable, Decodable {
        public var key: String
        /// `In`, `NotIn`, `Exists` or `DoesNotExist`; anything else matches nothing.
        public var `operator`: String
        public var values: [String]

        public init(key: String, operator: String, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        enum CodingKeys: String, CodingKey { case key, `operator`, values }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            key = c.string(.key) ?? ""
            self.operator = c.string(.operator) ?? ""
            values = c.lenient([String].self, .values) ?? []
        }

        public func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case "In": labels[key].map(values.contains) ?? false
            case "NotIn": labels[key].map { !values.contains($0) } ?? true
            case "Exists": labels[key] != nil
            case "DoesNotExist": labels[key] == nil
            default: false
            }
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    enum CodingKeys: String, CodingKey { case matchLabels, matchExpressions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        matchLabels = c.stringMap(.matchLabels)
        matchExpressions = c.array(Requirement.self, .matchExpressions)
    }

    /// True when every label pair and every expression holds for `labels` (an empty selector selects everything).
    public func matches(_ labels: [String: String]) -> Bool {
        matchLabels.allSatisfy { labels[$0.key] == $0.value } && matchExpressions.allSatisfy { $0.matches(labels) }
    }
}

// MARK: - Helpers

/// Any JSON value, decoded only to be counted.
struct IgnoredObject: Decodable {
    init(from decoder: any Decoder) throws {}
}
