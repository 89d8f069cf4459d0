// MARK: - KubeEvent

/// A core `v1` Event: what happened to which object, and when it last happened.
public struct KubeEvent: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var involvedKind: String?
    public var involvedName: String?
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var count: Int
    /// The newest of `lastTimestamp`, `eventTime`, `series.lastObservedTime`, `creationTimestamp`.
    public var lastSeen: Double?

    enum CodingKeys: String, CodingKey { case metadata, involvedObject, reason, message, type, count, lastTimestamp, eventTime, firstTimestamp, series }
    enum InvolvedKeys: String, CodingKey { case kind, name }
    enum SeriesKeys: String, CodingKey { case count, lastObservedTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let involved = try? c.nestedContainer(keyedBy: InvolvedKeys.self, forKey: .involvedObject)
        involvedKind = involved?.string(.kind)
        involvedName = involved?.string(.name)
        reason = c.string(.reason)
        message = c.string(.message)
        type = c.string(.type)
        let series = try? c.nestedContainer(keyedBy: SeriesKeys.self, forKey: .series)
        count = c.int(.count) ?? series?.int(.count) ?? 1
        lastSeen = [c.time(.lastTimestamp), c.time(.eventTime), series?.time(.lastObservedTime), c.time(.firstTimestamp), metadata.creationTimestamp]
            .compactMap { $0 }.max()
    }
}
