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

// MARK: - EgressRule

/// One `spec.egress[]` rule: allowed destinations and ports (empty means any).
public struct EgressRule: Sendable, Equatable, Decodable {
    public var ports: [PolicyPort]
    public var to: [PolicyPeer]

    public init(ports: [PolicyPort], to: [PolicyPeer]) {
        self.ports = ports
        self.to = to
    }

    enum CodingKeys: String, CodingKey { case ports, to }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ports = c.array(PolicyPort.self, .ports)
        to = c.array(PolicyPeer.self, .to)
    }
}

// MARK: - PolicyPort

/// A port in a rule: protocol (default TCP), number or name, optional `endPort`.
public struct PolicyPort: Sendable, Equatable, Decodable {
    public var proto: String
    public var port: Int?
    public var namedPort: String?
    public var endPort: Int?

    public init(proto: String = "TCP", port: Int?, endPort: Int? = nil) {
        self.proto = proto
        self.port = port
        self.namedPort = nil
        self.endPort = endPort
    }

    enum CodingKeys: String, CodingKey { case proto = "protocol", port, endPort }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        proto = c.string(.proto) ?? "TCP"
        port = c.lenient(Int.self, .port)
        namedPort = port == nil ? c.string(.port) : nil
        endPort = c.int(.endPort)
    }
}

// MARK: - PolicyPeer

/// A destination: pods by label, namespaces by label, or an IP block.
public struct PolicyPeer: Sendable, Equatable, Decodable {
    public var podSelector: [String: String]?
    public var namespaceSelector: [String: String]?
    public var ipBlockCIDR: String?
    public var ipBlockExcept: [String]

    public init(podSelector: [String: String]? = nil, namespaceSelector: [String: String]? = nil, ipBlockCIDR: String? = nil, ipBlockExcept: [String] = []) {
        self.podSelector = podSelector
        self.namespaceSelector = namespaceSelector
        self.ipBlockCIDR = ipBlockCIDR
        self.ipBlockExcept = ipBlockExcept
    }

    enum CodingKeys: String, CodingKey { case podSelector, namespaceSelector, ipBlock }
    enum BlockKeys: String, CodingKey { case cidr, except }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        podSelector = c.object(LabelSelector.self, .podSelector)?.matchLabels
        namespaceSelector = c.object(LabelSelector.self, .namespaceSelector)?.matchLabels
        let block = try? c.nestedContainer(keyedBy: BlockKeys.self, forKey: .ipBlock)
        ipBlockCIDR = block?.string(.cidr)
        ipBlockExcept = block?.lenient([String].self, .except) ?? []
    }
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
