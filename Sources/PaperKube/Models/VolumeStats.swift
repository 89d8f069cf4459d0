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
