// MARK: - Pod

/// A `v1` Pod: phase, node, containers and their states, and the PVCs it mounts.
public struct Pod: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var nodeName: String?
    public var containerNames: [String]
    /// Volume name → PVC claim name, for volumes backed by a PVC.
    public var claimNames: [String: String]
    public var phase: PodPhase
    public var reason: String?
    public var conditions: [Condition]
    public var containerStatuses: [ContainerStatus]
    public var initContainerStatuses: [ContainerStatus]
    public var startTime: Double?

    public init(metadata: ObjectMeta, phase: PodPhase = .running, nodeName: String? = nil, containerStatuses: [ContainerStatus] = []) {
        self.metadata = metadata
        self.nodeName = nodeName
        self.containerNames = containerStatuses.map(\.name)
        self.claimNames = [:]
        self.phase = phase
        self.reason = nil
        self.conditions = []
        self.containerStatuses = containerStatuses
        self.initContainerStatuses = []
        self.startTime = nil
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case nodeName, containers, volumes }
    enum StatusKeys: String, CodingKey { case phase, reason, conditions, containerStatuses, initContainerStatuses, startTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        nodeName = spec?.string(.nodeName)
        containerNames = spec?.array(NamedItem.self, .containers).map(\.name) ?? []
        var claims: [String: String] = [:]
        for volume in spec?.array(PodVolume.self, .volumes) ?? [] {
            if let claim = volume.claimName { claims[volume.name] = claim }
        }
        claimNames = claims
        let status = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        phase = PodPhase(status?.string(.phase))
        reason = status?.string(.reason)
        conditions = status?.array(Condition.self, .conditions) ?? []
        containerStatuses = status?.array(ContainerStatus.self, .containerStatuses) ?? []
        initContainerStatuses = status?.array(ContainerStatus.self, .initContainerStatuses) ?? []
        startTime = status?.time(.startTime)
    }

    /// The `Ready` condition is `True`.
    public var isReady: Bool { conditions[type: "Ready"]?.isTrue ?? false }

    /// The status of one container, by name.
    public func container(_ name: String) -> ContainerStatus? { containerStatuses.first { $0.name == name } }
}

// MARK: - PodPhase

/// `status.phase`; anything else the server reports is kept verbatim.
public enum PodPhase: Sendable, Equatable, CustomStringConvertible {
    case pending, running, succeeded, failed, unknown(String)

    init(_ text: String?) {
        switch text {
        case "Pending": self = .pending
        case "Running": self = .running
        case "Succeeded": self = .succeeded
        case "Failed": self = .failed
        default: self = .unknown(text ?? "")
        }
    }

    public var description: String {
        switch self {
        case .pending: "Pending"
        case .running: "Running"
        case .succeeded: "Succeeded"
        case .failed: "Failed"
        case .unknown(let text): text.isEmpty ? "Unknown" : text
        }
    }
}

// MARK: - Small spec items

/// Any list element identified only by `name`.
struct NamedItem: Decodable {
    let name: String
    enum CodingKeys: String, CodingKey { case name }
    init(from decoder: any Decoder) throws {
        name = try decoder.container(keyedBy: CodingKeys.self).string(.name) ?? ""
    }
}

/// `spec.volumes[]`, reduced to the PVC claim name.
struct PodVolume: Decodable {
    let name: String
    let claimName: String?
    enum CodingKeys: String, CodingKey { case name, persistentVolumeClaim }
    enum ClaimKeys: String, CodingKey { case claimName }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.string(.name) ?? ""
        claimName = (try? c.nestedContainer(keyedBy: ClaimKeys.self, forKey: .persistentVolumeClaim))?.string(.claimName)
    }
}

// MARK: - The Job a pod belongs to

extension Pod {
    /// Whether the Job named `job` runs this pod: its controller reference names the Job, or its
    /// `batch.kubernetes.io/job-name` label (Kubernetes 1.27+) or legacy `job-name` label does.
    public func belongs(toJob job: String) -> Bool {
        metadata.labels["batch.kubernetes.io/job-name"] == job || metadata.labels["job-name"] == job
            || metadata.ownerReferences.contains { $0.kind == "Job" && $0.name == job }
    }

    /// Whether any Job runs this pod (the same three marks).
    public var isJobPod: Bool {
        metadata.labels["batch.kubernetes.io/job-name"] != nil || metadata.labels["job-name"] != nil
            || metadata.ownerReferences.contains { $0.kind == "Job" }
    }
}
