// MARK: - KubeletStatsSummary

/// The kubelet Summary API (`/api/v1/nodes/NODE/proxy/stats/summary`), reduced to volumes.
public struct KubeletStatsSummary: Sendable, Equatable, Decodable {
    public var nodeName: String?
    public var volumes: [VolumeStats]

    public init(nodeName: String?, volumes: [VolumeStats]) {
        self.nodeName = nodeName
        self.volumes = volumes
    }

    enum CodingKeys: String, CodingKey { case node, pods }
    enum NodeKeys: String, CodingKey { case nodeName }
    enum PodKeys: String, CodingKey { case podRef, volume }

    struct PodEntry: Decodable {
        let podName: String?
        let namespace: String?
        let volumes: [VolumeStats]
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: PodKeys.self)
            let ref = try? c.nestedContainer(keyedBy: RefKeys.self, forKey: .podRef)
            podName = ref?.string(.name)
            namespace = ref?.string(.namespace)
            volumes = c.array(VolumeStats.self, .volume)
        }
    }

    enum RefKeys: String, CodingKey { case name, namespace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nodeName = (try? c.nestedContainer(keyedBy: NodeKeys.self, forKey: .node))?.string(.nodeName)
        var all: [VolumeStats] = []
        for pod in c.array(PodEntry.self, .pods) {
            for var volume in pod.volumes {
                volume.podName = pod.podName
                if volume.pvcNamespace == nil { volume.pvcNamespace = pod.namespace }
                all.append(volume)
            }
        }
        volumes = all
    }

    /// The stats of the named PVC in `namespace`, if the kubelet reports it.
    public func volume(forClaim claim: String, namespace: String) -> VolumeStats? {
        volumes.first { $0.pvcName == claim && ($0.pvcNamespace == nil || $0.pvcNamespace == namespace) }
    }
}

// MARK: - VolumeStats

/// One `pods[].volume[]` entry. The byte counts are optional in the API.
public struct VolumeStats: Sendable, Equatable, Decodable {
    public var name: String
    public var podName: String?
    public var pvcName: String?
    public var pvcNamespace: String?
    public var usedBytes: Int64?
    public var capacityBytes: Int64?
    public var availableBytes: Int64?
    public var time: Double?

    public init(name: String, pvcName: String?, pvcNamespace: String? = nil, usedBytes: Int64?, capacityBytes: Int64?, availableBytes: Int64?) {
        self.name = name
        self.podName = nil
        self.pvcName = pvcName
        self.pvcNamespace = pvcNamespace
        self.usedBytes = usedBytes
        self.capacityBytes = capacityBytes
        self.availableBytes = availableBytes
        self.time = nil
    }

    enum CodingKeys: String, CodingKey { case name, pvcRef, usedBytes, capacityBytes, availableBytes, time }
    enum RefKeys: String, CodingKey { case name, namespace }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = c.string(.name) ?? ""
        podName = nil
        let ref = try? c.nestedContainer(keyedBy: RefKeys.self, forKey: .pvcRef)
        pvcName = ref?.string(.name)
        pvcNamespace = ref?.string(.namespace)
        usedBytes = c.lenient(Int64.self, .usedBytes)
        capacityBytes = c.lenient(Int64.self, .capacityBytes)
        availableBytes = c.lenient(Int64.self, .availableBytes)
        time = c.time(.time)
    }

    /// Used fraction 0…1: `usedBytes / capacityBytes`, else `1 - available / capacity`.
    public var usedFraction: Double? {
        guard let capacity = capacityBytes, capacity > 0 else { return nil }
        if let used = usedBytes { return Double(used) / Double(capacity) }
        if let available = availableBytes { return 1 - Double(available) / Double(capacity) }
        return nil
    }
}
