// MARK: - CronJob

/// A `batch/v1` CronJob: its schedule, suspension and last runs.
public struct CronJob: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var schedule: String?
    public var timeZone: String?
    public var suspend: Bool
    public var lastScheduleTime: Double?
    public var lastSuccessfulTime: Double?
    public var activeJobNames: [String]

    public init(metadata: ObjectMeta, schedule: String?, suspend: Bool = false, lastScheduleTime: Double? = nil, lastSuccessfulTime: Double? = nil) {
        self.metadata = metadata
        self.schedule = schedule
        self.timeZone = nil
        self.suspend = suspend
        self.lastScheduleTime = lastScheduleTime
        self.lastSuccessfulTime = lastSuccessfulTime
        self.activeJobNames = []
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case schedule, timeZone, suspend }
    enum StatusKeys: String, CodingKey { case lastScheduleTime, lastSuccessfulTime, active }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let spec = try? c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        schedule = spec?.string(.schedule)
        timeZone = spec?.string(.timeZone)
        suspend = spec?.bool(.suspend) ?? false
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        lastScheduleTime = s?.time(.lastScheduleTime)
        lastSuccessfulTime = s?.time(.lastSuccessfulTime)
        activeJobNames = s?.array(NamedItem.self, .active).map(\.name) ?? []
    }
}
