// MARK: - PaperConfig

/// Every name and threshold the snapshot and the checks use.
///
/// The defaults describe the runbook's deployment (`paperless-ngx` on do-nyc3-prod), so an
/// empty or missing config file means "the seed deployment". `ConfigLoader` reads overrides
/// from YAML; the YAML keys are the property names below.
public struct PaperConfig: Sendable, Equatable {
    /// Namespace of the whole deployment.
    public var namespace = "paperless-ngx"
    /// Seconds before a kubectl call is killed.
    public var timeoutSeconds: Double = 10
    /// Seconds between dashboard refreshes (`--refresh` overrides).
    public var refreshSeconds: Double = 5
    /// The dashboard runs no action at all (`--read-only` also sets it).
    public var readOnly = false
    public var app = App()
    public var redis = Redis()
    public var database = Database()
    public var fileBackup = FileBackup()
    /// ExternalSecrets that must be synced; empty means every ExternalSecret in the namespace.
    public var externalSecrets = ["paperless-ngx-admin", "paperless-ngx-secret-key", "paperless-ngx-redis", "paperless-ngx-restic"]
    public var storage = Storage()
    public var network = Network()
    public var thresholds = Thresholds()

    public init() {}

    /// The paperless-ngx web/worker Deployment and its app container.
    public struct App: Sendable, Equatable {
        public var deployment = "paperless-ngx"
        /// The app container; logs and readiness are read from it, never from the sidecar.
        public var container = "paperless-ngx"
        /// Mesh sidecars that never count as "the app".
        public var sidecars = ["linkerd-proxy"]
    }

    /// The Redis task broker.
    public struct Redis: Sendable, Equatable {
        public var deployment = "paperless-ngx-redis"
    }

    /// The CloudNativePG cluster and its backups.
    public struct Database: Sendable, Equatable {
        public var cluster = "paperless-ngx-db"
        /// The ScheduledBackup to judge; empty means whichever targets `cluster`.
        public var scheduledBackup = ""
        /// The Barman Cloud plugin ObjectStore; empty means the cluster's `barmanObjectName`.
        public var objectStore = ""
    }

    /// The restic CronJob.
    public struct FileBackup: Sendable, Equatable {
        public var cronJob = "paperless-ngx-backup"
        /// Labels of its Jobs and pods (the runbook's `-l app.kubernetes.io/name=…`).
        public var jobLabels = ["app.kubernetes.io/name": "paperless-ngx-backup"]
    }

    /// The volumes whose usage is judged.
    public struct Storage: Sendable, Equatable {
        /// The data PVC; empty means the PVC mounted by the app Deployment.
        public var dataPVC = ""
        /// DB PVCs; empty means every PVC labelled `cnpg.io/cluster=<cluster>` (data and WAL).
        public var databasePVCs: [String] = []
    }

    /// The runbook's egress tables, as `PORT/PROTOCOL` entries.
    public struct Network: Sendable, Equatable {
        public var appEgress = ["53/UDP", "53/TCP", "5432/TCP", "6379/TCP"]
        public var backupEgress = ["53/UDP", "53/TCP", "443/TCP"]
    }

    /// Verdict thresholds.
    public struct Thresholds: Sendable, Equatable {
        public var storageWarnPercent: Double = 80
        public var storageCriticalPercent: Double = 90
        /// How late a scheduled backup may complete before it counts as missed.
        public var backupGraceMinutes: Double = 120
        /// A Backup pending (or without status) longer than this blocks the queue.
        public var backupQueueBlockedMinutes: Double = 60
        /// Restarts inside this window are reported.
        public var restartWindowMinutes: Double = 60
        /// How much app log is read and judged.
        public var logWindowMinutes: Double = 60
        /// `logWindowMinutes` in seconds.
        public var logWindowSeconds: Double { logWindowMinutes * 60 }
        /// An ExternalSecret is stale when not refreshed within this many refresh intervals.
        public var secretRefreshFactor: Double = 2
    }
}
