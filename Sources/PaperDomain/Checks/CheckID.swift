// MARK: - CheckID

/// The stable ids of the health checks. They appear in `check --json`, are accepted by
/// `check --check ID`, and never change meaning.
///
/// - `pods`: every long-running pod is Ready; no CrashLoopBackOff/ImagePullBackOff; restarts
///   in the restart window; the app container (not the `linkerd-proxy` sidecar) is ready;
///   the app and Redis Deployments have their replicas.
/// - `database`: the CNPG Cluster's phase is healthy and all instances are ready.
/// - `db-backups`: the newest completed Backup against the ScheduledBackup's cron plus a
///   grace window; the Cluster's (or ObjectStore's) last-success time cross-checked against
///   it; failed Backups since; a queue blocked by `walArchivingFailing`/pending Backups;
///   `LastBackupSucceeded=False/BackupStarted` read as "running".
/// - `wal-archiving`: the Cluster's `ContinuousArchiving` condition and its message.
/// - `scheduled-backup`: a ScheduledBackup exists for the cluster, is not suspended, has a
///   valid schedule, and its method matches the cluster's backup configuration.
/// - `file-backups`: the restic CronJob's last successful Job against its schedule, failed
///   Jobs since with restic's exit code explained, suspension, never having succeeded.
/// - `secrets`: each ExternalSecret is Ready and refreshed within twice its interval, and its
///   store is Ready.
/// - `storage`: used space of the data and database PVCs (warn 80 %, critical 90 %).
/// - `logs`: Celery/Redis/worker errors in the app log window, grouped by signature.
/// - `network`: NetworkPolicies restrict egress exactly as the runbook's tables say.
public enum CheckID: String, Sendable, Codable, CaseIterable {
    case pods
    case database
    case dbBackups = "db-backups"
    case walArchiving = "wal-archiving"
    case scheduledBackup = "scheduled-backup"
    case fileBackups = "file-backups"
    case secrets
    case storage
    case logs
    case network

    /// A short title for tables and panels.
    public var title: String {
        switch self {
        case .pods: "Pods"
        case .database: "Database"
        case .dbBackups: "Database backups"
        case .walArchiving: "WAL archiving"
        case .scheduledBackup: "Scheduled backup"
        case .fileBackups: "File backups (restic)"
        case .secrets: "External secrets"
        case .storage: "Storage"
        case .logs: "App log errors"
        case .network: "Network policy"
        }
    }

    /// One line (under 60 characters) saying what the check judges, for `check --help`.
    public var summary: String {
        switch self {
        case .pods: "pods ready, no crash/image loops, restarts, app container"
        case .database: "CNPG cluster phase healthy, all instances ready"
        case .dbBackups: "last completed Backup vs cron + grace, failures, queue"
        case .walArchiving: "ContinuousArchiving condition of the CNPG cluster"
        case .scheduledBackup: "ScheduledBackup present, active, method matches cluster"
        case .fileBackups: "restic CronJob: last success vs schedule, exit codes"
        case .secrets: "ExternalSecrets Ready, refreshed within 2x, store Ready"
        case .storage: "data and database PVC usage (80 % warn, 90 % critical)"
        case .logs: "Celery/Redis errors in the app log, by signature"
        case .network: "NetworkPolicy egress matches the runbook tables"
        }
    }
}
