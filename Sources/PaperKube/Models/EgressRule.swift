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
        podSelector = c.object(LabelSelectorSpec.self, .podSelector)?.matchLabels
        namespaceSelector = c.object(LabelSelectorSpec.self, .namespaceSelector)?.matchLabels
        let block = try? c.nestedContainer(keyedBy: BlockKeys.self, forKey: .ipBlock)
        ipBlockCIDR = block?.string(.cidr)
        ipBlockExcept = block?.lenient([String].self, .except) ?? []
    }
}
