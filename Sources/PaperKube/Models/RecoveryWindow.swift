// MARK: - RecoveryWindow

/// `status.serverRecoveryWindow[server]`: what can be restored, and the last backup results.
public struct RecoveryWindow: Sendable, Equatable, Decodable {
    public var firstRecoverabilityPoint: Double?
    public var lastSuccessfulBackupTime: Double?
    /// Present from plugin v0.6.0 on.
    public var lastFailedBackupTime: Double?

    public init(firstRecoverabilityPoint: Double? = nil, lastSuccessfulBackupTime: Double? = nil, lastFailedBackupTime: Double? = nil) {
        self.firstRecoverabilityPoint = firstRecoverabilityPoint
        self.lastSuccessfulBackupTime = lastSuccessfulBackupTime
        self.lastFailedBackupTime = lastFailedBackupTime
    }

    enum CodingKeys: String, CodingKey { case firstRecoverabilityPoint, lastSuccessfulBackupTime, lastFailedBackupTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        firstRecoverabilityPoint = c.time(.firstRecoverabilityPoint)
        lastSuccessfulBackupTime = c.time(.lastSuccessfulBackupTime)
        lastFailedBackupTime = c.time(.lastFailedBackupTime)
    }
}
