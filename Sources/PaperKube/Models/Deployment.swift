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
    /// Where each container mounts a PVC: what a restore's printed commands (`kubectl exec … rm`)
    /// need to name a path on the volume as the app sees it.
    public var claimMounts: [ClaimMount]
    /// Literal env values per container (`valueFrom` entries are left out), e.g.
    /// `PAPERLESS_EMPTY_TRASH_DELAY`, `PAPERLESS_CONSUMPTION_DIR`.
    public var literalEnv: [String: [String: String]]

    /// One PVC-backed volume mount of one container.
    public struct ClaimMount: Sendable, Equatable {
        public var container: String
        public var claim: String
        public var mountPath: String
        public var subPath: String?

        public init(container: String, claim: String, mountPath: String, subPath: String? = nil) {
            self.container = container
            self.claim = claim
            self.mountPath = mountPath
            self.subPath = subPath
        }
    }

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
        let containers = podSpec?.array(ContainerMounts.self, .containers) ?? []
        containerNames = containers.map(\.name)
        let volumes = podSpec?.array(PodVolume.self, .volumes) ?? []
        claimNames = volumes.compactMap(\.claimName)
        var claimsByVolume: [String: String] = [:]
        for v in volumes { if let claim = v.claimName { claimsByVolume[v.name] = claim } }
        claimMounts = containers.flatMap { c in
            c.mounts.compactMap { m in claimsByVolume[m.name].map { ClaimMount(container: c.name, claim: $0, mountPath: m.mountPath, subPath: m.subPath) } }
        }
        literalEnv = Dictionary(containers.map { ($0.name, $0.env) }, uniquingKeysWith: { a, _ in a })
        let status = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        readyReplicas = status?.int(.readyReplicas) ?? 0
        availableReplicas = status?.int(.availableReplicas) ?? 0
        updatedReplicas = status?.int(.updatedReplicas) ?? 0
        conditions = status?.array(Condition.self, .conditions) ?? []
    }
}

/// A container's name, PVC mounts and literal env values.
struct ContainerMounts: Decodable {
    struct Mount: Decodable {
        let name: String
        let mountPath: String
        let subPath: String?
        enum CodingKeys: String, CodingKey { case name, mountPath, subPath }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = c.string(.name) ?? ""
            mountPath = c.string(.mountPath) ?? ""
            subPath = c.string(.subPath).flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    struct EnvVar: Decodable {
        let name: String
        let value: String?
        enum CodingKeys: String, CodingKey { case name, value }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = c.string(.name) ?? ""
            value = c.string(.value)
        }
    }

    let name: String
    let mounts: [Mount]
    let env: [String: String]
    enum CodingKeys: String, CodingKey { case name, volumeMounts, env }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.string(.name) ?? ""
        mounts = c.array(Mount.self, .volumeMounts)
        var env: [String: String] = [:]
        for v in c.array(EnvVar.self, .env) where env[v.name] == nil { if let value = v.value { env[v.name] = value } }
        self.env = env
    }
}
