// MARK: - CNPGScheduledBackup

/// A CloudNativePG `ScheduledBackup`: a six-field cron (seconds first) for one cluster.
public struct CNPGScheduledBackup: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var clusterName: String?
    public var schedule: String?
    public var suspend: Bool
    public var immediate: Bool
    /// `spec.method`; the API defaults it to `barmanObjectStore` when omitted.
    public var method: String
    public var pluginName: String?
    public var lastScheduleTime: Double?
    public var nextScheduleTime: Double?
    public var lastCheckTime: Double?

    public init(metadata: ObjectMeta, clusterName: String?, schedule: String?, suspend: Bool = false, method: String = "barmanObjectStore") {
        self.metadata = metadata
        self.clusterName = clusterName
        self.schedule = schedule
        self.suspend = suspend
        self.immediate = false
        self.method = method
        self.pluginName = nil
        self.lastScheduleTime = nil
        self.nextScheduleTime = nil
        self.lastCheckTime = nil
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case cluster, schedule, suspend, immediate, method, pluginConfiguration }
    enum StatusKeys: String, CodingKey { case lastScheduleTime, nextScheduleTime, lastCheckTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        clusterName = spec?.object(NamedItem.self, .cluster)?.name
        schedule = spec?.string(.schedule)
        suspend = spec?.bool(.suspend) ?? false
        immediate = spec?.bool(.immediate) ?? false
        method = spec?.string(.method) ?? "barmanObjectStore"
        pluginName = spec?.object(NamedItem.self, .pluginConfiguration)?.name
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        lastScheduleTime = s?.time(.lastScheduleTime)
        nextScheduleTime = s?.time(.nextScheduleTime)
        lastCheckTime = s?.time(.lastCheckTime)
    }
}
