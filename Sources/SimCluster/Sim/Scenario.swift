// MARK: - Scenario

/// A named situation the simulated deployment is in. Scenarios combine: each one changes only
/// the part of the deployment it is about.
public enum Scenario: String, CaseIterable, Sendable {
    case healthy
    case dbBackupFailing = "db-backup-failing"
    case resticLocked = "restic-locked"
    case resticWrongPassword = "restic-wrong-password"
    case resticStaleLock = "restic-stale-lock"
    case resticBackupDenied = "restic-backup-denied"
    case secretSyncFailing = "secret-sync-failing"
    case appCrashloop = "app-crashloop"
    case pvcNearlyFull = "pvc-nearly-full"
    case redisErrors = "redis-errors"
    case rbacLimited = "rbac-limited"
    case noExternalSecrets = "no-external-secrets"
    case oldExternalSecrets = "old-external-secrets"
    case pluginBackups = "plugin-backups"
    case slowAPI = "slow-api"
    case unresponsiveAPI = "unresponsive-api"
    case expiredCredentials = "expired-credentials"
    // Real objects from public issues (RealObjects), names mapped to ours.
    case dbDiskFull = "db-disk-full"
    case dbFenced = "db-fenced"
    case dbBackupStuck = "db-backup-stuck"
    case walAfterFailover = "wal-after-failover"
    case pluginUnavailable = "plugin-unavailable"
    case dbNeverArchived = "db-never-archived"

    public var summary: String {
        switch self {
        case .healthy: "everything works: backups fresh, secrets synced, pods ready"
        case .dbBackupFailing: "CNPG backups failing for 3 days, last success stale, WAL archiving broken"
        case .resticLocked: "restic Jobs failing: repository locked (exit 11)"
        case .resticWrongPassword: "restic Jobs failing: wrong password (exit 12)"
        case .resticBackupDenied: "the bucket refuses writes: `restic backup` fails with S3 Access Denied (exit 1), reads (snapshots, ls, restore) work"
        case .resticStaleLock: "a stale lock left by a killed backup: restic Jobs fail with exit 1 (as restic 0.16 reports a lock) until a `restic unlock` Job clears it"
        case .secretSyncFailing: "ExternalSecret paperless-ngx-admin fails to sync: 1Password item missing"
        case .appCrashloop: "the app pod is in CrashLoopBackOff while the database is not ready"
        case .pvcNearlyFull: "the 10Gi data volume is 94% full"
        case .redisErrors: "Celery cannot reach Redis; one error line carries the Redis password in a redis:// URL"
        case .rbacLimited: "403 on secrets, on the node stats proxy and on creating Jobs"
        case .noExternalSecrets: "the External Secrets CRDs are not installed"
        case .oldExternalSecrets: "an older External Secrets operator: ExternalSecret and the stores are served only as v1beta1"
        case .pluginBackups: "CNPG backs up through the Barman Cloud plugin (ObjectStore) instead of barmanObjectStore"
        case .slowAPI: "every API request takes 3 s"
        case .unresponsiveAPI: "the API server accepts connections and never answers"
        case .expiredCredentials: "every request is refused 401 Unauthorized"
        case .dbDiskFull: "real: \"Not enough disk space\" and no instance reports isPrimary (open-bank-oss#1432)"
        case .dbFenced: "real: every instance fenced, cnpg.io/fencedInstances [\"*\"] (cloudnative-pg#6317)"
        case .dbBackupStuck: "real: a Backup left running for 15 h after its pod was killed (cloudnative-pg#7905)"
        case .walAfterFailover: "real: plugin archiving fails after a failover, timeline 2, exit status 1 (plugin-barman-cloud#842)"
        case .pluginUnavailable: "real: a plugin Backup failed with \"requested plugin is not available\" (plugin-barman-cloud#541)"
        case .dbNeverArchived: "real: a cluster down on a full volume, no ContinuousArchiving condition, no recovery point (open-bank-oss#3975)"
        }
    }

    /// The real case a scenario serves, if it is one.
    public var realCase: RealCase? {
        switch self {
        case .dbDiskFull: RealObjects.diskFullNoPrimary
        case .dbFenced: RealObjects.allFenced
        case .dbBackupStuck: RealObjects.stuckRunningBackup
        case .walAfterFailover: RealObjects.archivingAfterFailover
        case .pluginUnavailable: RealObjects.pluginNotAvailable
        case .dbNeverArchived: RealObjects.neverArchived
        default: nil
        }
    }

    /// Parses a comma-separated or repeated list, rejecting unknown names with the valid ones listed.
    public static func parse(_ names: [String]) throws(ScenarioError) -> [Scenario] {
        var out: [Scenario] = []
        for raw in names.flatMap({ $0.split(separator: ",").map { String($0).trimmingSpaces } }) where !raw.isEmpty {
            guard let s = Scenario(rawValue: raw) else { throw ScenarioError(name: raw) }
            if !out.contains(s) { out.append(s) }
        }
        return out.isEmpty ? [.healthy] : out
    }
}

