// MARK: - HealthChecks

/// The registry of checks, in report order, and the function that runs them.
public enum HealthChecks {
    /// Every check, in the order reports list them.
    public static let all: [any HealthCheck] = [
        PodsCheck(), DatabaseCheck(), DatabaseBackupsCheck(), WALArchivingCheck(), ScheduledBackupCheck(),
        FileBackupsCheck(), SecretsCheck(), StorageCheck(), LogsCheck(), NetworkCheck(),
    ]

    /// Runs the checks in `only` (every check when empty) against a snapshot at time `now`.
    public static func run(_ snapshot: Snapshot, config: PaperConfig, now: Double, only: [CheckID] = []) -> [CheckResult] {
        let context = CheckContext(snapshot: snapshot, config: config, now: now)
        return all.filter { only.isEmpty || only.contains($0.id) }.map { $0.evaluate(context) }
    }
}
