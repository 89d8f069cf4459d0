// MARK: - PersistentVolumeClaim

/// A `v1` PersistentVolumeClaim: phase, requested and provisioned size.
public struct PersistentVolumeClaim: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var phase: String?
    public var storageClassName: String?
    public var volumeName: String?
    /// `spec.resources.requests.storage` in bytes.
    public var requestedBytes: Int64?
    /// `status.capacity.storage` in bytes.
    public var capacityBytes: Int64?

    public init(metadata: ObjectMeta, phase: String? = "Bound", requestedBytes: Int64? = nil, capacityBytes: Int64? = nil) {
        self.metadata = metadata
        self.phase = phase
        self.storageClassName = nil
        self.volumeName = nil
        self.requestedBytes = requestedBytes
        self.capacityBytes = capacityBytes
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case storageClassName, volumeName, resources }
    enum ResourcesKeys: String, CodingKey { case requests }
    enum StatusKeys: String, CodingKey { case phase, capacity }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        storageClassName = spec?.string(.storageClassName)
        volumeName = spec?.string(.volumeName)
        let resources = try? spec?.nestedContainer(keyedBy: ResourcesKeys.self, forKey: .resources)
        requestedBytes = resources?.stringMap(.requests)["storage"].flatMap(Quantity.bytes)
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        phase = s?.string(.phase)
        capacityBytes = s?.stringMap(.capacity)["storage"].flatMap(Quantity.bytes)
    }
}
