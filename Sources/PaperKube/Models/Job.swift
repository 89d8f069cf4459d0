// MARK: - Job

/// A `batch/v1` Job: when it ran and whether it completed or failed.
public struct Job: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var startTime: Double?
    public var completionTime: Double?
    public var active: Int
    public var succeeded: Int
    public var failed: Int
    public var conditions: [Condition]

    public init(metadata: ObjectMeta, startTime: Double? = nil, completionTime: Double? = nil, succeeded: Int = 0, failed: Int = 0, active: Int = 0, conditions: [Condition] = []) {
        self.metadata = metadata
        self.startTime = startTime
        self.completionTime = completionTime
        self.active = active
        self.succeeded = succeeded
        self.failed = failed
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey { case metadata, status }
    enum StatusKeys: String, CodingKey { case startTime, completionTime, active, succeeded, failed, conditions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        let s = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        startTime = s?.time(.startTime)
        completionTime = s?.time(.completionTime)
        active = s?.int(.active) ?? 0
        succeeded = s?.int(.succeeded) ?? 0
        failed = s?.int(.failed) ?? 0
        conditions = s?.array(Condition.self, .conditions) ?? []
    }

    /// Where the Job is in its life.
    public var outcome: JobOutcome {
        if conditions[type: "Complete"]?.isTrue == true || (succeeded > 0 && active == 0 && completionTime != nil) { return .succeeded }
        if conditions[type: "Failed"]?.isTrue == true { return .failed }
        if active > 0 || (startTime != nil && completionTime == nil && failed == 0) { return .running }
        if failed > 0 { return .failed }
        return .pending
    }

    /// When the Job finished (completion, or the Failed condition's transition), else when it started.
    public var finishedAt: Double? {
        completionTime ?? conditions[type: "Failed"]?.lastTransitionTime
    }
}

// MARK: - JobOutcome

/// A Job's state as the backup checks see it.
public enum JobOutcome: String, Sendable, Equatable {
    case pending, running, succeeded, failed
}
