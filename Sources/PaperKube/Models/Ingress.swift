// MARK: - Ingress

/// A `networking.k8s.io/v1` Ingress: class, hosts and whether it got an address.
public struct Ingress: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var ingressClassName: String?
    public var hosts: [String]
    public var loadBalancerAddresses: [String]

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case ingressClassName, rules, tls }
    enum StatusKeys: String, CodingKey { case loadBalancer }
    enum LBKeys: String, CodingKey { case ingress }

    struct Rule: Decodable {
        let host: String?
        enum CodingKeys: String, CodingKey { case host }
        init(from decoder: any Decoder) throws { host = try decoder.container(keyedBy: CodingKeys.self).string(.host) }
    }

    struct TLS: Decodable {
        let hosts: [String]
        enum CodingKeys: String, CodingKey { case hosts }
        init(from decoder: any Decoder) throws { hosts = try decoder.container(keyedBy: CodingKeys.self).lenient([String].self, .hosts) ?? [] }
    }

    struct Address: Decodable {
        let value: String?
        enum CodingKeys: String, CodingKey { case hostname, ip }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = c.string(.hostname) ?? c.string(.ip)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        ingressClassName = spec?.string(.ingressClassName)
        var allHosts = spec?.array(Rule.self, .rules).compactMap(\.host) ?? []
        for host in spec?.array(TLS.self, .tls).flatMap(\.hosts) ?? [] where !allHosts.contains(host) { allHosts.append(host) }
        hosts = allHosts
        let status = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        let lb = try? status?.nestedContainer(keyedBy: LBKeys.self, forKey: .loadBalancer)
        loadBalancerAddresses = lb?.array(Address.self, .ingress).compactMap(\.value) ?? []
    }
}