public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public let name: String
    public var description: String {
        "unknown scenario \"\(name)\"; valid scenarios are: " + Scenario.allCases.map(\.rawValue).joined(separator: ", ")
    }
}

// MARK: - SimOptions

/// The scenarios folded into the facts the seed and the controllers act on.
public struct SimOptions: Sendable {
    public enum BackupOutcome: Sendable { case success, failing }
    public enum ResticOutcome: Sendable, Equatable {
        case success
        case locked
        case wrongPassword
        /// A stale lock, as restic 0.16 reports it: the lock message with exit 1.
        case staleLock

        public var exitCode: Int {
            switch self {
            case .success: 0
            case .locked: 11
            case .wrongPassword: 12
            case .staleLock: 1
            }
        }
    }

    public var scenarios: [Scenario]
    public var namespace = "paperless-ngx"
    public var dbBackups: BackupOutcome = .success
    public var walArchivingBroken = false
    public var restic: ResticOutcome = .success
    /// restic-backup-denied: `restic backup` fails on the bucket's write permission; reads work.
    public var resticBackupDenied = false
    public var secretSyncFailing = false
    public var appCrashloop = false
    public var dbNotReady = false
    public var dataUsage = 0.42
    public var redisErrors = false
    public var rbacLimited = false
    public var externalSecretsInstalled = true
    /// The external-secrets.io versions served, preferred first.
    public var externalSecretsVersions = ["v1", "v1beta1"]
    public var pluginBackups = false
    public var latency = 0.0
    public var unresponsive = false
    public var unauthorized = false
    /// Seconds of simulated time a restic Job runs.
    public var resticDuration = 40.0
    /// Seconds of simulated time a database Backup takes from running to completed.
    public var backupDuration = 25.0
    /// The password planted in the Redis URL, secrets and error logs; it must never reach a screen.
    public var plantedPassword = "hunter2-PLANTED-s3cr3t"
    /// Real cases planted over the seed, and the Backups of theirs the controller must leave as they are.
    public var realCases: [RealCase] = []
    public var frozenBackups: Set<String> = []
    /// The seeded Backup history is removed (a cluster that never produced one).
    public var noBackupHistory = false

    public init(_ scenarios: [Scenario]) {
        self.scenarios = scenarios
        for s in scenarios {
            switch s {
            case .healthy: break
            case .dbBackupFailing: dbBackups = .failing; walArchivingBroken = true
            case .resticLocked: restic = .locked
            case .resticWrongPassword: restic = .wrongPassword
            case .resticStaleLock: restic = .staleLock
            case .resticBackupDenied: resticBackupDenied = true
            case .secretSyncFailing: secretSyncFailing = true
            case .appCrashloop: appCrashloop = true; dbNotReady = true
            case .pvcNearlyFull: dataUsage = 0.94
            case .redisErrors: redisErrors = true
            case .rbacLimited: rbacLimited = true
            case .noExternalSecrets: externalSecretsInstalled = false
            case .oldExternalSecrets: externalSecretsVersions = ["v1beta1"]
            case .pluginBackups: pluginBackups = true
            case .slowAPI: latency = 3
            case .unresponsiveAPI: unresponsive = true
            case .expiredCredentials: unauthorized = true
            case .dbDiskFull, .dbNeverArchived: dbNotReady = true
            case .dbFenced, .dbBackupStuck: break
            case .walAfterFailover, .pluginUnavailable: pluginBackups = true
            }
            if s == .dbNeverArchived { noBackupHistory = true }
            if let real = s.realCase {
                realCases.append(real)
                if s == .dbBackupStuck { frozenBackups.insert("paperless-ngx-db-manual-20250625210000") }
            }
        }
    }

    /// The resource types this cluster serves.
    public var servedKinds: [ServedResource] {
        Catalogue.all.filter { kind in
            if kind.group == "external-secrets.io" { return externalSecretsInstalled }
            if kind.group == "barmancloud.cnpg.io" { return pluginBackups }
            return true
        }.map { kind in
            kind.group == "external-secrets.io" ? kind.serving(externalSecretsVersions) : kind
        }
    }

    /// RBAC for the rbac-limited scenario.
    public var forbidden: @Sendable (String, String, String, String?) -> Bool {
        guard rbacLimited else { return { _, _, _, _ in false } }
        return { verb, group, resource, sub in
            if resource == "secrets" && group.isEmpty { return true }
            if resource == "nodes" && sub == "proxy" { return true }
            if resource == "jobs" && group == "batch" && verb == "create" { return true }
            return false
        }
    }
}
