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
